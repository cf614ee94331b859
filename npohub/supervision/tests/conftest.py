from __future__ import annotations

import pytest
from django.test import override_settings


@pytest.fixture
def first_year_2023():
    """The platform judges report years from 2023 on (credit detector and eligibility)."""
    with override_settings(SUPERVISION_POLICY={"default": {"first_report_year": 2023}}):
        yield
