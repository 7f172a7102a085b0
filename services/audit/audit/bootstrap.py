"""Everything the audit service builds once from its config: keys, witness, vendor, settings.

The API builds an ``Audit`` in ``create_app``; the CLI's workers and the consumer build the
pieces they need with the functions below, from the config their process was started with.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app

from audit.adapters.alert_mail import alert_mail_settings
from audit.adapters.keys import load_signer, verification_pems
from audit.adapters.signing import Ed25519Signer, Ed25519Verifier
from audit.adapters.webhook import WebhookSender
from audit.adapters.witness_folder import FolderWitness
from audit.adapters.witness_s3 import S3Witness, witness_client
from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.domain.stream_limits import StreamAllowance, streams_per_worker
from audit.service_layer.alert_push_worker import PushSettings
from audit.service_layer.anchoring import AnchorSettings
from audit.service_layer.chain import ChainSettings, checkpoint_policy
from audit.service_layer.verification import VerifySettings
from audit.service_layer.witness import Witness
from servicekit.config import load_config
from servicekit.db import UnitOfWork
from servicekit.mail import SmtpMailer
from servicekit.runtime import Runtime


@dataclass(frozen=True)
class Audit:
    config: AuditConfig
    runtime: Runtime
    streams: StreamAllowance
    # The streams this worker serves at once: its threads but the reserved ones.
    stream_threads: threading.Semaphore

    def uow(self) -> UnitOfWork:
        return self.runtime.uow()

    def verify_settings(self) -> VerifySettings:
        # Read at each verification: the local key's public half exists only once the
        # consumer made the key, which may be after this API started.
        return verify_settings(self.config)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def bootstrap(config: AuditConfig, runtime: Runtime) -> Audit:
    limit = streams_per_worker(config.api_threads, config.stream_reserved_threads)
    return Audit(config=config, runtime=runtime, streams=stream_allowance(config),
                 stream_threads=threading.BoundedSemaphore(limit))


def audit() -> Audit:
    """The Audit of the app serving the current request."""
    return current_app.extensions["audit"]



@functools.cache
def signer_for(config: AuditConfig) -> Ed25519Signer:
    return load_signer(config.signing_key, config.local_dir)


def chain_settings(config: AuditConfig) -> ChainSettings:
    return ChainSettings(config.chain_partitions, signer_for(config),
                         checkpoint_policy(config.checkpoint_every, config.checkpoint_seconds))


def checkpoint_verifier(config: AuditConfig) -> Ed25519Verifier:
    """The current key's public half (if this process has it) and AUDIT_VERIFY_KEYS."""
    return Ed25519Verifier.from_pems(
        verification_pems(config.signing_key, config.local_dir, config.verify_keys))


@functools.cache
def witness_for(config: AuditConfig) -> Witness:
    if config.witness_bucket:
        client = witness_client(config.witness_endpoint_url, config.witness_access_key,
                                config.witness_secret_key, config.witness_region)
        return S3Witness(client, config.witness_bucket, lock_days=config.witness_lock_days)
    return FolderWitness(Path(config.witness_dir or Path(config.local_dir) / "audit-witness"))


def vendor_of(config: AuditConfig) -> Vendor:
    return Vendor(config.vendor_name, frozenset({config.vendor_domain.strip().lower()}))


def verify_settings(config: AuditConfig) -> VerifySettings:
    return VerifySettings(checkpoint_verifier(config), witness_for(config),
                          config.chain_partitions,
                          timedelta(seconds=config.anchor_grace_seconds))


def anchor_settings(config: AuditConfig) -> AnchorSettings:
    signer = signer_for(config)  # first: a local key is made before its public half is read
    return AnchorSettings(signer, checkpoint_verifier(config), witness_for(config),
                          quiet=timedelta(seconds=config.checkpoint_seconds))


def push_settings(config: AuditConfig) -> PushSettings:
    return PushSettings(WebhookSender(config.alert_push_timeout_seconds),
                        SmtpMailer(config.smtp_url, config.mail_from, service="audit"),
                        alert_mail_settings(config), config.alert_push_max_attempts)


def stream_allowance(config: AuditConfig) -> StreamAllowance:
    return StreamAllowance(config.stream_per_caller,
                           timedelta(seconds=config.stream_heartbeat_seconds))


def consumer_config() -> AuditConfig:
    """The consumer's config: its process environment (servicekit hands a handler none)."""
    return load_config(AuditConfig, "audit")
