"""The audit HTTP API: one blueprint per resource."""

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from audit.api.alert_push import blp as alert_push
    from audit.api.alerts import blp as alerts
    from audit.api.breach import blp as breach
    from audit.api.chain import blp as chain
    from audit.api.events import blp as events
    from audit.api.reports import blp as reports
    from audit.api.stream import blp as stream

    return [events, alerts, alert_push, reports, breach, chain, stream]
