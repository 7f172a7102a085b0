"""GET /verify: is the record intact, and if not, which record is the first bad one."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from audit.api.callers import caller_scope
from audit.api.chain_schemas import ChainReport, VerifyQuery
from audit.bootstrap import audit
from audit.service_layer.verification import verify_record
from servicekit.auth import require_permission

blp = Blueprint("verify", __name__, url_prefix="/verify", description="Tamper evidence")


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(VerifyQuery, location="query")
@blp.response(200, ChainReport)
def verify(query: dict) -> dict:
    """Vendor security checks every chain; a practice checks the chain its records are in.

    Against the database's own checkpoints and the witness outside it."""
    scope, app = caller_scope(query["org_id"]), audit()
    return asdict(verify_record(app.uow(), scope, app.verify_settings()))
