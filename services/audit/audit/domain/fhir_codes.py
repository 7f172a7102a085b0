"""Which FHIR R4 AuditEvent codes a platform event gets: type, subtype, action and outcome.

The standard codes come from DICOM (PS3.16 CID 400-403, the codes FHIR's AuditEvent uses for
audit event types) and HL7's audit code systems; where none fits, the event's type is kept as a
coding of the platform's own code system beside the standard one, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

DCM = "http://dicom.nema.org/resources/ontology/DCM"
HL7_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
# The platform's own names (event types, actor kinds, id kinds), as absolute URIs.
PLATFORM = "https://clinicplatform.example/fhir"
PLATFORM_EVENT_TYPE = f"{PLATFORM}/CodeSystem/event-type"

Coding = dict[str, str]


def dcm(code: str, display: str) -> Coding:
    return {"system": DCM, "code": code, "display": display}


USER_AUTHENTICATION = dcm("110114", "User Authentication")
LOGIN, LOGOUT = dcm("110122", "Login"), dcm("110123", "Logout")
PATIENT_RECORD = dcm("110110", "Patient Record")
EXPORT = dcm("110106", "Export")
SECURITY_ALERT = dcm("110113", "Security Alert")
USER_SECURITY_ATTRIBUTES = dcm("110137", "User Security Attributes Changed")
REST = {"system": HL7_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}

SIGN_INS = frozenset({"identity.session.signed_in", "identity.session.sign_in_failed",
                      "identity.access_grant.used", "identity.service_account.token_refused"})
SIGN_OUTS = frozenset({"identity.session.signed_out", "identity.session.revoked"})
# Documents leaving the practice: the disclosures of 45 CFR 164.528.
DISCLOSURES = frozenset({"docportal.share.sent", "docportal.share.reshared"})
# Who may do what, and who exists: accounts, their permissions, grants and invitations.
SECURITY_ATTRIBUTE_PREFIXES = ("identity.user.", "identity.access_grant.",
                               "identity.service_account.", "identity.vendor_staff.",
                               "identity.invitation.", "identity.recipient.",
                               "identity.password.")
# Attempts the platform refused: the action did not happen (FHIR outcome 4, minor failure,
# as an HTTP 4xx is; 8 and 12 are for the platform's own faults, which are not events).
REFUSALS = frozenset({"identity.session.sign_in_failed", "docportal.share.access_refused",
                      "identity.service_account.token_refused"})

_CREATE = frozenset({"created", "started", "uploaded", "registered", "sent", "reshared",
                     "raised", "granted", "addendum_added", "mail_sent", "reset_requested"})
# "opened": a patient opening their treatment plan from its mailed link (notes).
_READ = frozenset({"viewed", "downloaded", "opened"})
# Execute: a query, or a system function such as signing in (FHIR's own definition of E).
_EXECUTE = frozenset({"searched", "signed_in", "sign_in_failed", "signed_out", "used",
                      "token_refused", "access_refused", "claimed"})
_DELETE = frozenset({"deleted", "removed"})


@dataclass(frozen=True)
class EventCodes:
    type: Coding
    subtype: list[Coding]
    action: str  # C, R, U, D or E
    outcome: str  # "0" success, "4" minor failure


def event_codes(event_type: str, touches_patient: bool) -> EventCodes:
    """The AuditEvent codes of one platform event type."""
    own = {"system": PLATFORM_EVENT_TYPE, "code": event_type}
    if event_type in SIGN_INS:
        kind, subtype = USER_AUTHENTICATION, [LOGIN, own]
    elif event_type in SIGN_OUTS:
        kind, subtype = USER_AUTHENTICATION, [LOGOUT, own]
    elif event_type.startswith("audit.alert."):
        kind, subtype = SECURITY_ALERT, [own]
    elif event_type in DISCLOSURES:
        kind, subtype = EXPORT, [own]
    elif touches_patient:
        kind, subtype = PATIENT_RECORD, [own]
    elif event_type.startswith(SECURITY_ATTRIBUTE_PREFIXES):
        kind, subtype = USER_SECURITY_ATTRIBUTES, [own]
    else:
        kind, subtype = REST, [own]
    return EventCodes(kind, subtype, action_of(event_type),
                      "4" if event_type in REFUSALS else "0")


def action_of(event_type: str) -> str:
    """C, R, U, D or E from the event's past-tense verb; any other change is an update."""
    verb = event_type.rsplit(".", 1)[-1]
    for action, verbs in (("C", _CREATE), ("R", _READ), ("E", _EXECUTE), ("D", _DELETE)):
        if verb in verbs:
            return action
    return "U"
