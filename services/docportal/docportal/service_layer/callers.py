from dataclasses import dataclass

from servicekit.messaging.envelope import Actor


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member of one practice, as the use cases need them."""

    user_id: str
    org_id: str
    email: str | None = None
    user_type: str | None = None

    def actor(self) -> Actor:
        return Actor(id=self.user_id, email=self.email, kind="staff", user_type=self.user_type)
