from docportal.service_layer.callers import Staff
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden

#: A patient's documents are part of the patient's record: whoever lists or opens them must
#: be allowed to see the patient (view_patients); filing and sharing them needs
#: share_documents as well.
SHARE_PERMISSION = "share_documents"
VIEW_PERMISSION = "view_patients"
#: Reading a patient's documents: staff, and vendor staff under an access grant where their
#: token's permissions (the grant scope's, from identity) hold view_patients; writes and
#: shares stay staff-only.
READERS = ("staff", "vendor")


def staff() -> Staff:
    """The signed-in staff member; their practice scopes every read and write."""
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("Sign in to your practice to work with its documents.",
                        code="practice_required")
    return Staff(principal.user_id, principal.org_id, principal.email, principal.user_type,
                 principal.kind, permissions=principal.permissions)
