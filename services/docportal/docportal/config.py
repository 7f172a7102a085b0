from dataclasses import dataclass

from docportal.domain.share_limits import SHARES_PER_RECIPIENT, SHARES_PER_SENDER
from servicekit.config import ServiceConfig, local_secret, parse_bool, setting

MEGABYTE = 1024 * 1024


def parse_encryption(raw: str) -> str | None:
    """S3_SERVER_SIDE_ENCRYPTION: "AES256" asks the store to encrypt; "none" sends nothing."""
    value = raw.strip()
    if value.lower() in {"", "none", "off"}:
        return None
    if value not in {"AES256", "aws:kms"}:
        raise ValueError(f"expected AES256, aws:kms or none, got {raw!r}")
    return value


def parse_offload(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"none", "x-accel"}:
        raise ValueError(f"expected none or x-accel, got {raw!r}")
    return value


@dataclass(frozen=True)
class DocportalConfig(ServiceConfig):
    SECRETS = (
        "s3_access_key", "s3_secret_key", "recipient_proof_secret", "portal_session_secret",
        "mail_outbox_secret",
    )

    s3_endpoint_url: str | None = setting("S3_ENDPOINT_URL", default="http://127.0.0.1:8333")
    s3_bucket: str = setting("S3_BUCKET", default="clinic-documents")
    s3_access_key: str = setting("S3_ACCESS_KEY", default="clinic-local")
    s3_secret_key: str = setting("S3_SECRET_KEY", default="clinic-local-secret")
    s3_region: str = setting("S3_REGION", default="us-east-1")
    # Off by default: the local SeaweedFS has no keys to encrypt with; production sets AES256.
    s3_server_side_encryption: str | None = setting(
        "S3_SERVER_SIDE_ENCRYPTION", default=None, parse=parse_encryption
    )
    max_upload_bytes: int = setting("MAX_UPLOAD_BYTES", default=25 * MEGABYTE, parse=int)
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")
    mail_from: str = setting(
        "MAIL_FROM", default="Clinic Platform <no-reply@clinicplatform.example>"
    )
    portal_base_url: str = setting("PORTAL_BASE_URL", default="http://127.0.0.1:8080/portal")
    # The identity API, called server-side by the recipient pages (sign-in, registration,
    # password reset). Straight to the service, not through the gateway.
    identity_url: str = setting("IDENTITY_URL", default="http://127.0.0.1:8001")
    # The notes API, called with the staff member's own token for a finalized note's PDF.
    notes_url: str = setting("NOTES_URL", default="http://127.0.0.1:8002")
    # HMAC key for the email proofs this service gives identity (recipient registration).
    recipient_proof_secret: str = setting(
        "RECIPIENT_PROOF_SECRET", default=local_secret("recipient-proof.secret")
    )
    # Seals the recipient pages' server-side sessions (the key of each is derived from it).
    portal_session_secret: str = setting(
        "PORTAL_SESSION_SECRET", default=local_secret("portal-session.secret")
    )
    # "x-accel": behind the platform's nginx, a download is checked and recorded here and then
    # handed to the gateway as a 60-second signed URL (X-Accel-Redirect), so the bytes go
    # from the store to the client without passing through Python. "none": stream them here.
    download_offload: str = setting("DOWNLOAD_OFFLOAD", default="none", parse=parse_offload)
    # A recipient's browser session (kept server-side, servicekit.web.pages) ends this
    # long after it last changed; an active one changes whenever its access token is renewed.
    portal_session_hours: float = setting("PORTAL_SESSION_HOURS", default=12.0, parse=float)
    # Secure cookies: on whenever the portal is served over TLS.
    portal_cookie_secure: bool = setting("PORTAL_COOKIE_SECURE", default=False, parse=parse_bool)
    # How often `docportal mail-retry` looks for share emails due again (each share has its
    # own backoff of 1 to 30 minutes, so this only bounds how late a retry can be).
    mail_retry_poll_seconds: float = setting("MAIL_RETRY_POLL_SECONDS", default=15.0,
                                             parse=float)
    # Share mails a staff member may send in 10 minutes, and a practice to one address in an
    # hour (domain/share_limits.py); raise them only for load tests.
    share_mails_per_sender: int = setting("SHARE_MAILS_PER_SENDER",
                                          default=SHARES_PER_SENDER, parse=int)
    share_mails_per_recipient: int = setting("SHARE_MAILS_PER_RECIPIENT",
                                             default=SHARES_PER_RECIPIENT, parse=int)
