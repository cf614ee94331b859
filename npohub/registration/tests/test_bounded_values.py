"""Bounded values (issue 20, finding 1): an activity report's head count and texts stay within
what their columns hold; the service refuses naming the field and the database refuses the
rest on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.registration import services
from npohub.registration.forms_filing import ActivityReportForm
from npohub.registration.models import PARTICIPANTS_MAX, ActivityReport

from .fixtures import report  # noqa: F401

pytestmark = pytest.mark.django_db


def _create(cast, orgs, **overrides):
    values = {
        "actor": cast["community"],
        "org": orgs["group"],
        "title": "社区邻里节文艺汇演",
        "starts_on": timezone.localdate() + dt.timedelta(days=7),
        "location": "解放桥社区广场",
        "participants": 300,
        "description": "安排志愿者维持秩序。",
    }
    values.update(overrides)
    return services.activity_report_create(**values)


@pytest.mark.parametrize(
    ("field", "value"),
    [("participants", 10**12), ("title", "节" * 201), ("location", "场" * 100_000)],
)
def test_an_activity_report_beyond_its_columns_is_refused_naming_the_field(
    cast, orgs, field, value
):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        _create(cast, orgs, **{field: value})
    assert field in info.value.details
    assert not ActivityReport.objects.exists() and AuditEvent.objects.count() == events


def test_the_activity_report_form_refuses_a_trillion_participants():
    form = ActivityReportForm(data={"participants": str(10**12)}, groups=[])
    form.is_valid()
    assert "participants" in form.errors


def test_the_database_refuses_out_of_range_participants_and_long_titles(report):  # noqa: F811
    for values in (
        {"participants": PARTICIPANTS_MAX + 1},
        {"participants": 0},
        {"title": "节" * 201},
    ):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            ActivityReport.objects.filter(pk=report.pk).update(**values)
