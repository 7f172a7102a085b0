"""Where each part of the local stack listens: the shared contract's ports, in one place."""

from __future__ import annotations

from dataclasses import dataclass

HOST = "127.0.0.1"
GATEWAY_PORT = 8080
S3_PORT = 8333
SMTP_PORT = 1025


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    consumes: bool = False  # runs `<svc> consume` next to its API and relay
    # Its own long-running commands besides those, each run as `<svc> <worker>`.
    workers: tuple[str, ...] = ()

    @property
    def bind(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def gateway_prefix(self) -> str:
        return f"/api/{self.name}"


SERVICES = (
    # mail-worker: sends identity's mail outbox with backoff; queues notifications and digests.
    Service("identity", 8001, consumes=True, workers=("mail-worker",)),
    # billing-export: sends finalized notes to BILLING_EXPORT_URL, else LOCAL_DIR/billing-exports;
    # mail-worker: sends notes' mail outbox (treatment plan links) with backoff.
    Service("notes", 8002, consumes=True, workers=("billing-export", "mail-worker")),
    Service("docportal", 8003, consumes=True, workers=("mail-retry",)),
    # checkpoint-worker: signs quiet partitions and anchors checkpoints in LOCAL_DIR/audit-witness;
    # alert-push: mails alerts to the User Managers (the SMTP sink) and calls practices' webhooks.
    Service("audit", 8004, consumes=True, workers=("checkpoint-worker", "alert-push")),
)


def gateway_url() -> str:
    return f"http://{HOST}:{GATEWAY_PORT}"
