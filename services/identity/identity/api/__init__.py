"""The identity HTTP API: one blueprint per resource."""

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from identity.api.clinics import blp as clinics
    from identity.api.invitations import blp as invitations
    from identity.api.notifications import blp as notifications
    from identity.api.oauth import blp as oauth
    from identity.api.passwords import blp as passwords
    from identity.api.practice import blp as practice
    from identity.api.practice_settings import blp as practice_settings
    from identity.api.practitioners import blp as practitioners
    from identity.api.recipients import blp as recipients
    from identity.api.second_factor import blp as second_factor
    from identity.api.service_accounts import blp as service_accounts
    from identity.api.sessions import blp as sessions
    from identity.api.users import blp as users
    from identity.api.vendor import blp as vendor

    return [sessions, users, clinics, practice, practice_settings, invitations, passwords,
            recipients, vendor, service_accounts, oauth, notifications,
            practitioners, second_factor]
