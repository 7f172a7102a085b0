from dataclasses import dataclass

from audit.domain.retention import DEFAULT_RETENTION_YEARS, check_retention_years
from servicekit.config import ServiceConfig, parse_bool, setting

# gunicorn threads per API worker (gunicorn.conf.py reads the same variable and default).
DEFAULT_API_THREADS = 100


@dataclass(frozen=True)
class AuditConfig(ServiceConfig):
    SECRETS = ("signing_key", "mail_outbox_secret")

    # How many independent hash chains; fixed once records exist (it decides each org's chain).
    chain_partitions: int = setting("AUDIT_CHAIN_PARTITIONS", default=8, parse=int)
    # A signed checkpoint after this many records of a partition ...
    checkpoint_every: int = setting("AUDIT_CHECKPOINT_EVERY", default=1000, parse=int)
    # ... or after this many seconds while events flow; `audit checkpoint-worker` signs a
    # partition that went quiet once its newest checkpoint is this old.
    checkpoint_seconds: float = setting("AUDIT_CHECKPOINT_SECONDS", default=1.0, parse=float)
    # Ed25519 private key (PEM) for checkpoints; locally generated once under LOCAL_DIR.
    signing_key: str | None = setting("AUDIT_SIGNING_KEY", default=None)
    # Public keys (PEM, one after another) of earlier signing keys: their checkpoints still
    # verify after a rotation. The key id of each is the first 16 hex of its SHA-256.
    verify_keys: str | None = setting("AUDIT_VERIFY_KEYS", default=None)
    # The witness outside the database: a bucket of its own when AUDIT_WITNESS_BUCKET is set
    # (versioned, object-locked for AUDIT_WITNESS_LOCK_DAYS where the store supports it),
    # else an append-only folder (default LOCAL_DIR/audit-witness).
    witness_dir: str | None = setting("AUDIT_WITNESS_DIR", default=None)
    witness_bucket: str | None = setting("AUDIT_WITNESS_BUCKET", default=None)
    witness_endpoint_url: str | None = setting("AUDIT_WITNESS_ENDPOINT_URL", "S3_ENDPOINT_URL",
                                               default=None)
    witness_access_key: str | None = setting("AUDIT_WITNESS_ACCESS_KEY", "S3_ACCESS_KEY",
                                             default=None)
    witness_secret_key: str | None = setting("AUDIT_WITNESS_SECRET_KEY", "S3_SECRET_KEY",
                                             default=None)
    witness_region: str = setting("AUDIT_WITNESS_REGION", "S3_REGION", default="us-east-1")
    witness_lock_days: int = setting("AUDIT_WITNESS_LOCK_DAYS", default=2190, parse=int)
    # `audit checkpoint-worker`: how often it looks for heads to sign and anchor, how old an
    # unanchored record may be before verification calls it a missing checkpoint, and how
    # often it verifies the whole record (0: never; k8s runs `audit verify --alert` instead).
    anchor_poll_seconds: float = setting("AUDIT_ANCHOR_POLL_SECONDS", default=0.5, parse=float)
    anchor_grace_seconds: float = setting("AUDIT_ANCHOR_GRACE_SECONDS", default=120.0,
                                          parse=float)
    verify_every_seconds: float = setting("AUDIT_VERIFY_EVERY_SECONDS", default=3600.0,
                                          parse=float)
    vendor_name: str = setting("VENDOR_NAME", default="Clinic Platform")
    vendor_domain: str = setting("VENDOR_DOMAIN", default="clinicplatform.example")
    # Years a record is kept before any archival job may remove it; fewer than six is refused.
    retention_years: int = setting("AUDIT_RETENTION_YEARS", default=DEFAULT_RETENTION_YEARS,
                                   parse=int)
    # The security stream (GET /stream): how long one connection lives, how often it looks
    # for new records, how often it sends a keep-alive, and how long a hole in the positions
    # (a transaction still writing, or one rolled back) is waited for before moving past it.
    stream_max_seconds: float = setting("AUDIT_STREAM_MAX_SECONDS", default=300.0, parse=float)
    stream_poll_seconds: float = setting("AUDIT_STREAM_POLL_SECONDS", default=0.5, parse=float)
    stream_heartbeat_seconds: float = setting("AUDIT_STREAM_HEARTBEAT_SECONDS", default=15.0,
                                              parse=float)
    stream_gap_grace_seconds: float = setting("AUDIT_STREAM_GAP_GRACE_SECONDS", default=10.0,
                                              parse=float)
    # Open streams: at most this many per caller (a person or a service account), and never
    # more per worker than its threads less the reserved ones (health checks and every other
    # route always find a thread).
    stream_per_caller: int = setting("AUDIT_STREAM_PER_CALLER", default=5, parse=int)
    api_threads: int = setting("AUDIT_API_THREADS", default=DEFAULT_API_THREADS, parse=int)
    stream_reserved_threads: int = setting("AUDIT_STREAM_RESERVED_THREADS", default=10,
                                           parse=int)

    # Alert pushes (`audit alert-push`): mail to the practice's User Managers and the
    # practice's webhook. How often the worker looks for due deliveries, after how many failed
    # tries one is dead, how long one webhook call may take, where the mail links to, and
    # whether a webhook may be plain http:// (local and test receivers only).
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")
    mail_from: str = setting("MAIL_FROM",
                             default="Clinic Platform <no-reply@clinicplatform.example>")
    # A page a User Manager opens from the mail: the staff console's users, where the profile
    # the alert is about is flagged and can be audited (the JSON API is no page to land on).
    alerts_url: str = setting("AUDIT_ALERTS_URL",
                              default="http://127.0.0.1:8080/app/users")
    alert_push_poll_seconds: float = setting("AUDIT_ALERT_PUSH_POLL_SECONDS", default=0.1,
                                             parse=float)
    alert_push_max_attempts: int = setting("AUDIT_ALERT_PUSH_MAX_ATTEMPTS", default=8,
                                           parse=int)
    alert_push_timeout_seconds: float = setting("AUDIT_ALERT_PUSH_TIMEOUT_SECONDS",
                                                default=5.0, parse=float)
    webhook_allow_http: bool = setting("AUDIT_WEBHOOK_ALLOW_HTTP", default=False,
                                       parse=parse_bool)

    def __post_init__(self) -> None:
        # Refused at start-up (API, consumer, CLI alike) rather than obeyed later.
        if self.retention_years is not None:
            check_retention_years(self.retention_years)
