"""The local bus writes each message whole before any reader can see it."""

import json
import os

from servicekit.config import ServiceConfig, load_config
from servicekit.messaging.bus import connect


def test_a_message_appears_in_the_queue_folder_only_once_it_is_complete(tmp_path, monkeypatch):
    config = load_config(ServiceConfig, "kit", {}, local_dir=tmp_path)
    seen_while_writing: list[list[str]] = []
    real_rename = os.rename

    def rename(src, dst):  # what a reader listing the folder sees just before the rename
        seen_while_writing.append(sorted(os.listdir(os.path.dirname(dst))))
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with connect(config) as conn:
        channel = conn.channel()
        channel._put("kit.q", {"body": "x" * 10_000})
    queue_folder = config.bus_dir / "queue"
    [name] = [n for n in os.listdir(queue_folder) if n.endswith(".kit.q.msg")]
    assert json.loads((queue_folder / name).read_text())["body"] == "x" * 10_000
    assert all(not n.endswith(".msg") for n in seen_while_writing[0])  # only the draft
    assert not [n for n in os.listdir(queue_folder) if n.startswith(".draft-")]
