"""What a vendor support employee holds inside a practice while an access grant covers them.

Support looks at what the practice sees in order to fix it, so the token carries
``view_patients`` and nothing more: every read still emits its access event for the
audit, and nothing in the practice's data is changed, shared or deleted by the vendor.
The one change support makes, a user type, needs the grant itself, not a permission.
Never ``manage_users`` (the practice runs its own users), ``share_documents`` or
``view_audit``: the audit service reads a vendor token holding ``view_audit`` as the
vendor's security role over every practice, which a support grant for one practice
must never become. Outside a grant (the vendor's own directory) a vendor holds nothing.
"""

from __future__ import annotations

from identity.domain.permissions import VIEW_PATIENTS

VENDOR_SUPPORT_PERMISSIONS: frozenset[str] = frozenset({VIEW_PATIENTS})
