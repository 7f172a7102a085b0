"""Everything the identity API builds once from its config: catalog, keys, hashing, verifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from identity.adapters.access_tokens import AccessTokenIssuer
from identity.adapters.after_answer import AfterAnswer
from identity.adapters.mail import IdentityMailer, SmtpIdentityMailer
from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.second_factors import SecretSealer
from identity.adapters.signing_keys import SigningKeys, load_signing_keys
from identity.config import IdentityConfig
from identity.domain.catalog import UserTypeCatalog, load_catalog
from servicekit.auth import TokenVerifier
from servicekit.db import UnitOfWork
from servicekit.runtime import Runtime


@dataclass(frozen=True)
class Identity:
    config: IdentityConfig
    runtime: Runtime
    catalog: UserTypeCatalog
    keys: SigningKeys
    tokens: AccessTokenIssuer
    hashing: PasswordHashing
    mailer: IdentityMailer
    sealer: SecretSealer  # TOTP secrets at rest
    # Jobs run once the answer has left (the password reset mails).
    after_answer: AfterAnswer = field(default_factory=AfterAnswer)

    def uow(self) -> UnitOfWork:
        return self.runtime.uow()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def bootstrap(config: IdentityConfig, runtime: Runtime, keys: SigningKeys | None = None
              ) -> Identity:
    keys = keys or load_signing_keys(config.jwt_private_keys, config.local_dir)
    return Identity(
        config=config, runtime=runtime, catalog=load_catalog(), keys=keys,
        tokens=AccessTokenIssuer(keys, config.jwt_issuer, config.jwt_audience),
        hashing=PasswordHashing(),
        mailer=SmtpIdentityMailer(
            config.smtp_url, config.mail_from, staff_app_url=config.staff_app_url,
            portal_base_url=config.portal_base_url, vendor_name=config.vendor_name,
        ),
        sealer=SecretSealer(config.second_factor_secret),
    )


def own_token_verifier(config: IdentityConfig, keys: SigningKeys) -> TokenVerifier:
    """Checks our own tokens against our own keys: no HTTP round trip to ourselves."""
    return TokenVerifier(issuer=config.jwt_issuer, audience=config.jwt_audience,
                         jwks=keys.jwks(), algorithms=("EdDSA",))


def identity() -> Identity:
    """The Identity of the app serving the current request."""
    return current_app.extensions["identity"]
