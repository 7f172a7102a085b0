"""Identity's events about the people of a practice: staff, recipients, vendor staff."""

from servicekit.messaging.definitions import (
    EventDefinition,
    flag,
    record,
    state,
    text,
    texts,
    whole,
)

_ROLE = {
    # The role an Admin gave (dental practices and invited staff); absent for the others.
    "practice_role": text(optional=True),
    "permission_level": text(optional=True),
    "clinical_role": text(optional=True, null=True),
    "practitioner_id": text(optional=True, null=True),
}
_CHANGE = {
    "before": state(), "after": state(), "granted": texts(), "revoked": texts(),
    "permission_version": whole(),
    "notices": record({"code": text(), "message": text()}, many=True),
    "supervising_therapist_id": text(null=True),
}
_PRACTICELESS = {
    "user_id": text(), "email": text(), "email_domain": text(), "full_name": text(),
    "kind": text(), "status": text(),
}

USER_CREATED = EventDefinition(
    "identity.user.created", "A staff member joined a practice: added by a User Manager, "
    "the owner of a new practice, or an invitee who accepted.", subject="user", data={
        "email": text(), "full_name": text(), "user_type": text(), "kind": text(),
        "status": text(), "permissions": texts(), "clinics": texts(),
        "permission_version": whole(), "supervising_therapist_id": text(null=True),
        "role": text(optional=True),  # "owner" for the owner of a new practice
        "email_domain_recognized": flag(optional=True),
        "invitation_id": text(optional=True),  # the invitation whose acceptance created it
        **_ROLE,
    })
USER_PERMISSIONS_CHANGED = EventDefinition(
    "identity.user.permissions_changed", "A User Manager changed someone's permissions.",
    subject="user", data=_CHANGE)
USER_TYPE_CHANGED = EventDefinition(
    "identity.user.type_changed", "A User Manager changed someone's user type.",
    subject="user", data={**_CHANGE, "user_type_before": text(), "user_type_after": text()})
USER_DEACTIVATED = EventDefinition(
    "identity.user.deactivated", "A User Manager deactivated someone; their sessions ended.",
    subject="user", data={**_CHANGE, "sessions_revoked": whole()})
USER_REACTIVATED = EventDefinition(
    "identity.user.reactivated", "A User Manager brought a deactivated user back.",
    subject="user", data={**_CHANGE, "full_name": text(), "user_type": text(),
                          "clinics": texts()})
USER_UPDATED = EventDefinition(
    "identity.user.updated", "Someone's name, clinics, supervisor or role was edited; "
    "``changed`` names the fields, ``before``/``after`` hold them; the rest is the profile "
    "as it is now.", subject="user", data={
        "changed": texts(), "before": state(), "after": state(), "clinics": texts(),
        "full_name": text(), "clinic_ids": texts(), "default_clinic_id": text(null=True),
        "supervising_therapist_id": text(null=True), "permission_level": text(null=True),
        "practice_role": text(null=True), "clinical_role": text(null=True),
        "permission_version": whole(optional=True),  # when the edit outdated tokens
    })
USER_PASSWORD_SET = EventDefinition(
    "identity.user.password_set", "Someone set a password through a setup link; replacing "
    "one outdates their tokens.", subject="user", data={
        "replaced": flag(), "permission_version": whole(optional=True),
        "after": state(optional=True)})
USER_NOTIFICATION_PREFERENCES_CHANGED = EventDefinition(
    "identity.user.notification_preferences_changed",
    "Someone chose which notification mails and digests they receive.", subject="user",
    data={"notifications": texts(), "digests": texts()})
RECIPIENT_REGISTERED = EventDefinition(
    "identity.recipient.registered", "An external recipient of shared documents registered.",
    subject="user", data=_PRACTICELESS)
VENDOR_STAFF_CREATED = EventDefinition(
    "identity.vendor_staff.created", "The vendor added one of its own staff.",
    subject="user", data={**_PRACTICELESS, "is_support_admin": flag()})
USERS_VIEWED = EventDefinition(
    "identity.users.viewed", "Vendor support read a practice's users under a grant.",
    subject="practice", data={"access_grant_id": text(null=True), "record_count": whole(),
                              "user_ids": texts()})
