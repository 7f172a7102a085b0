from alembic import context

from notes.adapters.tables import metadata
from notes.spec import SPEC
from servicekit.migrations import run_env

run_env(context, metadata, lambda: SPEC.load_config().database_url)
