from dataclasses import dataclass

from servicekit.config import ServiceConfig, setting


@dataclass(frozen=True)
class IdentityConfig(ServiceConfig):
    vendor_name: str = setting("VENDOR_NAME", default="Clinic Platform")
    vendor_domain: str = setting("VENDOR_DOMAIN", default="clinicplatform.example")
