import pytest

from identity.domain.errors import InvalidRequest, UnknownPermission
from identity.domain.permissions import PermissionOverrides, require_known_permissions

PT_DEFAULTS = frozenset(
    {
        "view_patients",
        "edit_patients",
        "start_notes",
        "forward_notes",
        "finish_notes",
        "delete_transactions",
        "share_documents",
    }
)


def test_effective_permissions_are_defaults_plus_grants_minus_revocations(make_user, catalog):
    user = make_user("PT", granted=("view_audit",), revoked=("delete_transactions",))
    assert user.permissions(catalog) == (PT_DEFAULTS | {"view_audit"}) - {"delete_transactions"}


def test_granting_a_default_leaves_no_override():
    overrides = PermissionOverrides().changed(PT_DEFAULTS, frozenset({"finish_notes"}), frozenset())
    assert overrides == PermissionOverrides()


def test_regranting_a_revoked_default_removes_the_revocation():
    overrides = PermissionOverrides(revoked=frozenset({"finish_notes"}))
    changed = overrides.changed(PT_DEFAULTS, frozenset({"finish_notes"}), frozenset())
    assert changed == PermissionOverrides()


def test_revoking_a_granted_extra_removes_the_grant():
    overrides = PermissionOverrides(granted=frozenset({"view_audit"}))
    changed = overrides.changed(PT_DEFAULTS, frozenset(), frozenset({"view_audit"}))
    assert changed == PermissionOverrides()


def test_a_permission_cannot_be_granted_and_revoked_at_once():
    with pytest.raises(InvalidRequest, match="granted and revoked"):
        PermissionOverrides().changed(
            PT_DEFAULTS, frozenset({"view_audit"}), frozenset({"view_audit"})
        )


def test_unknown_permission_names_are_refused():
    with pytest.raises(UnknownPermission) as refused:
        require_known_permissions(["view_patients", "launch_rockets"])
    assert refused.value.details["unknown"] == ["launch_rockets"]


def test_a_deactivated_user_holds_no_permissions(make_user, catalog):
    assert make_user("PT", active=False).permissions(catalog) == frozenset()
