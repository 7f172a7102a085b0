from dataclasses import dataclass
from pathlib import Path

from servicekit.config import ServiceConfig, local_secret, parse_bool, setting


@dataclass(frozen=True)
class NotesConfig(ServiceConfig):
    SECRETS = ("plan_page_session_secret",)

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
