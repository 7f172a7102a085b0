from pathlib import Path

from notes.adapters.tables import messaging
from notes.config import NotesConfig
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="notes",
    config_class=NotesConfig,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)
