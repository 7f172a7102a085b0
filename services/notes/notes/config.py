from dataclasses import dataclass
from pathlib import Path

from servicekit.config import ServiceConfig, setting


@dataclass(frozen=True)
class NotesConfig(ServiceConfig):
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
