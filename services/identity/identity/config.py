from dataclasses import dataclass

from servicekit.config import ServiceConfig, setting


@dataclass(frozen=True)
class IdentityConfig(ServiceConfig):
    vendor_name: str = setting("VENDOR_NAME", default="Clinic Platform")
    vendor_domain: str = setting("VENDOR_DOMAIN", default="clinicplatform.example")
    # Ed25519 private keys in PEM, one after the other: the first signs, all are published
    # (a rotation adds the new key first and drops the old one after the token lifetime).
    # Unset: a key is generated once into LOCAL_DIR/identity-jwt.pem.
    jwt_private_keys: str | None = setting("JWT_PRIVATE_KEYS", default=None)
