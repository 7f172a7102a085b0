"""GET /verify: is the record intact, and if not, which record is the first bad one."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

from flask.views import MethodView
from flask_smorest import Blueprint

from audit.api.chain_schemas import ChainReport, VerifyQuery
from audit.api.runtime import config, uow
from audit.api.scope import caller_scope
from audit.service_layer.chain import partition_of, verify_stored_chain
from audit.service_layer.witness import WitnessUnavailable
from audit.wiring import checkpoint_verifier, witness_for
from servicekit.auth import require_permission
from servicekit.web.errors import ServiceUnavailable

blp = Blueprint("verify", __name__, url_prefix="/verify", description="Tamper evidence")


@blp.route("")
class Verify(MethodView):
    @require_permission("view_audit")
    @blp.arguments(VerifyQuery, location="query")
    @blp.response(200, ChainReport)
    def get(self, query: dict) -> dict:
        """Vendor security checks every chain; a practice checks the chain its records are in.

        Against the database's own checkpoints and the witness outside it."""
        scope = caller_scope(query["org_id"])
        cfg = config()
        partitions = None
        if not scope.all_practices:
            partitions = [partition_of({"org_id": scope.org_id}, cfg.chain_partitions)]
        try:
            with uow() as unit:
                report = verify_stored_chain(
                    unit.session, checkpoint_verifier(cfg), partitions,
                    witness=witness_for(cfg), grace=timedelta(seconds=cfg.anchor_grace_seconds))
        except WitnessUnavailable:
            raise ServiceUnavailable("The audit witness cannot be read right now, so the record "
                                     "cannot be verified; try again in a few minutes.") from None
        if not scope.all_practices:
            # A chain is shared with other practices; their event ids are not this caller's.
            report = replace(report, event_id=None, record_seq=None, breaks=tuple(
                replace(b, event_id=None, record_seq=None) for b in report.breaks))
        return asdict(report)
