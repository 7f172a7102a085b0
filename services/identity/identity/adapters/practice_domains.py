"""Storing a practice's recognized email domains (read back by IdentityRepository.practice)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from identity.adapters.tables import practices


def save_recognized_domains(session: Session, practice_id: str, domains: frozenset[str]) -> None:
    session.execute(update(practices).where(practices.c.id == practice_id).values(
        recognized_domains=sorted(domains)))
