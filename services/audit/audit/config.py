from dataclasses import dataclass

from audit.domain.retention import DEFAULT_RETENTION_YEARS, check_retention_years
from servicekit.config import ServiceConfig, setting


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

    def __post_init__(self) -> None:
        # Refused at start-up (API, consumer, CLI alike) rather than obeyed later.
        if self.retention_years is not None:
            check_retention_years(self.retention_years)
