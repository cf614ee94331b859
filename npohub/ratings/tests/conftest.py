import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def first_year_2023():
    """The platform judges annual-report years from 2023 on (the inspection gates)."""
    with override_settings(SUPERVISION_POLICY={"default": {"first_report_year": 2023}}):
        yield
