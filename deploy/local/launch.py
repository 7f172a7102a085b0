"""Start the whole platform on this machine: `python deploy/local/launch.py [--real]`.

Prepares LOCAL_DIR (default ./.local), renders the gateway config, writes LOCAL_DIR/Procfile,
brings every service's database up to date, then hands over to honcho, which runs the
processes and stops them all on Ctrl-C. See docs/local-stack.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from gateway_config import local_gateway_values, write_gateway_config
from procfile import (
    private_tmp_prefix,
    procfile_entries,
    render_procfile,
    seaweedfs_identities,
)
from stack_env import database_variable, runs_local_s3, stack_defaults, stack_environment
from topology import SERVICES

REPO = Path(__file__).resolve().parents[2]
LOCAL_FOLDERS = ("nginx", "s3", "mail", "bus", "metrics", "tmp")


def parse_replicas(values: list[str]) -> dict[str, int]:
    """["notes-relay=2", "audit-consumer=3"] (or one comma-separated string) -> counts."""
    replicas: dict[str, int] = {}
    for item in ",".join(values).split(","):
        if not item.strip():
            continue
        name, _, count = item.partition("=")
        if not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(f"--replicas wants name=N with N >= 1, not {item!r}")
        replicas[name.strip()] = int(count)
    return replicas


def prepare_local_dir(local_dir: Path, env: Mapping[str, str]) -> None:
    for folder in LOCAL_FOLDERS:
        (local_dir / folder).mkdir(parents=True, exist_ok=True)
    write_gateway_config(local_dir / "nginx", local_gateway_values(env))
    if runs_local_s3(env):
        identities = local_dir / "s3-identities.json"
        identities.write_text(seaweedfs_identities(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"]))
        identities.chmod(0o600)  # it holds the secret key


def seaweedfs_private_tmp(local_dir: Path, env: Mapping[str, str]) -> list[str] | None:
    if not runs_local_s3(env):
        return None
    prefix = private_tmp_prefix(local_dir)
    if prefix is None:
        print(
            "launcher: this machine refuses mount namespaces (unshare --mount), so SeaweedFS "
            "keeps its gRPC sockets in /tmp, named by port: a second stack on these ports in "
            "another network namespace would delete them (docs/local-stack.md)",
            file=sys.stderr, flush=True,
        )
    return prefix


def prepare_real_servers(env: Mapping[str, str]) -> None:
    from real_servers import check_reachable, ensure_databases

    if env.get("BUS_URL", "").startswith("amqp"):
        check_reachable(env["BUS_URL"])
    urls = [env.get(database_variable(s.name)) or env.get("DATABASE_URL", "") for s in SERVICES]
    for name in ensure_databases(urls):
        print(f"launcher: created database {name}", flush=True)


def migrate(env: Mapping[str, str]) -> None:
    for service in SERVICES:
        print(f"launcher: {service.name} migrate", flush=True)
        subprocess.run([service.name, "migrate"], env=dict(env), cwd=REPO, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the clinic platform locally under honcho.")
    parser.add_argument(
        "--real", action="store_true", help="use this machine's PostgreSQL and RabbitMQ"
    )
    parser.add_argument(
        "--replicas",
        action="append",
        default=[],
        metavar="NAME=N",
        help="run N copies of a process, e.g. notes-relay=2 (repeatable)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="skip `<svc> migrate`")
    args = parser.parse_args(argv)
    replicas = parse_replicas(args.replicas)

    os.chdir(REPO)  # the Procfile's paths are relative to the repository root
    local_dir = (REPO / os.environ.get("LOCAL_DIR", ".local")).resolve()
    env = stack_environment(os.environ, stack_defaults(local_dir, real=args.real))
    env["LOCAL_DIR"] = str(local_dir)  # the same folder, spelled so every process agrees
    # Not a default: a TMPDIR of the caller's would put the stack's temporary files (and
    # SeaweedFS's logs, without a private /tmp) where another stack's are.
    env["TMPDIR"] = str(local_dir / "tmp")
    entries = procfile_entries(env, local_dir, replicas, seaweedfs_private_tmp(local_dir, env))
    unknown = set(replicas) - set(entries)
    if unknown:
        parser.error(f"no such process: {', '.join(sorted(unknown))} (have {', '.join(entries)})")

    prepare_local_dir(local_dir, env)
    procfile = local_dir / "Procfile"
    procfile.write_text(render_procfile(entries))
    try:
        if args.real:
            prepare_real_servers(env)
        if not args.no_migrate:
            migrate(env)
    except (ConnectionError, OSError, subprocess.CalledProcessError) as err:
        print(f"launcher: cannot start the stack: {err}", file=sys.stderr)
        return 1

    honcho = shutil.which("honcho", path=env["PATH"]) or "honcho"
    command = [honcho, "start", "-f", str(procfile), "-d", str(REPO)]
    if replicas:
        command += ["-c", ",".join(f"{name}={n}" for name, n in replicas.items())]
    # exec: Ctrl-C reaches honcho directly, which stops every process it started.
    os.execve(honcho, command, env)
    return 0  # unreachable


if __name__ == "__main__":
    sys.exit(main())
