"""Everything docportal builds once from its config: storage, mail, identity, units of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from docportal.adapters.identity_client import HttpRecipientAccounts
from docportal.adapters.mailer import SmtpShareMailer
from docportal.adapters.storage import S3DocumentStorage, s3_client
from docportal.config import DocportalConfig
from docportal.domain.share_limits import ShareLimits
from docportal.service_layer.ports import DocumentStorage, RecipientAccounts, ShareMailer
from docportal.service_layer.shares import ShareMailSettings
from servicekit.db import UnitOfWork
from servicekit.runtime import Runtime


@dataclass(frozen=True)
class Docportal:
    config: DocportalConfig
    runtime: Runtime
    storage: DocumentStorage
    mailer: ShareMailer
    accounts: RecipientAccounts

    def uow(self) -> UnitOfWork:
        return self.runtime.uow()

    @property
    def mail(self) -> ShareMailSettings:
        return ShareMailSettings(self.mailer, self.config.portal_base_url, ShareLimits(
            per_sender=self.config.share_mails_per_sender,
            per_recipient=self.config.share_mails_per_recipient))

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def s3_storage(config: DocportalConfig) -> S3DocumentStorage:
    return S3DocumentStorage(s3_client(config), config.s3_bucket,
                             config.s3_server_side_encryption,
                             offload=config.download_offload == "x-accel")


def bootstrap(config: DocportalConfig, runtime: Runtime, *,
              storage: DocumentStorage | None = None, mailer: ShareMailer | None = None,
              accounts: RecipientAccounts | None = None) -> Docportal:
    return Docportal(
        config=config, runtime=runtime,
        storage=storage or s3_storage(config),
        mailer=mailer or SmtpShareMailer(config.smtp_url, config.mail_from),
        accounts=accounts or HttpRecipientAccounts(config.identity_url,
                                                   config.recipient_proof_secret),
    )


def docportal() -> Docportal:
    """The Docportal of the app serving the current request."""
    return current_app.extensions["docportal"]
