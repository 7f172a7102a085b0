from dataclasses import dataclass
from pathlib import Path

from servicekit.config import ServiceConfig, local_secret, parse_bool, setting


def parse_encryption(raw: str) -> str | None:
    """S3_SERVER_SIDE_ENCRYPTION: "AES256" asks the store to encrypt; "none" sends nothing."""
    value = raw.strip()
    if value.lower() in {"", "none", "off"}:
        return None
    if value not in {"AES256", "aws:kms"}:
        raise ValueError(f"expected AES256, aws:kms or none, got {raw!r}")
    return value


@dataclass(frozen=True)
class NotesConfig(ServiceConfig):
    SECRETS = ("plan_page_session_secret", "s3_access_key", "s3_secret_key",
               "mail_outbox_secret")

    # Billing exports (`notes billing-export`): finalized notes go to BILLING_EXPORT_URL as a
    # JSON POST (bearer BILLING_EXPORT_TOKEN, Idempotency-Key = export id); unset, each is
    # written as a file under BILLING_EXPORT_DIR (default LOCAL_DIR/billing-exports).
    billing_export_url: str | None = setting("BILLING_EXPORT_URL", default=None)
    billing_export_token: str | None = setting("BILLING_EXPORT_TOKEN", default=None)
    billing_export_dir: Path = setting("BILLING_EXPORT_DIR",
                                       default=lambda s, d: d / "billing-exports", parse=Path)
    # After this many failed sends an export is failed (listed by `notes billing-exports`).
    billing_export_max_attempts: int = setting("BILLING_EXPORT_MAX_ATTEMPTS", default=8,
                                               parse=int)
    billing_export_poll_seconds: float = setting("BILLING_EXPORT_POLL_SECONDS", default=0.5,
                                                 parse=float)
    billing_export_timeout_seconds: float = setting("BILLING_EXPORT_TIMEOUT_SECONDS",
                                                    default=10.0, parse=float)
    # Treatment plans: the mail to the patient (SMTP_URL, the local sink by default) links to
    # PLAN_BASE_URL/t/<token>, the patient page behind the gateway, for PLAN_LINK_DAYS days.
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")
    mail_from: str = setting("MAIL_FROM",
                             default="Clinic Platform <no-reply@clinicplatform.example>")
    plan_base_url: str = setting("PLAN_BASE_URL", default="http://127.0.0.1:8080/plan")
    plan_link_days: int = setting("PLAN_LINK_DAYS", default=14, parse=int)
    # Seals the patient pages' server-side sessions (servicekit.web.pages.store).
    plan_page_session_secret: str = setting(
        "PLAN_PAGE_SESSION_SECRET", default=local_secret("plan-page-session.secret"))
    plan_page_session_hours: float = setting("PLAN_PAGE_SESSION_HOURS", default=2.0,
                                             parse=float)
    # Secure cookies: on whenever the pages are served over TLS.
    plan_cookie_secure: bool = setting("PLAN_COOKIE_SECURE", default=False, parse=parse_bool)
    # Finalized notes' PDFs, rendered once per version and kept in object storage: the same
    # S3 settings as docportal (the local stack's SeaweedFS by default), under the key prefix
    # NOTE_PDF_PREFIX, so a deployment may give notes a bucket of its own or share one.
    s3_endpoint_url: str | None = setting("S3_ENDPOINT_URL", default="http://127.0.0.1:8333")
    s3_bucket: str = setting("S3_BUCKET", default="clinic-documents")
    s3_access_key: str = setting("S3_ACCESS_KEY", default="clinic-local")
    s3_secret_key: str = setting("S3_SECRET_KEY", default="clinic-local-secret")
    s3_region: str = setting("S3_REGION", default="us-east-1")
    s3_server_side_encryption: str | None = setting(
        "S3_SERVER_SIDE_ENCRYPTION", default=None, parse=parse_encryption)
    note_pdf_prefix: str = setting("NOTE_PDF_PREFIX", default="note-pdfs/")
    # Processes (per API worker) that render PDFs, at a lower CPU priority than the API, so a
    # render never holds the GIL of a process that serves requests. 0 renders in the request's
    # own thread (tests and tools only).
    note_pdf_render_processes: int = setting("NOTE_PDF_RENDER_PROCESSES", default=1, parse=int)
