from alembic import context

from docportal.adapters.tables import metadata
from docportal.spec import SPEC
from servicekit.migrations import run_env

run_env(context, metadata, lambda: SPEC.load_config().database_url)
