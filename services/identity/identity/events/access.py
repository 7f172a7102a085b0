"""Identity's events about getting in: sessions, passwords, second factors, machine
accounts and vendor access grants."""

from servicekit.messaging.definitions import EventDefinition, flag, state, text, texts, whole

_ORIGIN = {"source_address": text(), "user_agent": text()}

SESSION_SIGNED_IN = EventDefinition(
    "identity.session.signed_in", "Someone signed in; a vendor names the grant they came "
    "under.", subject="user", data={
        "session_id": text(), "account": text(), "second_factor": flag(), **_ORIGIN,
        "access_grant_id": text(optional=True)})
SESSION_SIGN_IN_FAILED = EventDefinition(
    "identity.session.sign_in_failed", "A sign-in was refused; the subject is a hash of the "
    "address tried.", subject="sign_in", data={
        "email": text(), "account": text(), "reason": text(), "throttled": flag(),
        "retry_after_seconds": whole(null=True), **_ORIGIN,
        "user_id": text(optional=True)})  # a vendor refused for want of a grant
SESSION_SIGNED_OUT = EventDefinition(
    "identity.session.signed_out", "Someone signed out; the session ended.", subject="user",
    data={"session_id": text()})
SESSION_REVOKED = EventDefinition(
    "identity.session.revoked", "A session was ended for the user (password reset, second "
    "factor reset, grant revoked or ended, refresh token reuse).", subject="user", data={
        "session_id": text(), "reason": text(), "access_grant_id": text(optional=True)})
PASSWORD_RESET_REQUESTED = EventDefinition(
    "identity.password.reset_requested", "A password reset link was mailed.", subject="user",
    data={"account": text(), "expires_at": text()})
PASSWORD_RESET = EventDefinition(
    "identity.password.reset", "A password was reset; older tokens and sessions stop.",
    subject="user", data={"permission_version": whole(), "after": state(),
                          "sessions_revoked": whole()})

SECOND_FACTOR_ENROLLED = EventDefinition(
    "identity.second_factor.enrolled", "Someone enrolled an authenticator.", subject="user",
    data={"recovery_codes": whole()})
SECOND_FACTOR_CODE_REFUSED = EventDefinition(
    "identity.second_factor.code_refused", "A wrong second-factor code was entered.",
    subject="user", data={"wrong_codes": whole()})
SECOND_FACTOR_RECOVERY_CODE_USED = EventDefinition(
    "identity.second_factor.recovery_code_used", "A recovery code was spent.",
    subject="user", data={"recovery_codes_left": whole()})
SECOND_FACTOR_RECOVERY_CODES_RENEWED = EventDefinition(
    "identity.second_factor.recovery_codes_renewed", "New recovery codes replaced the old.",
    subject="user", data={"recovery_codes": whole()})
SECOND_FACTOR_REMOVED = EventDefinition(
    "identity.second_factor.removed", "Someone removed their own authenticator.",
    subject="user")
SECOND_FACTOR_RESET = EventDefinition(
    "identity.second_factor.reset", "A User Manager reset someone's second factor; their "
    "sessions ended.", subject="user", data={"sessions_ended": whole()})

_ACCOUNT = {
    "service_account_id": text(), "client_id": text(), "name": text(), "scope": text(),
    "kind": text(), "vendor_wide": flag(), "permission_version": whole(),
    "revoked_at": text(null=True),
}
SERVICE_ACCOUNT_CREATED = EventDefinition(
    "identity.service_account.created", "An Admin created a service account; the subject "
    "is whom its tokens name.", subject="user", data=_ACCOUNT)
SERVICE_ACCOUNT_ROTATED = EventDefinition(
    "identity.service_account.rotated", "A service account's secret was replaced.",
    subject="user", data=_ACCOUNT)
SERVICE_ACCOUNT_REVOKED = EventDefinition(
    "identity.service_account.revoked", "A service account was revoked; its tokens stop.",
    subject="user", data=_ACCOUNT)
_CLIENT = {"service_account_id": text(), "client_id": text(), "kind": text()}
SERVICE_ACCOUNT_TOKEN_ISSUED = EventDefinition(
    "identity.service_account.token_issued", "A service account got an access token.",
    subject="user", data={**_CLIENT, "session_id": text(), "scope": text(),
                          "expires_at": text()})
SERVICE_ACCOUNT_TOKEN_REFUSED = EventDefinition(
    "identity.service_account.token_refused", "A known service account was refused a token.",
    subject="user", data={**_CLIENT, "reason": text()})

_GRANT = {
    "grant_id": text(), "user_id": text(), "email": text(), "email_domain": text(),
    "kind": text(), "purpose": text(), "starts_at": text(), "ends_at": text(),
}
_GRANT_STATE = {**_GRANT, "scope": text(), "granted_by": text(), "revoked_at": text(null=True),
                "revoked_by": text(null=True)}
ACCESS_GRANT_GRANTED = EventDefinition(
    "identity.access_grant.granted", "A vendor support admin let a vendor employee into a "
    "practice for a purpose, until ``ends_at``.", subject="access_grant", data=_GRANT_STATE)
ACCESS_GRANT_REVOKED = EventDefinition(
    "identity.access_grant.revoked", "A vendor access grant was revoked; its sessions ended.",
    subject="access_grant", data={**_GRANT_STATE, "sessions_revoked": whole()})
ACCESS_GRANT_USED = EventDefinition(
    "identity.access_grant.used", "A vendor employee entered the practice under a grant.",
    subject="access_grant", data={**_GRANT, "session_id": text()})
CLINICS_VIEWED = EventDefinition(
    "identity.clinics.viewed", "Vendor support read a practice's clinics under a grant.",
    subject="practice", data={"access_grant_id": text(null=True), "record_count": whole(),
                              "clinic_ids": texts()})
