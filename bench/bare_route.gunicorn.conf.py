"""gunicorn settings of the cost bench's bare route: the services' own (servicekit's)."""

import os

from servicekit.gunicorn_defaults import *  # noqa: F403 - workers, threads, worker class

wsgi_app = "bare_route:create_app()"
pythonpath = os.path.dirname(os.path.abspath(__file__))
bind = [os.environ["BIND"]]
