from dataclasses import dataclass

from servicekit.config import ServiceConfig, local_secret, parse_bool, setting


@dataclass(frozen=True)
class IdentityConfig(ServiceConfig):
    SECRETS = ("jwt_private_keys", "recipient_proof_secret", "staff_session_secret",
               "second_factor_secret", "mail_outbox_secret")

    vendor_name: str = setting("VENDOR_NAME", default="Clinic Platform")
    vendor_domain: str = setting("VENDOR_DOMAIN", default="clinicplatform.example")
    # Ed25519 private keys in PEM, one after the other: the first signs, all are published
    # (a rotation adds the new key first and drops the old one after the token lifetime).
    # Unset: a key is generated once into LOCAL_DIR/identity-jwt.pem.
    jwt_private_keys: str | None = setting("JWT_PRIVATE_KEYS", default=None)
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")
    mail_from: str = setting(
        "MAIL_FROM", default="Clinic Platform <no-reply@clinicplatform.example>"
    )
    # Where links in identity's emails point: staff set passwords and reset them in the
    # staff app; recipients do it on the document portal's pages.
    staff_app_url: str = setting("STAFF_APP_URL", default="http://127.0.0.1:8080/app")
    portal_base_url: str = setting("PORTAL_BASE_URL", default="http://127.0.0.1:8080/portal")
    # HMAC key the document portal signs email proofs with (recipient registration).
    recipient_proof_secret: str = setting(
        "RECIPIENT_PROOF_SECRET", default=local_secret("recipient-proof.secret")
    )
    # The staff pages under /app/ (identity/pages): their browser sessions are kept in
    # identity's database, sealed under this secret; the cookie holds a random id only.
    staff_session_secret: str = setting(
        "STAFF_SESSION_SECRET", default=local_secret("staff-session.secret")
    )
    # TOTP secrets are kept sealed (AES-GCM) under a key derived from this secret, so a
    # copy of the database alone cannot produce anyone's codes.
    second_factor_secret: str = setting(
        "SECOND_FACTOR_SECRET", default=local_secret("second-factor.secret")
    )
    staff_session_hours: float = setting("STAFF_SESSION_HOURS", default=12.0, parse=float)
    # Secure cookies: on whenever the pages are served over TLS.
    staff_cookie_secure: bool = setting("STAFF_COOKIE_SECURE", default=False, parse=parse_bool)
    # Audit's API, straight (not through the gateway): the User Manager's console shows a
    # profile's access report with the manager's own token.
    audit_url: str = setting("AUDIT_URL", default="http://127.0.0.1:8004")
