"""gunicorn settings shared by every API: a service's gunicorn.conf.py star-imports these."""

import os
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

__all__ = [
    "accesslog", "child_exit", "control_socket_disable", "graceful_timeout", "keepalive",
    "limit_request_field_size", "limit_request_fields", "limit_request_line", "on_starting",
    "post_worker_init", "threads", "worker_class", "worker_tmp_dir", "workers",
]

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, not the sync worker: a request that waits (the database, the object store, another
# service's API, a render process) must not hold a whole worker while others queue behind it.
# Work that needs the CPU for long runs in processes of its own (notes' PDF renders). Why not
# gevent: docs/decisions.md §23. Audit raises the count for its streams (§15).
worker_class = "gthread"
threads = int(os.environ.get("API_THREADS", "8"))
# The gateway keeps idle connections to each API open for up to 60 s (nginx's upstream
# keepalive_timeout): gunicorn must not close them first, or a request sent on a connection
# it just closed is reset and the gateway answers 502 (a POST is never retried).
keepalive = int(os.environ.get("API_KEEPALIVE_SECONDS", "75"))
graceful_timeout = 30
accesslog = None  # the app writes its own JSON access log with the request id
# Heartbeat files on a RAM disk: a slow or full disk must not get healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Nothing uses gunicornc, and the default socket ($HOME/.gunicorn/gunicorn.ctl) is one path
# that every gunicorn on the machine would fight over.
control_socket_disable = True

# gunicorn answers a request it will not read with an HTML page of its own. The gateway refuses
# a request line or a header over 8 KB itself (large_client_header_buffers 4 8k, JSON or a
# portal page), so gunicorn's limits sit above whatever the gateway lets through: the longest
# line (8190, its maximum: nginx's 8 KB line, normalised), a header with the gateway's own
# X-Forwarded-For appended to the caller's, and as many headers as 32 KB can hold.
limit_request_line = 8190
limit_request_field_size = 16380
limit_request_fields = 10000

# Several workers share /metrics through prometheus_client's multiprocess files.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: "Arbiter") -> None:
    if _metrics_dir:  # samples of a previous run would be summed into this one's
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        os.makedirs(_metrics_dir, exist_ok=True)


def post_worker_init(worker: "Worker") -> None:
    from servicekit.gunicorn_errors import install

    install()  # gunicorn's own refusals in the platform's JSON shape


def child_exit(server: "Arbiter", worker: "Worker") -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
