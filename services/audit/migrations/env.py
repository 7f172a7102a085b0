from alembic import context

from audit.adapters.tables import metadata
from audit.spec import SPEC
from servicekit.migrations import run_env

run_env(context, metadata, lambda: SPEC.load_config().database_url)
