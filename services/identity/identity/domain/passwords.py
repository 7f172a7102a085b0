"""The password policy: long enough, not guessable, never forced to rotate.

Following NIST SP 800-63B: length matters, composition rules and forced rotation do not
(they push people to predictable patterns), and a password made of things an attacker
knows (the practice's name, the user's email, a common password) is refused.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from identity.domain.errors import PasswordRejected

MIN_LENGTH = 12
MAX_LENGTH = 128  # long enough for any passphrase, short enough to bound hashing work
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Shorter fragments would reject too much: "jo" appears in many good passphrases.
SHORTEST_FRAGMENT = 4


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problems(password: str, *, practice_name: str, email: str) -> list[str]:
    """Every reason the policy refuses ``password``, as short codes; empty if acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if password.casefold() in common_passwords():
        problems.append("common_password")
    flat = _letters_and_digits(password)
    if _contains(flat, practice_name):
        problems.append("contains_practice_name")
    local_part = email.strip().rpartition("@")[0]
    if _contains(flat, email) or _contains(flat, local_part):
        problems.append("contains_email")
    return problems


_EXPLANATIONS = {
    "too_short": f"use at least {MIN_LENGTH} characters (a few unrelated words work well)",
    "too_long": f"use at most {MAX_LENGTH} characters",
    "common_password": "it is on a list of commonly used passwords",
    "contains_practice_name": "leave out the practice's name",
    "contains_email": "leave out your email address and its name part",
}


def check_password(password: str, *, practice_name: str, email: str) -> None:
    """Raise PasswordRejected listing every problem, so the person fixes them all at once."""
    problems = password_problems(password, practice_name=practice_name, email=email)
    if problems:
        raise PasswordRejected(
            "Choose a different password: " + "; ".join(_EXPLANATIONS[p] for p in problems) + ".",
            {"reasons": problems, "min_length": MIN_LENGTH, "max_length": MAX_LENGTH},
        )


def _letters_and_digits(text: str) -> str:
    # "Bay-Side PT!" and "baysidept" are the same guess for an attacker.
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _contains(flat_password: str, known: str) -> bool:
    fragment = _letters_and_digits(known)
    if not fragment:
        return False
    if len(fragment) < SHORTEST_FRAGMENT:
        return flat_password == fragment
    return fragment in flat_password
