"""Where an attempt comes from: the client address the gateway forwards, and its browser.

Both are only ever as honest as the gateway in front of identity (it appends the address it
saw to X-Forwarded-For and identity trusts that one hop). They key throttling and go into
the audit record, so they are bounded: an address to the longest IPv6 text, a user agent
to a line a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass

LONGEST_ADDRESS = 64
LONGEST_USER_AGENT = 256
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Origin:
    address: str = UNKNOWN_ADDRESS
    user_agent: str = ""


def origin_of(address: str | None, user_agent: str | None) -> Origin:
    """An Origin from whatever the request carried, trimmed to sane lengths."""
    address = "".join(ch for ch in (address or "") if ch.isprintable()).strip()
    user_agent = " ".join("".join(ch if ch.isprintable() else " " for ch in
                                  (user_agent or "")).split())
    return Origin(address[:LONGEST_ADDRESS] or UNKNOWN_ADDRESS,
                  user_agent[:LONGEST_USER_AGENT])


UNKNOWN_ORIGIN = Origin()  # callers with no client in front (the CLI, tests)
