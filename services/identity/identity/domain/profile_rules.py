"""The checks that stand in front of every change to a user's profile.

Each check raises a domain error whose message tells the person what to do instead.
profile_changes runs them all before it builds anything, so a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.catalog import ASSISTANT, UserTypeCatalog
from identity.domain.errors import (
    AcknowledgementRequired,
    AutomationProfileProtected,
    CannotGrantUnheldPermission,
    CannotPromoteSelf,
    InvalidRequest,
    NotAllowed,
    NotAUserManager,
    OutsidePractice,
    UserTypeChangeNeedsSupport,
    WrongClinicForBillingUser,
)
from identity.domain.permissions import FINISH_NOTES, MANAGE_USERS
from identity.domain.practices import Practice
from identity.domain.users import Actor, User, UserKind

BILLING_TYPE = "Billing"
ACKNOWLEDGEMENT = "Yes, I understand"


@dataclass(frozen=True)
class Notice:
    """A warning that goes back with a successful change, for the admin to read."""

    code: str
    message: str


def require_may_act(actor: Actor, practice_id: str, now: datetime) -> None:
    """An inactive user acts for nobody; a vendor employee only under an active grant."""
    if not actor.user.active:
        raise NotAllowed("Your account is deactivated. Ask an Admin of your practice.")
    if actor.user.kind is UserKind.VENDOR and not actor.is_supported_vendor(practice_id, now):
        raise NotAllowed(
            "You have no active access grant for this practice. Ask a vendor support "
            "admin for a grant with a purpose and an end time.",
            {"practice_id": practice_id},
        )
    if actor.user.practice_id != practice_id:
        raise OutsidePractice("You can only manage users of your own practice.")


def require_user_manager(actor: Actor, catalog: UserTypeCatalog) -> None:
    if not actor.holds(MANAGE_USERS, catalog):
        raise NotAUserManager(
            "Only a User Manager (an Admin) can change users or their permissions. "
            "Ask an Admin of your practice to make this change.",
            {"required_permission": MANAGE_USERS},
        )


def refuse_self_promotion(actor: Actor, target: User, grant: frozenset[str]) -> None:
    if actor.user.id == target.id and MANAGE_USERS in grant:
        raise CannotPromoteSelf(
            "You cannot make yourself a User Manager. Ask another Admin to grant it.",
            {"permission": MANAGE_USERS},
        )


def require_holds_granted(actor: Actor, grant: frozenset[str], catalog: UserTypeCatalog) -> None:
    missing = sorted(grant - actor.user.permissions(catalog))
    if missing:
        raise CannotGrantUnheldPermission(
            f"You can only grant permissions you hold yourself; you do not hold "
            f"{', '.join(missing)}. Ask an Admin who holds them.",
            {"not_held": missing},
        )


def require_billing_user_edited_from_default_clinic(actor: Actor, target: User) -> None:
    if target.user_type == BILLING_TYPE and actor.acting_clinic_id != target.default_clinic_id:
        raise WrongClinicForBillingUser(
            "A Billing user's profile can only be edited from that user's default clinic. "
            "Switch to that clinic and try again.",
            {
                "default_clinic_id": target.default_clinic_id,
                "acting_clinic_id": actor.acting_clinic_id,
            },
        )


def require_default_clinic_for_billing(user_type: str, default_clinic_id: str | None) -> None:
    """A Billing user is edited from their default clinic, so they always have one."""
    if user_type == BILLING_TYPE and default_clinic_id is None:
        raise InvalidRequest(
            "A Billing user needs a default clinic: their profile can only be edited from "
            "it. Pick the clinic they work from.",
            {"field": "default_clinic_id", "user_type": user_type},
        )


def refuse_automation_profile_change(target: User, action: str) -> None:
    if target.is_automation:
        raise AutomationProfileProtected(
            f"The automation profile runs the vendor's automation in your practice, so it "
            f"cannot be {action}. Contact support if it behaves unexpectedly.",
            {"user_id": target.id, "action": action},
        )


def require_support_for_type_change(actor: Actor, target: User, now: datetime) -> None:
    if actor.is_supported_vendor(target.practice_id, now) and not actor.changes_user_types(
            target.practice_id, now):
        scope = actor.access_grant.scope.value if actor.access_grant else None
        raise UserTypeChangeNeedsSupport(
            f"Your access grant's scope ({scope}) does not include changing user types. "
            "Ask a vendor support admin for a support grant.",
            {"user_id": target.id, "scope": scope},
        )
    if not actor.changes_user_types(target.practice_id, now):
        raise UserTypeChangeNeedsSupport(
            "A practice cannot change a user's type, because changing certain types breaks "
            "the profile. Contact support and they will change it for you.",
            {"user_id": target.id, "user_type": target.user_type},
        )


def require_finish_notes_acknowledged(
    target: User, grant: frozenset[str], catalog: UserTypeCatalog, acknowledged: bool
) -> None:
    if _grants_assistant_finish(target, grant, catalog) and not acknowledged:
        raise AcknowledgementRequired(
            "An assistant who finishes SOAP notes signs them without a therapist. Confirm "
            f"with '{ACKNOWLEDGEMENT}' to grant finish_notes; nothing was changed.",
            {"permission": FINISH_NOTES, "acknowledgement": ACKNOWLEDGEMENT},
        )


def billing_provider_notice(
    practice: Practice, target: User, grant: frozenset[str], catalog: UserTypeCatalog
) -> Notice | None:
    integration = practice.billing_integration
    if not _grants_assistant_finish(target, grant, catalog) or integration is None:
        return None
    if integration.lists_provider(target.id):
        return None
    return Notice(
        code="assistant_not_billing_provider",
        message=(
            f"Each assistant who finalizes notes must be a provider (a paid licence) in "
            f"{integration.name}, or their finalized notes will not flow to billing. "
            f"{target.full_name} is not a provider there yet."
        ),
    )


def _grants_assistant_finish(target: User, grant: frozenset[str], catalog: UserTypeCatalog) -> bool:
    return FINISH_NOTES in grant and catalog.get(target.user_type).category == ASSISTANT
