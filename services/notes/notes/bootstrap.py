"""Everything the notes API builds once from its config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from notes.adapters.pdf_renderer import ProcessPdfRenderer
from notes.adapters.pdf_store import s3_pdf_store
from notes.adapters.plan_mail import SmtpTreatmentPlanMailer
from notes.config import NotesConfig
from notes.domain.catalog import UserTypes, load_user_types
from notes.service_layer.note_exports import NotePdfSettings
from notes.service_layer.plan_sending import LinkSettings, PlanMailer
from servicekit.db import UnitOfWork
from servicekit.runtime import Runtime


@dataclass(frozen=True)
class Notes:
    config: NotesConfig
    runtime: Runtime
    user_types: UserTypes
    plan_mailer: PlanMailer
    plan_links: LinkSettings
    note_pdfs: NotePdfSettings

    def uow(self) -> UnitOfWork:
        return self.runtime.uow()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def bootstrap(config: NotesConfig, runtime: Runtime,
              note_pdfs: NotePdfSettings | None = None) -> Notes:
    return Notes(config=config, runtime=runtime, user_types=load_user_types(),
                 plan_mailer=SmtpTreatmentPlanMailer(config.smtp_url, config.mail_from),
                 plan_links=LinkSettings(config.plan_base_url, config.plan_link_days),
                 note_pdfs=note_pdfs or note_pdf_settings(config))


def note_pdf_settings(config: NotesConfig) -> NotePdfSettings:
    """PDFs kept in the configured S3 store, rendered in processes of their own."""
    return NotePdfSettings(store=s3_pdf_store(config),
                           render=ProcessPdfRenderer(config.note_pdf_render_processes))



def notes() -> Notes:
    """The Notes of the app serving the current request."""
    return current_app.extensions["notes"]
