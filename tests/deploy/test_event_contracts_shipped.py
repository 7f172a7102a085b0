"""Each image carries the AsyncAPI documents of the producers whose events it consumes.

Consumers check incoming data against those documents (decision 29); an image without one
would let that producer's events through unchecked.
"""

import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "notes", "docportal", "audit")


def producers_consumed(service: str) -> set[str]:
    spec = importlib.import_module(f"{service}.spec").SPEC
    bindings = {b for sub in spec.subscriptions for b in sub.bindings}
    if any(b.startswith("#") for b in bindings):
        return set(SERVICES)
    return {b.split(".", 1)[0] for b in bindings}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_commits_its_document(service):
    assert (REPO / "services" / service / "asyncapi.json").is_file()


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_ships_the_documents_of_what_it_consumes(service):
    dockerfile = (REPO / "services" / service / "Dockerfile").read_text()
    shipped = set(re.findall(r"^COPY services/([a-z]+)/asyncapi\.json ", dockerfile, re.M))
    shipped.add(service)  # its own folder is copied whole
    assert producers_consumed(service) - shipped == set()
