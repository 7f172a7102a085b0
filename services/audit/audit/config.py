from dataclasses import dataclass

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
