import pytest

from npohub.credit import registry


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch):
    """The engine's tests run without the detectors and checks other apps register."""
    monkeypatch.setattr(registry, "_DETECTORS", {})
    monkeypatch.setattr(registry, "_CHECKS", {})
