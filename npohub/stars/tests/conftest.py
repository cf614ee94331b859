"""Fixtures of the stars tests: a scoring hub over the shared cast."""

from __future__ import annotations

import pytest

from .factories import scoring_hub


@pytest.fixture
def world(cast, regions, orgs):
    """``cast["hub"]`` is staff of a current hub whose members are ``assoc`` and ``group``
    (``other`` is not a member)."""
    hub = scoring_hub(cast, regions, [orgs["assoc"], orgs["group"]])
    return {"hub": hub, **orgs}
