"""Render the gateway's nginx config for the local stack and say how to start nginx on it.

The template is shared with compose, where the nginx image runs envsubst on it. To behave the
same, only our own ``${NAME}`` placeholders are replaced; nginx's ``$host`` and the like stay.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from topology import GATEWAY_PORT, HOST, SERVICES

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "nginx" / "templates" / "default.conf.template"
MAIN_CONF = REPO / "deploy" / "nginx" / "nginx.local.conf"

_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def upstream_variable(service: str) -> str:
    return f"{service.upper()}_UPSTREAM"


def local_gateway_values() -> dict[str, str]:
    """The placeholder values for the local stack: every upstream on its contract port."""
    values = {"GATEWAY_LISTEN": f"{HOST}:{GATEWAY_PORT}"}
    values.update({upstream_variable(s.name): s.bind for s in SERVICES})
    return values


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``${NAME}``; a placeholder without a value is an error, not an empty string."""
    missing = placeholders(template) - set(values)
    if missing:
        raise ValueError(f"no value for gateway placeholders: {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def write_gateway_config(nginx_dir: Path, values: Mapping[str, str]) -> Path:
    """Write nginx.conf and conf.d/default.conf under ``nginx_dir``; return nginx.conf's path."""
    (nginx_dir / "conf.d").mkdir(parents=True, exist_ok=True)
    (nginx_dir / "temp").mkdir(exist_ok=True)
    rendered = render(TEMPLATE.read_text(), values)
    (nginx_dir / "conf.d" / "default.conf").write_text(rendered)
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
