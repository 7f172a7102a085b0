"""What the audit use cases need from configuration, built once per config."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

from audit.adapters.keys import load_signer, verification_pems
from audit.adapters.signing import Ed25519Signer, Ed25519Verifier
from audit.adapters.witness_folder import FolderWitness
from audit.adapters.witness_s3 import S3Witness, witness_client
from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.service_layer.anchoring import AnchorSettings
from audit.service_layer.chain import ChainSettings, checkpoint_policy
from audit.service_layer.witness import Witness
from servicekit.config import load_config


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


def current_config() -> AuditConfig:
    return load_config(AuditConfig, "audit")


def anchor_settings(config: AuditConfig) -> AnchorSettings:
    signer = signer_for(config)  # first: a local key is made before its public half is read
    return AnchorSettings(signer, checkpoint_verifier(config), witness_for(config),
                          quiet=timedelta(seconds=config.checkpoint_seconds))
