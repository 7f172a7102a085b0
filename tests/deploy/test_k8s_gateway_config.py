"""The k8s gateway: its template rendered with gateway-settings, as the nginx image's entrypoint
does, is a configuration the real nginx accepts (`nginx -t`), and it reaches the document store
as production must: an explicit port, TLS with SNI and a verified certificate, and a name that is
resolved when a download asks for it.

The API Services' names (identity-api, ...) and the cluster DNS's name resolve only in a cluster.
nginx resolves them once at start, so `nginx -t` runs in a mount namespace of its own whose
/etc/hosts maps them to 127.0.0.1: a test-only mapping; the rendered configuration is untouched.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gateway_config import MAIN_CONF, placeholders, render

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import nginx_binary  # noqa: E402


def _manifest_helpers():  # the manifests' reader
    path = Path(__file__).with_name("test_k8s_manifests.py")
    spec = importlib.util.spec_from_file_location("k8s_manifest_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_k8s = _manifest_helpers()
SETTINGS = _k8s.find("ConfigMap", "gateway-settings")["data"]
TEMPLATES = _k8s.find("ConfigMap", "gateway-templates")


def gateway_environment() -> dict[str, str]:
    """What envsubst in the nginx image replaces: the settings its filter lets through."""
    wanted = re.compile(SETTINGS["NGINX_ENVSUBST_FILTER"])
    return {name: value for name, value in SETTINGS.items() if wanted.fullmatch(name)}


def rendered_k8s_config() -> str:
    [template] = TEMPLATES["data"].values()
    environment = gateway_environment()
    assert placeholders(template) == set(environment), "the filter and the template disagree"
    return render(template, environment)


def in_cluster_names() -> set[str]:
    """The names the rendered config resolves at start: upstream servers and the resolver."""
    env = gateway_environment()
    names = {env[k].rsplit(":", 1)[0] for k in env if k.endswith("_UPSTREAM")}
    return names | set(env["GATEWAY_RESOLVER"].split())


def nginx_test(nginx_dir: Path, hosts: dict[str, str]) -> subprocess.CompletedProcess:
    """`nginx -t` on nginx_dir, seeing ``hosts`` as /etc/hosts (a private mount namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    hosts_file = nginx_dir / "hosts"
    hosts_file.write_text("".join(f"{ip} {name}\n" for name, ip in hosts.items()))
    flags = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    nginx = [nginx_binary(), "-t", "-p", f"{nginx_dir}/", "-c", str(nginx_dir / "nginx.conf"),
             "-g", "user root;"]
    script = 'mount --bind "$0" /etc/hosts && exec "$@"'
    return subprocess.run(["unshare", *flags, "sh", "-c", script, str(hosts_file), *nginx],
                          capture_output=True, text=True, timeout=60)


def write_config(nginx_dir: Path, conf: str) -> None:
    (nginx_dir / "conf.d").mkdir(parents=True)
    (nginx_dir / "temp").mkdir()
    (nginx_dir / "conf.d" / "default.conf").write_text(conf)
    shutil.copyfile(MAIN_CONF, nginx_dir / "nginx.conf")


def test_the_k8s_gateway_config_passes_nginx_t(tmp_path):
    write_config(tmp_path, rendered_k8s_config())
    result = nginx_test(tmp_path, {name: "127.0.0.1" for name in in_cluster_names()})
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_without_the_cluster_names_nginx_t_fails_so_the_mapping_is_what_lets_it_pass(tmp_path):
    write_config(tmp_path, rendered_k8s_config())
    result = nginx_test(tmp_path, {"localhost": "127.0.0.1"})
    assert result.returncode != 0
    assert "host not found" in result.stderr


def document_store_location(conf: str) -> str:
    return re.search(r"location ~ \^/_document_store/.*?\n    \}", conf, re.S).group(0)


def test_the_store_is_reached_over_tls_with_sni_a_checked_certificate_and_an_explicit_port():
    location = document_store_location(rendered_k8s_config())
    host = SETTINGS["DOCUMENT_STORE_HOST"]
    assert SETTINGS["DOCUMENT_STORE_SCHEME"] == "https"
    assert SETTINGS["DOCUMENT_STORE_ADDRESS"] == f"{host}:443"
    assert re.search(r"^\s+proxy_ssl_server_name on;", location, re.M)
    assert re.search(rf"^\s+proxy_ssl_name {re.escape(host)};", location, re.M)
    assert re.search(r"^\s+proxy_ssl_verify on;", location, re.M)
    assert re.search(r"^\s+proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
                     location, re.M)
    # The Host the URL was signed for (no port: https's default), not the connect address.
    assert re.search(rf"^\s+proxy_set_header Host {re.escape(host)};", location, re.M)


def test_the_store_name_is_resolved_at_request_time_through_the_cluster_dns():
    location = document_store_location(rendered_k8s_config())
    assert re.search(r"^\s+resolver kube-dns\.kube-system\.svc\.cluster\.local valid=\d+s",
                     location, re.M)
    variable = re.search(r"^\s+set (\$\w+) s3\.[\w.-]+:443;", location, re.M).group(1)
    # A variable in proxy_pass is what makes nginx resolve per request instead of at start.
    assert f"proxy_pass https://{variable}/" in location
    assert "upstream document_store" not in rendered_k8s_config()
