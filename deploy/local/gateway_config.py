"""Render the gateway's nginx config for the local stack and say how to start nginx on it.

The template is shared with compose, where the nginx image runs envsubst on it. To behave the
same, only our own ``${NAME}`` placeholders are replaced; nginx's ``$host`` and the like stay.
TLS is optional: its include is rendered only when every ``GATEWAY_TLS_*`` value is given.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from topology import GATEWAY_PORT, HOST, S3_PORT, SERVICES

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx" / "templates" / "default.conf.template"
MAIN_CONF = REPO / "deploy" / "nginx" / "nginx.local.conf"
TLS_TEMPLATE = REPO / "deploy" / "nginx" / "tls" / "clinic-tls.inc.template"
#: The TLS include's placeholders: all set turns TLS on, none leaves it off, some is an error.
TLS_VARIABLES = ("GATEWAY_TLS_LISTEN", "GATEWAY_TLS_CERT", "GATEWAY_TLS_KEY")

DEFAULT_PORTS = {"http": 80, "https": 443}

_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def upstream_variable(service: str) -> str:
    return f"{service.upper()}_UPSTREAM"


def local_gateway_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The placeholder values for the local stack: every upstream on its contract port, and
    the ``GATEWAY_TLS_*`` values found in ``environ`` (default: this process's environment)."""
    environ = os.environ if environ is None else environ
    values = {"GATEWAY_LISTEN": f"{HOST}:{GATEWAY_PORT}"}
    values.update({upstream_variable(s.name): s.bind for s in SERVICES})
    values.update(document_store_values(environ.get("S3_ENDPOINT_URL")))
    values.update({name: environ[name] for name in TLS_VARIABLES if environ.get(name)})
    return values


def document_store_values(endpoint_url: str | None) -> dict[str, str]:
    """The store docportal signs its download URLs for (S3_ENDPOINT_URL, else the local one):
    the Host it signed, the address with its port written out, and the TLS name and trust."""
    parts = urlsplit(endpoint_url or f"http://{HOST}:{S3_PORT}")
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return {
        "DOCUMENT_STORE_HOST": parts.netloc,
        "DOCUMENT_STORE_ADDRESS": f"{host}:{port}",
        "DOCUMENT_STORE_SCHEME": parts.scheme,
        "DOCUMENT_STORE_TLS_NAME": parts.hostname,
        "GATEWAY_RESOLVER": system_resolver(),
        "GATEWAY_CA_BUNDLE": ca_bundle(),
    }


def system_resolver(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """This machine's first name server, which nginx asks for the store's address at run time."""
    try:
        lines = resolv_conf.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            address = fields[1].split("%", 1)[0]  # an IPv6 zone is not nginx's syntax
            return f"[{address}]" if ":" in address else address
    return HOST


def ca_bundle() -> str:
    """The CA bundle an https store's certificate is checked against: certifi's (installed with
    requests and boto3's dependencies), else the system's."""
    try:
        import certifi
    except ImportError:
        return "/etc/ssl/certs/ca-certificates.crt"
    return certifi.where()


def tls_enabled(values: Mapping[str, str]) -> bool:
    """Whether ``values`` turn TLS on; half a TLS setting is refused rather than ignored."""
    given = [name for name in TLS_VARIABLES if values.get(name)]
    if given and len(given) != len(TLS_VARIABLES):
        missing = sorted(set(TLS_VARIABLES) - set(given))
        raise ValueError(
            f"TLS needs every one of {', '.join(TLS_VARIABLES)}; missing: {', '.join(missing)}"
        )
    return bool(given)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``${NAME}``; a placeholder without a value is an error, not an empty string."""
    missing = placeholders(template) - set(values)
    if missing:
        raise ValueError(f"no value for gateway placeholders: {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def write_gateway_config(nginx_dir: Path, values: Mapping[str, str]) -> Path:
    """Write nginx.conf, conf.d/default.conf and, with TLS, conf.d/clinic-tls.inc under
    ``nginx_dir``; return nginx.conf's path."""
    conf_d = nginx_dir / "conf.d"
    conf_d.mkdir(parents=True, exist_ok=True)
    (nginx_dir / "temp").mkdir(exist_ok=True)
    (conf_d / "default.conf").write_text(render(TEMPLATE.read_text(), values))
    tls_include = conf_d / TLS_TEMPLATE.name.removesuffix(".template")
    if tls_enabled(values):
        tls_include.write_text(render(TLS_TEMPLATE.read_text(), values))
    else:
        # A run with TLS before this one must not leave its listener behind.
        tls_include.unlink(missing_ok=True)
    main = nginx_dir / "nginx.conf"
    shutil.copyfile(MAIN_CONF, main)
    return main


def nginx_arguments(nginx_dir: Path) -> list[str]:
    """nginx's flags for a config written by ``write_gateway_config`` (prefix = ``nginx_dir``)."""
    args = ["-p", f"{nginx_dir}/", "-c", str(nginx_dir / "nginx.conf")]
    if os.geteuid() == 0:
        # Run as root (containers, CI), nginx would drop its workers to "nobody", who may not
        # enter the checkout to reach the temp folders that large uploads are buffered in.
        args += ["-g", "user root;"]
    return args
