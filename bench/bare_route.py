"""The cost bench's yardstick: a bare Flask + SQLAlchemy route that reads one patient row.

    gunicorn -c bench/bare_route.gunicorn.conf.py     (BARE_DATABASE_URL, BIND)

No token, no projection, no event: one SELECT by primary key on the same PostgreSQL, with the
services' pool settings, answered as JSON. bench/cost.py serves it behind a second gateway
rendered from the same nginx template, under the same path as notes' patient view.
"""

from __future__ import annotations

import os

from flask import Flask, abort
from sqlalchemy import create_engine, text

READ_PATIENT = text("SELECT id, first_name, last_name, date_of_birth FROM patients WHERE id = :id")


def create_app() -> Flask:
    app = Flask(__name__)
    # servicekit.db.make_engine's pool for PostgreSQL, named so the bench finds its backends.
    engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True, pool_size=5,
                           max_overflow=10, connect_args={"application_name": "bench-bare"})

    @app.get("/patients/<patient_id>")
    def patient(patient_id: str) -> dict[str, str]:
        with engine.connect() as conn:
            row = conn.execute(READ_PATIENT, {"id": patient_id}).mappings().first()
        if row is None:
            abort(404)
        return {key: str(value) for key, value in row.items()}

    return app
