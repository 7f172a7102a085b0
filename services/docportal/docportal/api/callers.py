from docportal.service_layer.callers import Staff
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden

#: Every staff endpoint of the portal: staff of a practice holding both permissions. A
#: patient's documents are part of the patient's record, so whoever lists, opens, files or
#: shares them must be allowed to see the patient (view_patients) as well as to share.
SHARE_PERMISSION = "share_documents"
VIEW_PERMISSION = "view_patients"
#: Reading a patient's documents: staff, and vendor staff under an access grant where their
#: token's permissions (the grant scope's, from identity) hold both of the above. No scope
#: gives share_documents today, so vendors are refused by permission, never by kind; writes
#: and shares stay staff-only.
READERS = ("staff", "vendor")


def staff() -> Staff:
    """The signed-in staff member; their practice scopes every read and write."""
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("Sign in to your practice to work with its documents.",
                        code="practice_required")
    return Staff(principal.user_id, principal.org_id, principal.email, principal.user_type,
                 principal.kind)
