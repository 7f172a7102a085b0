"""Identity's events about practices, their clinics, invitations and practitioner records."""

from servicekit.messaging.definitions import (
    EventDefinition,
    flag,
    record,
    state,
    text,
    texts,
    whole,
)

_CLINIC = {"name": text(), "assistants_may_finalize": flag(), "time_zone": text(null=True)}

PRACTICE_CREATED = EventDefinition(
    "identity.practice.created", "A practice signed up, with its first clinic, its owner "
    "(an identity.user.created follows) and its automation profile.", subject="practice",
    data={
        "name": text(), "model": text(), "owner_id": text(), "licensed_seats": whole(),
        "recognized_domains": texts(),
        "clinics": record({"id": text(), **_CLINIC}, many=True),
        "automation_profile": record({"id": text(), "email": text(), "full_name": text(),
                                      "kind": text(), "user_type": text()}),
    })
PRACTICE_BILLING_INTEGRATION_CHANGED = EventDefinition(
    "identity.practice.billing_integration_changed", "An Admin set or removed the practice's "
    "billing integration.", subject="practice", data={
        "billing_integration": record({"name": text(), "provider_ids": texts()}, null=True),
        "billing_provider_ids": texts(), "before": state()})
PRACTICE_RECOGNIZED_DOMAINS_CHANGED = EventDefinition(
    "identity.practice.recognized_domains_changed", "An Admin changed the email domains "
    "whose profiles are recognized as the practice's.", subject="practice", data={
        "recognized_domains": texts(), "before": state(), "after": state()})

_CHANGED = {"changed_fields": texts()}
PRACTICE_INFO_CHANGED = EventDefinition(
    "identity.practice.info_changed", "An Admin changed the practice's information.",
    subject="practice", data={**_CHANGED, "name": text()})
PRACTICE_INTEGRATIONS_CHANGED = EventDefinition(
    "identity.practice.integrations_changed", "An Admin changed the practice's integrations.",
    subject="practice", data={**_CHANGED, "integrations": record(
        {"kind": text(), "provider": text(), "enabled": flag()}, many=True)})
PRACTICE_TREATMENT_PLAN_SETTINGS_CHANGED = EventDefinition(
    "identity.practice.treatment_plan_settings_changed", "An Admin changed the treatment plan "
    "settings; ``counts`` says how many of each list there are now.", subject="practice",
    data={**_CHANGED, "counts": record({"item_codes": whole(), "price_buttons": whole(),
                                        "sms_templates": whole(),
                                        "reminder_templates": whole()})})
PRACTICE_WEBCHAT_CHANGED = EventDefinition(
    "identity.practice.webchat_changed", "An Admin turned the web chat on or off.",
    subject="practice", data={**_CHANGED, "enabled": flag()})
PRACTICE_DIGEST_SETTINGS_CHANGED = EventDefinition(
    "identity.practice.digest_settings_changed", "An Admin changed how often digests go out.",
    subject="practice", data={**_CHANGED, "frequency": text(), "before": state(),
                              "after": state()})
PRACTICE_SECURITY_CHANGED = EventDefinition(
    "identity.practice.security_changed", "An Admin changed the practice's security settings.",
    subject="practice", data={**_CHANGED, "require_second_factor": flag()})

CLINIC_CREATED = EventDefinition(
    "identity.clinic.created", "An Admin added a clinic (the subject) to the practice.",
    subject="clinic", data=_CLINIC)
CLINIC_SETTINGS_CHANGED = EventDefinition(
    "identity.clinic.settings_changed", "An Admin changed a clinic's settings; ``after`` "
    "holds every setting, changed or not.", subject="clinic", data={
        "before": state(), "after": state()})

INVITATION_SENT = EventDefinition(
    "identity.invitation.sent", "An Admin invited someone to join the practice.",
    subject="invitation", data={
        "email": text(), "full_name": text(), "practice_role": text(),
        "permission_level": text(), "clinical_role": text(null=True), "user_type": text(),
        "expires_at": text(), "supervising_therapist_id": text(null=True),
        "practitioner_id": text(null=True), "new_practitioner": flag(),
        "new_practitioner_confirmed": flag()})
INVITATION_RESENT = EventDefinition(
    "identity.invitation.resent", "A new invitation link replaced the earlier one.",
    subject="invitation", data={"email": text(), "expires_at": text()})
INVITATION_REVOKED = EventDefinition(
    "identity.invitation.revoked", "An Admin withdrew an invitation.", subject="invitation",
    data={"email": text()})
INVITATION_ACCEPTED = EventDefinition(
    "identity.invitation.accepted", "The invitee joined (an identity.user.created comes "
    "with it).", subject="invitation", data={"user_id": text(),
                                             "practitioner_id": text(null=True)})

PRACTITIONER_CREATED = EventDefinition(
    "identity.practitioner.created", "A practitioner record was made, by an Admin or for a "
    "new member.", subject="practitioner", data={
        "name": text(), "confirmed_different_person": flag(), "user_id": text(null=True),
        "clinical_role": text(optional=True, null=True),
        "invitation_id": text(optional=True, null=True)})
PRACTITIONER_LINKED = EventDefinition(
    "identity.practitioner.linked", "A new member was linked to an existing record.",
    subject="practitioner", data={"user_id": text(), "invitation_id": text(null=True)})
PRACTITIONER_UPDATED = EventDefinition(
    "identity.practitioner.updated", "An Admin renamed a record or changed its clinical role.",
    subject="practitioner", data={
        "name": text(), "previous_name": text(), "clinical_role": text(null=True),
        "user_id": text(null=True), "confirmed_different_person": flag()})
PRACTITIONER_REMOVED = EventDefinition(
    "identity.practitioner.removed", "An Admin removed a free record.",
    subject="practitioner", data={"name": text()})
