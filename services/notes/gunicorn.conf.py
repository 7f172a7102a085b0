"""gunicorn settings for the notes API: `gunicorn -c services/notes/gunicorn.conf.py`."""

import os

from servicekit.gunicorn_defaults import *  # noqa: F403 - workers, timeouts, metrics hooks

wsgi_app = "notes.app:create_app()"
bind = [os.environ.get("BIND", "127.0.0.1:8002")]
