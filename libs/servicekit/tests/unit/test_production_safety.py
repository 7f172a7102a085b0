"""APP_ENV=production refuses local defaults, placeholders and missing secrets, naming each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from servicekit.config import ServiceConfig, load_config, local_secret, setting
from servicekit.production import UnsafeProductionConfig


@dataclass(frozen=True)
class ShopConfig(ServiceConfig):
    SECRETS = ("session_secret", "signing_key")

    session_secret: str = setting("SESSION_SECRET", default=local_secret("session.secret"))
    signing_key: str | None = setting("SIGNING_KEY", default=None)
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")


SAFE = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://shop:s3cr3t@db:5432/shop",
    "BUS_URL": "amqp://shop:s3cr3t@rabbitmq:5672/clinic",
    "SESSION_SECRET": "9f" * 32,
    "SIGNING_KEY": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END...",
    "SMTP_URL": "smtp+starttls://shop:s3cr3t@mail.example.com:587",
}


def problems(environ: dict[str, str], tmp_path) -> list[str]:
    with pytest.raises(UnsafeProductionConfig) as refused:
        load_config(ShopConfig, "shop", environ, local_dir=tmp_path)
    return refused.value.problems


def test_a_complete_production_config_starts(tmp_path):
    config = load_config(ShopConfig, "shop", SAFE, local_dir=tmp_path)
    assert config.app_env == "production"


def test_local_defaults_are_accepted_outside_production(tmp_path):
    config = load_config(ShopConfig, "shop", {}, local_dir=tmp_path)
    assert config.database_url.startswith("sqlite") and config.session_secret


def test_production_never_generates_a_missing_secret_and_names_it(tmp_path):
    env = {k: v for k, v in SAFE.items() if k not in {"SESSION_SECRET", "SIGNING_KEY"}}
    found = problems(env, tmp_path)
    assert [p.split()[0] for p in found] == ["SESSION_SECRET", "SIGNING_KEY"]
    assert not (tmp_path / "session.secret").exists()


@pytest.mark.parametrize("placeholder", ["CHANGE-ME", "changeme", "CHANGE-ME-64-hex-characters"])
def test_a_placeholder_secret_is_refused(tmp_path, placeholder):
    found = problems({**SAFE, "SESSION_SECRET": placeholder}, tmp_path)
    assert len(found) == 1 and found[0].startswith("SESSION_SECRET") and "placeholder" in found[0]


def test_a_placeholder_password_inside_a_url_is_refused(tmp_path):
    found = problems({**SAFE, "BUS_URL": "amqp://clinic:CHANGE-ME@rabbitmq:5672/clinic"},
                     tmp_path)
    assert len(found) == 1 and found[0].startswith("BUS_URL")


def test_sqlite_the_filesystem_bus_and_plain_smtp_are_each_named(tmp_path):
    env = {k: v for k, v in SAFE.items() if k not in {"DATABASE_URL", "BUS_URL", "SMTP_URL"}}
    found = problems(env, tmp_path)
    named = [p.split()[0] for p in found]
    assert named == ["SHOP_DATABASE_URL/DATABASE_URL", "BUS_URL", "SMTP_URL"]
    assert "SQLite" in found[0] and "filesystem" in found[1] and "TLS" in found[2]


def test_smtps_passes_and_the_error_lists_every_problem_at_once(tmp_path):
    load_config(ShopConfig, "shop", {**SAFE, "SMTP_URL": "smtps://u:p@mail:465"},
                local_dir=tmp_path)
    with pytest.raises(UnsafeProductionConfig) as refused:
        load_config(ShopConfig, "shop", {"APP_ENV": "production"}, local_dir=tmp_path)
    message = str(refused.value)
    for name in ("SESSION_SECRET", "SIGNING_KEY", "SHOP_DATABASE_URL", "BUS_URL", "SMTP_URL"):
        assert name in message
