"""What the audit use cases need from configuration, built once per config."""

from __future__ import annotations

import functools

from audit.adapters.keys import load_signer
from audit.adapters.signing import Ed25519Signer, Ed25519Verifier
from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.service_layer.chain import ChainSettings, checkpoint_policy
from servicekit.config import load_config


@functools.cache
def signer_for(config: AuditConfig) -> Ed25519Signer:
    return load_signer(config.signing_key, config.local_dir)


def chain_settings(config: AuditConfig) -> ChainSettings:
    return ChainSettings(config.chain_partitions, signer_for(config),
                         checkpoint_policy(config.checkpoint_every))


def checkpoint_verifier(config: AuditConfig) -> Ed25519Verifier:
    return Ed25519Verifier([signer_for(config).public_key])


def vendor_of(config: AuditConfig) -> Vendor:
    return Vendor(config.vendor_name, frozenset({config.vendor_domain.strip().lower()}))


def current_config() -> AuditConfig:
    return load_config(AuditConfig, "audit")
