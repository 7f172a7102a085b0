"""The store's answer for one object is reused for a few seconds, then asked again."""

from docportal.adapters import storage
from docportal.adapters.storage import _RecentAnswers
from docportal.service_layer.ports import StoredObject


def answer(path: str) -> StoredObject:
    return StoredObject(10, iter(()), offload_path=path)


def test_an_answer_is_reused_until_it_is_seconds_old(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(storage.time, "monotonic", lambda: now[0])
    recent = _RecentAnswers(10.0, 8)
    recent.remember("org/doc", answer("/a"))

    now[0] = 109.9
    assert recent.get("org/doc").offload_path == "/a"
    now[0] = 110.0
    assert recent.get("org/doc") is None
    assert recent.get("org/other") is None


def test_a_reused_url_keeps_most_of_its_minute():
    assert storage.SIGNED_URL_SECONDS - storage.REUSE_SECONDS >= 50


def test_the_least_recently_used_answers_go_first_and_a_deleted_object_is_forgotten():
    recent = _RecentAnswers(10.0, 2)
    recent.remember("a", answer("/a"))
    recent.remember("b", answer("/b"))
    recent.get("a")
    recent.remember("c", answer("/c"))
    assert recent.get("b") is None and recent.get("a") is not None
    recent.forget("a")
    assert recent.get("a") is None and recent.get("c") is not None
