"""GET /verify: is the record intact, and if not, which record is the first bad one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from flask_smorest import Blueprint

from audit.api.callers import caller_scope
from audit.api.chain_schemas import ChainReport, VerifyQuery
from audit.api.runtime import config, uow
from audit.service_layer.verification import VerifySettings, verify_record
from audit.wiring import checkpoint_verifier, witness_for
from servicekit.auth import require_permission

blp = Blueprint("verify", __name__, url_prefix="/verify", description="Tamper evidence")


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(VerifyQuery, location="query")
@blp.response(200, ChainReport)
def verify(query: dict) -> dict:
    """Vendor security checks every chain; a practice checks the chain its records are in.

    Against the database's own checkpoints and the witness outside it."""
    scope, cfg = caller_scope(query["org_id"]), config()
    settings = VerifySettings(checkpoint_verifier(cfg), witness_for(cfg), cfg.chain_partitions,
                              timedelta(seconds=cfg.anchor_grace_seconds))
    return asdict(verify_record(uow(), scope, settings))
