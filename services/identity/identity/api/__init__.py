"""The identity HTTP API: one blueprint per resource."""

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from identity.api.clinics import blp as clinics
    from identity.api.sessions import blp as sessions
    from identity.api.users import blp as users

    return [sessions, users, clinics]
