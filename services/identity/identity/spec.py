from pathlib import Path

from identity.adapters.tables import messaging
from identity.config import IdentityConfig
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="identity",
    config_class=IdentityConfig,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    issues_tokens=True,  # it checks revoked tokens against its own tables
)
