"""Fixtures shared by the registration tests."""

from __future__ import annotations

import pytest

from .factories import departments


@pytest.fixture
def depts(regions, cast, django_user_model):
    reviewers = {
        "approval": django_user_model.objects.create_user(
            "approver", password="x", role="reviewer"
        ),
        "party": django_user_model.objects.create_user("partyrev", password="x", role="reviewer"),
        "industry": django_user_model.objects.create_user(
            "industryrev", password="x", role="reviewer"
        ),
    }
    d = departments(regions, reviewers)
    d["users"] = reviewers  # type: ignore[assignment]
    return d
