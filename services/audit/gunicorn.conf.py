"""gunicorn settings for the audit API: `gunicorn -c services/audit/gunicorn.conf.py`."""

import os

from audit.config import DEFAULT_API_THREADS
from servicekit.gunicorn_defaults import *  # noqa: F403 - workers, timeouts, metrics hooks

wsgi_app = "audit.app:create_app()"
bind = [os.environ.get("BIND", "127.0.0.1:8004")]
# Threads, not the sync worker: a security stream (GET /stream) holds its request for up to
# AUDIT_STREAM_MAX_SECONDS, and a sync worker busy that long misses its heartbeat and is
# killed after `timeout`. Each open stream takes one thread of one worker, so a worker has
# many (an idle thread is a sleeping stack, not CPU), and AUDIT_STREAM_RESERVED_THREADS of them
# are never given to streams: health checks and the other routes always find a thread. Why
# threads and not gevent: docs/decisions.md.
worker_class = "gthread"
threads = int(os.environ.get("AUDIT_API_THREADS", str(DEFAULT_API_THREADS)))
