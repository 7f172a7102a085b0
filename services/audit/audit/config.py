from dataclasses import dataclass

from audit.domain.retention import DEFAULT_RETENTION_YEARS, check_retention_years
from servicekit.config import ServiceConfig, setting

# gunicorn threads per API worker (gunicorn.conf.py reads the same variable and default).
DEFAULT_API_THREADS = 100


@dataclass(frozen=True)
class AuditConfig(ServiceConfig):
    # How many independent hash chains; fixed once records exist (it decides each org's chain).
    chain_partitions: int = setting("AUDIT_CHAIN_PARTITIONS", default=8, parse=int)
    # A signed checkpoint after this many records of a partition (or 5 minutes).
    checkpoint_every: int = setting("AUDIT_CHECKPOINT_EVERY", default=1000, parse=int)
    # Ed25519 private key (PEM) for checkpoints; locally generated once under LOCAL_DIR.
    signing_key: str | None = setting("AUDIT_SIGNING_KEY", default=None)
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

    def __post_init__(self) -> None:
        # Refused at start-up (API, consumer, CLI alike) rather than obeyed later.
        if self.retention_years is not None:
            check_retention_years(self.retention_years)
