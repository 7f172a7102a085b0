"""The client behind a request, as the gateway forwards it (servicekit's ProxyFix trusts
one X-Forwarded-For hop), for throttling and for the audit record."""

from __future__ import annotations

from flask import request

from identity.domain.origins import Origin, origin_of


def client_origin() -> Origin:
    return origin_of(request.remote_addr, request.headers.get("User-Agent"))
