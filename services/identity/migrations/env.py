from alembic import context

from identity.adapters.tables import metadata
from identity.spec import SPEC
from servicekit.migrations import run_env

run_env(context, metadata, lambda: SPEC.load_config().database_url)
