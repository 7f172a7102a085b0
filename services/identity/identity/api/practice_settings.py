"""The practice's Admin-only settings areas: each read and replaced by Admins only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema

from identity.api import practice_settings_schemas as s
from identity.api.callers import caller
from identity.api.etags import settings_etag
from identity.bootstrap import identity
from identity.domain.practice_settings import SettingsArea
from identity.service_layer.practice_settings import change_practice_settings, practice_settings
from servicekit.auth import authenticated
from servicekit.web.conditional import etagged, if_match

blp = Blueprint("practice_settings", __name__,
                description="Admin-only practice settings: info, integrations, digital "
                            "treatment plan settings, web chat, digests")


def _read(area: SettingsArea) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        ident = identity()
        return practice_settings(ident.uow(), caller(), area, catalog=ident.catalog,
                                 now=ident.now())
    return read


def _replace(area: SettingsArea) -> Callable[[dict], dict[str, Any]]:
    def replace(body: dict) -> dict[str, Any]:
        ident = identity()
        return change_practice_settings(ident.uow(), caller(), area, body,
                                        catalog=ident.catalog, now=ident.now())
    return replace


def _serve(path: str, area: SettingsArea, schema: type[Schema], what: str) -> None:
    read, replace, etag = _read(area), _replace(area), settings_etag(area)
    read.__doc__ = f"The practice's {what}: Admins only (others get 403 admin_only)."
    replace.__doc__ = (f"Replace the practice's {what}: Admins only (others get 403 "
                       f"admin_only); a change is published as an event.")
    blp.route(path, methods=["GET"], endpoint=f"get_{area.value}")(
        authenticated(kinds=("staff",))(etagged(etag)(blp.response(200, schema)(read))))
    blp.route(path, methods=["PUT"], endpoint=f"put_{area.value}")(
        authenticated(kinds=("staff",))(if_match(etag)(blp.arguments(schema)(
            blp.response(200, schema)(replace)))))


_serve("/practice", SettingsArea.PRACTICE_INFO, s.PracticeInfoSchema,
       "info (name, phone, email, website, address)")
_serve("/practice/integrations", SettingsArea.INTEGRATIONS, s.IntegrationsSchema,
       "integrations")
_serve("/practice/treatment-plan-settings", SettingsArea.TREATMENT_PLAN,
       s.TreatmentPlanSettingsSchema,
       "digital treatment plan settings (item codes, price buttons, SMS and reminder "
       "templates)")
_serve("/practice/webchat", SettingsArea.WEBCHAT, s.WebchatSchema, "web chat settings")
_serve("/practice/digests", SettingsArea.DIGESTS, s.DigestSettingsSchema,
       "practice digest frequency (weekly by default, daily if chosen)")
_serve("/practice/security", SettingsArea.SECURITY, s.SecuritySettingsSchema,
       "sign-in security (whether every staff member needs a second factor)")
