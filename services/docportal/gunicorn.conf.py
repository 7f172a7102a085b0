"""gunicorn settings for the docportal API: `gunicorn -c services/docportal/gunicorn.conf.py`."""

import os

from servicekit.gunicorn_defaults import *  # noqa: F403 - workers, timeouts, metrics hooks

wsgi_app = "docportal.app:create_app()"
bind = [os.environ.get("BIND", "127.0.0.1:8003")]
