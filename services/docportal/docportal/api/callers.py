from docportal.service_layer.callers import Staff
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden

#: Every staff endpoint of the portal: staff of a practice holding both permissions. A
#: patient's documents are part of the patient's record, so whoever lists, opens, files or
#: shares them must be allowed to see the patient (view_patients) as well as to share.
SHARE_PERMISSION = "share_documents"
VIEW_PERMISSION = "view_patients"


def staff() -> Staff:
    """The signed-in staff member; their practice scopes every read and write."""
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("Sign in to your practice to work with its documents.",
                        code="practice_required")
    return Staff(principal.user_id, principal.org_id, principal.email, principal.user_type)
