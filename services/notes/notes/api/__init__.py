"""The notes HTTP API: one blueprint per resource."""

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from notes.api.billing import blp as billing
    from notes.api.charges import blp as charges
    from notes.api.cosignature import blp as cosignature
    from notes.api.notes import blp as notes
    from notes.api.patients import blp as patients
    from notes.api.payers import blp as payers
    from notes.api.treatment_plans import blp as treatment_plans

    return [patients, payers, notes, cosignature, charges, billing, treatment_plans]
