"""gunicorn settings shared by every API: a service's gunicorn.conf.py star-imports these."""

import os
import shutil

__all__ = [
    "accesslog", "child_exit", "control_socket_disable", "graceful_timeout", "on_starting",
    "worker_tmp_dir", "workers",
]

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
graceful_timeout = 30
accesslog = None  # the app writes its own JSON access log with the request id
# Heartbeat files on a RAM disk: a slow or full disk must not get healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Nothing uses gunicornc, and the default socket ($HOME/.gunicorn/gunicorn.ctl) is one path
# that every gunicorn on the machine would fight over.
control_socket_disable = True

# Several workers share /metrics through prometheus_client's multiprocess files.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):  # type: ignore[no-untyped-def]
    if _metrics_dir:  # samples of a previous run would be summed into this one's
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
