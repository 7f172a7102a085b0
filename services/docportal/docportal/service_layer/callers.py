from dataclasses import dataclass

from docportal.domain.recipients import Account
from servicekit.messaging.envelope import Actor


@dataclass(frozen=True)
class Staff:
    """A signed-in member of one practice, as the use cases need them: its staff, or vendor
    staff under an access grant (``kind`` "vendor") on the routes that let them read."""

    user_id: str
    org_id: str
    email: str | None = None
    user_type: str | None = None
    kind: str = "staff"
    #: The token's permissions, for rules that depend on them (e.g. whose shares to list).
    permissions: frozenset[str] = frozenset()

    def actor(self) -> Actor:
        # The token's kind: a vendor's read is recorded as the vendor's, never as staff's.
        return Actor(id=self.user_id, email=self.email, kind=self.kind, user_type=self.user_type)


@dataclass(frozen=True)
class Recipient:
    """A signed-in recipient account: no practice, and the email address identity verified."""

    user_id: str
    email: str

    def account(self) -> Account:
        # Identity makes a recipient account only from a proof of its address.
        return Account(self.user_id, self.email, email_verified=True)

    def actor(self) -> Actor:
        return Actor(id=self.user_id, email=self.email, kind="recipient")
