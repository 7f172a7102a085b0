"""Patient transactions (charges) made when notes are finalized."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from notes.api.bodies import RECEIPT_NOTE
from notes.api.callers import READERS, STAFF, caller
from notes.api.schemas import TransactionSchema
from notes.bootstrap import notes
from notes.domain.receipts import shown_to
from notes.domain.transactions import PatientTransaction
from notes.service_layer import charges
from servicekit.auth import require_permission
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("transactions", __name__, description="Patient transactions")


@blp.route("/patients/<patient_id>/transactions", methods=["GET"])
@require_permission("view_patients", kinds=READERS)
@blp.response(200, TransactionSchema(many=True))
@paged(blp, max_limit=500)
def of_patient(patient_id: str) -> list[PatientTransaction]:
    return charges.transactions_of_patient(notes().uow(), caller(), patient_id)


@blp.route("/transactions/<transaction_id>", methods=["DELETE"])
@documents_errors(409)
@require_permission("delete_transactions", kinds=STAFF)
@blp.response(200, TransactionSchema, description=f"The charge. {RECEIPT_NOTE}")
def delete(transaction_id: str) -> dict[str, Any]:
    """Delete a charge; it stays on record with who deleted it and when."""
    app, who = notes(), caller()
    charge = charges.delete_transaction(app.uow(), who, transaction_id, app.now())
    return shown_to(who.permissions, asdict(charge))
