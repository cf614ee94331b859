"""Bounded values (issue 20, finding 1): every text and number of the hubs app stays within its
column whichever door it comes through (form, API, service); the database refuses the rest on
both engines, and a row SQLite already stored out of range is repaired by the migration."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction

from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.hubs import services
from npohub.hubs.models import (
    HEADCOUNT_MAX,
    FirstLineReview,
    PlatformVisit,
    ServicePlatform,
    StreetNeed,
)

from . import test_api
from .factories import DAY0
from .test_api import BASE, client_for, post, review

pytestmark = pytest.mark.django_db
world = test_api.world  # the fixture: a 历下区 platform hub with its staff and a member
HUGE = 10**12
LONG = "长" * 100_000


def test_every_text_and_number_of_the_hubs_models_has_a_database_bound():
    assert unbounded_fields("hubs") == []


def _platform(cast, world, regions) -> ServicePlatform:
    return services.platform_create(
        actor=cast["district"],
        data=services.PlatformInput(
            name="平台",
            level="district",
            region=regions["lixia"],
            operator=world["hub"],
            opened_on=DAY0,
            offerings=[],
        ),
    )


def _platform_body(world, **overrides):
    body = {
        "name": "历下区社会组织服务平台",
        "level": "district",
        "region_code": "370102",
        "operator_id": world["hub"].pk,
        "opened_on": "2024-03-01",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("field", "value"), [("area_sqm", HUGE), ("name", LONG), ("address", LONG)]
)
def test_the_api_refuses_a_platform_beyond_its_columns_naming_the_field(cast, world, field, value):
    events = AuditEvent.objects.count()
    response = post(
        client_for(cast["district"]), f"{BASE}/platforms", _platform_body(world, **{field: value})
    )
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not ServicePlatform.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize(("field", "value"), [("headcount", HUGE), ("visitor", LONG)])
def test_the_api_refuses_a_visit_beyond_its_columns_naming_the_field(
    cast, world, regions, field, value
):
    platform = _platform(cast, world, regions)
    body = {"visited_on": "2024-04-01", "visitor": "青岛市民政局", "headcount": 8, field: value}
    response = post(client_for(cast["hub"]), f"{BASE}/platforms/{platform.pk}/visits", body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not PlatformVisit.objects.exists()


def test_the_api_refuses_a_first_line_score_of_1e30_naming_the_field(cast, world):
    response = review(client_for(cast["hub"]), world["hub"], world["assoc"], score=1e30)
    assert response.status_code == 422, response.content
    assert "score" in json.dumps(response.json()["details"])
    assert not FirstLineReview.objects.exists()


def test_the_platform_form_refuses_a_trillion_square_metres_and_nothing_is_stored(cast, world):
    response = client_for(cast["district"]).post(
        "/hubs/platforms/new/",
        {
            "name": "历下区社会组织服务平台",
            "level": "district",
            "region": "370102",
            "operator": world["hub"].pk,
            "opened_on": "2024-03-01",
            "area_sqm": str(HUGE),
        },
    )
    assert response.status_code == 200
    assert "area_sqm" in response.context["form"].errors
    assert not ServicePlatform.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("headcount", str(HUGE)), ("visitor", LONG)])
def test_the_visit_form_refuses_values_beyond_the_columns_and_nothing_is_stored(
    cast, world, regions, field, value
):
    platform = _platform(cast, world, regions)
    data = {"visited_on": "2024-04-01", "visitor": "淄博市民政局", "headcount": "6", field: value}
    response = client_for(cast["hub"]).post(f"/hubs/platforms/{platform.pk}/visits/", data)
    assert response.status_code in (200, 302)
    assert not PlatformVisit.objects.exists()


def test_a_service_saving_a_100000_character_description_is_refused_naming_the_field(
    cast, world, regions
):
    platform = _platform(cast, world, regions)
    with pytest.raises(ValidationFailed) as info:
        services.platform_record_visit(
            actor=cast["hub"],
            platform=platform,
            visited_on=DAY0,
            visitor="青岛市民政局",
            headcount=HEADCOUNT_MAX + 1,
            purpose=LONG,
        )
    assert {"headcount", "purpose"} <= set(info.value.details)
    assert not PlatformVisit.objects.exists()


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (ServicePlatform, {"area_sqm": HUGE}),
        (ServicePlatform, {"incubated_count": HUGE}),
        (ServicePlatform, {"address": "路" * 301}),
        (PlatformVisit, {"headcount": 0}),
        (PlatformVisit, {"visitor": LONG}),
    ],
)
def test_the_database_refuses_an_out_of_range_value(cast, world, regions, model, values):
    platform = _platform(cast, world, regions)
    visit = PlatformVisit.objects.create(
        platform=platform, visited_on=DAY0, visitor="单位", headcount=3
    )
    pk = platform.pk if model is ServicePlatform else visit.pk
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


def test_the_database_refuses_a_street_list_text_beyond_its_column(regions):
    need = StreetNeed.objects.create(
        street=regions["jiefangqiao"], street_code=regions["jiefangqiao"].code, title="需要"
    )
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        StreetNeed.objects.filter(pk=need.pk).update(description=LONG)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, world, regions):
    platform = _platform(cast, world, regions)
    visit = PlatformVisit.objects.create(
        platform=platform, visited_on=DAY0, visitor="单位", headcount=3
    )
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE hubs_serviceplatform SET area_sqm = %s, project_count = %s, address = %s "
                "WHERE id = %s",
                [HUGE, HUGE, LONG, platform.pk],
            )
            cursor.execute("UPDATE hubs_platformvisit SET headcount = 0 WHERE id = %s", [visit.pk])
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.hubs.migrations.0003_bounded_values")
    migration.repair(django_apps, None)
    platform.refresh_from_db()
    visit.refresh_from_db()
    assert platform.area_sqm is None and platform.project_count == 1_000_000
    assert len(platform.address) == 300 and visit.headcount == 1
    assert Decimal(0) <= Decimal(platform.project_count)
