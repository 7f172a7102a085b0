from dataclasses import dataclass
from pathlib import Path

import pytest

from servicekit.config import ServiceConfig, load_config, parse_bool, setting


def test_local_defaults_need_no_server():
    config = load_config(ServiceConfig, "notes", environ={})
    assert config.database_url == "sqlite:///.local/notes.db"
    assert config.bus_url == "filesystem://"
    assert config.bus_dir == Path(".local/bus")
    assert config.bus_quorum_queues is False


def test_service_specific_database_url_wins_over_the_shared_one():
    env = {"NOTES_DATABASE_URL": "postgresql+psycopg://db/notes", "DATABASE_URL": "sqlite:///x"}
    assert load_config(ServiceConfig, "notes", environ=env).database_url.endswith("/notes")
    assert load_config(ServiceConfig, "audit", environ=env).database_url == "sqlite:///x"


def test_local_dir_moves_every_local_default():
    config = load_config(ServiceConfig, "audit", environ={"LOCAL_DIR": "/srv/clinic"})
    assert config.database_url == "sqlite:////srv/clinic/audit.db"
    assert config.bus_dir == Path("/srv/clinic/bus")


def test_typed_settings_are_parsed_and_bad_values_name_the_variable():
    env = {"BUS_QUORUM_QUEUES": "yes", "RELAY_BATCH_SIZE": "50"}
    config = load_config(ServiceConfig, "identity", environ=env)
    assert config.bus_quorum_queues is True and config.relay_batch_size == 50
    with pytest.raises(ValueError, match="RELAY_BATCH_SIZE"):
        load_config(ServiceConfig, "identity", environ={"RELAY_BATCH_SIZE": "many"})
    with pytest.raises(ValueError):
        parse_bool("maybe")


def test_a_service_adds_its_own_settings():
    @dataclass(frozen=True)
    class DocportalConfig(ServiceConfig):
        s3_bucket: str = setting("S3_BUCKET", default="clinic-documents")

    assert load_config(DocportalConfig, "docportal", environ={}).s3_bucket == "clinic-documents"
    env = {"S3_BUCKET": "b2"}
    assert load_config(DocportalConfig, "docportal", environ=env).s3_bucket == "b2"


def test_overrides_beat_the_environment():
    config = load_config(ServiceConfig, "audit", environ={"BUS_URL": "amqp://x"}, bus_url="y://")
    assert config.bus_url == "y://"
def test_a_local_secret_is_made_once_and_shared(tmp_path):
    from servicekit.config import local_secret

    first = local_secret("shared.secret")("identity", tmp_path)
    second = local_secret("shared.secret")("docportal", tmp_path)

    assert first == second and len(first) == 64
    assert (tmp_path / "shared.secret").stat().st_mode & 0o077 == 0
