"""Second factors at rest: TOTP secrets sealed with AES-GCM, recovery code hashes,
enrollment tokens.

A secret is sealed under a key derived from SECOND_FACTOR_SECRET with the user id as
associated data, so a database copy cannot produce codes and a sealed secret moved onto
another user's row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import recovery_codes, second_factor_enrollments, second_factors
from identity.domain.second_factor import SecondFactor
from servicekit.db import rowcount

_PURPOSE = b"identity second factor v1"


class SecretSealer:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest())

    def seal(self, user_id: str, secret: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), user_id.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, user_id: str, sealed: str) -> str | None:
        raw = base64.urlsafe_b64decode(sealed.encode())
        try:
            return self._aead.decrypt(raw[:12], raw[12:], user_id.encode()).decode()
        except InvalidTag:
            return None


@dataclass(frozen=True)
class Enrollment:
    user_id: str
    account: str
    practice_id: str | None
    expires_at: datetime
    used_at: datetime | None


class SecondFactors:
    """The second-factor tables of one unit of work."""

    def __init__(self, session: Session, sealer: SecretSealer) -> None:
        self.session = session
        self.sealer = sealer

    def of(self, user_id: str, *, for_update: bool = False) -> SecondFactor | None:
        query = select(second_factors).where(second_factors.c.user_id == user_id)
        row = self.session.execute(
            query.with_for_update() if for_update else query).mappings().one_or_none()
        if row is None:
            return None
        secret = self.sealer.open(user_id, row["secret_sealed"])
        if secret is None:  # sealed under another secret: as good as none, enrol again
            return None
        return SecondFactor(user_id=user_id, secret=secret, enrolled_at=row["enrolled_at"],
                            last_used_step=row["last_used_step"],
                            wrong_codes=row["wrong_codes"], wrong_since=row["wrong_since"])

    def is_enrolled(self, user_id: str) -> bool:
        factor = self.of(user_id)
        return factor is not None and factor.enrolled

    def put(self, factor: SecondFactor) -> None:
        """Insert or replace the account's factor (a new enrollment replaces a pending one)."""
        self.remove(factor.user_id)
        self.session.execute(insert(second_factors).values(
            user_id=factor.user_id, secret_sealed=self.sealer.seal(factor.user_id, factor.secret),
            enrolled_at=factor.enrolled_at, last_used_step=factor.last_used_step,
            wrong_codes=factor.wrong_codes, wrong_since=factor.wrong_since))

    def save_state(self, factor: SecondFactor) -> None:
        self.session.execute(update(second_factors).where(
            second_factors.c.user_id == factor.user_id).values(
            enrolled_at=factor.enrolled_at, last_used_step=factor.last_used_step,
            wrong_codes=factor.wrong_codes, wrong_since=factor.wrong_since))

    def remove(self, user_id: str) -> None:
        self.session.execute(delete(second_factors).where(second_factors.c.user_id == user_id))
        self.session.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))

    # --- recovery codes ---------------------------------------------------------------

    def replace_recovery_codes(self, user_id: str, hashes: list[str]) -> None:
        self.session.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        self.session.execute(insert(recovery_codes), [
            {"code_hash": h, "user_id": user_id, "used_at": None} for h in hashes])

    def spend_recovery_code(self, user_id: str, code_hash: str, now: datetime) -> bool:
        spent = self.session.execute(update(recovery_codes).where(
            recovery_codes.c.user_id == user_id, recovery_codes.c.code_hash == code_hash,
            recovery_codes.c.used_at.is_(None)).values(used_at=now))
        return rowcount(spent) == 1

    def recovery_codes_left(self, user_id: str) -> int:
        return len(self.session.execute(select(recovery_codes.c.code_hash).where(
            recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
        )).all())

    # --- enrollment tokens ----------------------------------------------------------------

    def add_enrollment(self, token_hash: str, enrollment: Enrollment) -> None:
        self.session.execute(insert(second_factor_enrollments).values(
            token_hash=token_hash, user_id=enrollment.user_id, account=enrollment.account,
            practice_id=enrollment.practice_id, expires_at=enrollment.expires_at,
            used_at=None))

    def enrollment(self, token_hash: str) -> Enrollment | None:
        row = self.session.execute(select(second_factor_enrollments).where(
            second_factor_enrollments.c.token_hash == token_hash).with_for_update()
        ).mappings().one_or_none()
        if row is None:
            return None
        return Enrollment(user_id=row["user_id"], account=row["account"],
                          practice_id=row["practice_id"], expires_at=row["expires_at"],
                          used_at=row["used_at"])

    def spend_enrollments_of(self, user_id: str, now: datetime) -> None:
        self.session.execute(update(second_factor_enrollments).where(
            second_factor_enrollments.c.user_id == user_id,
            second_factor_enrollments.c.used_at.is_(None)).values(used_at=now))
