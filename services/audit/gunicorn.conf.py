"""gunicorn settings for the audit API: `gunicorn -c services/audit/gunicorn.conf.py`."""

import os

from servicekit.gunicorn_defaults import *  # noqa: F403 - workers, timeouts, metrics hooks

wsgi_app = "audit.app:create_app()"
bind = [os.environ.get("BIND", "127.0.0.1:8004")]
