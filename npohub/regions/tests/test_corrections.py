"""Correcting a community's urban/rural flag: who may, and what a denial leaves behind."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.regions.models import Region
from npohub.regions.permissions import can_correct_urban_rural, can_import_regions
from npohub.regions.services import region_correct_urban_rural


def flag(region: Region) -> tuple[str, str]:
    region.refresh_from_db()
    return region.urban_rural, region.urban_rural_source


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "community", "allowed"),
    [
        ("city", "c_jfq1", True),
        ("city", "c_ms_village", True),
        ("district", "c_jfq1", True),
        ("district", "c_ms_village", False),  # 章丘区 is not 历下区
        ("district_out", "c_ms_village", True),
        ("admin", "qd_comm", True),
        ("qingdao", "c_jfq1", False),  # another city's bureau
        ("qingdao", "qd_comm", True),
        ("street", "c_jfq1", False),  # street officers are not bureau staff
        ("community", "c_jfq1", False),
        ("hub", "c_jfq1", False),
        ("org_user", "c_jfq1", False),
        ("resident", "c_jfq1", False),
    ],
)
def test_bureau_staff_may_correct_communities_inside_their_region(
    cast, regions, who, community, allowed
):
    assert bool(can_correct_urban_rural(cast[who], regions[community])) is allowed


@pytest.mark.django_db
def test_anonymous_visitors_may_not_correct_anything(regions):
    decision = can_correct_urban_rural(AnonymousUser(), regions["c_jfq1"])
    assert not decision and decision.reason == "请先登录"


@pytest.mark.django_db
def test_only_communities_carry_an_urban_rural_flag(cast, regions):
    decision = can_correct_urban_rural(cast["city"], regions["jiefangqiao"])
    assert not decision and "社区/村" in decision.reason


@pytest.mark.django_db
def test_an_official_code_cannot_be_overridden_by_hand(cast, regions):
    village = regions["c_jfq1"]
    village.urban_rural_source = "official"
    village.urban_rural_code = "111"
    village.save()

    decision = can_correct_urban_rural(cast["city"], village)

    assert not decision and "官方" in decision.reason


@pytest.mark.django_db
def test_a_city_official_corrects_an_inferred_flag_and_it_is_audited(cast, regions):
    village = regions["c_jfq1"]
    assert flag(village) == ("urban", "inferred")

    region_correct_urban_rural(actor=cast["city"], region=village, urban_rural="rural")

    assert flag(village) == ("rural", "corrected")
    assert not village.needs_urban_rural_check
    event = AuditEvent.objects.get(kind="regions.urban_rural_corrected")
    assert event.actor == cast["city"]
    assert event.region_code == village.code
    assert event.payload == {
        "before": {"urban_rural": "urban", "source": "inferred"},
        "after": {"urban_rural": "rural", "source": "corrected"},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["street", "qingdao", "district_out"])
def test_a_refused_correction_changes_nothing(cast, regions, who):
    village = regions["c_jfq1"]

    with pytest.raises(PermissionDenied):
        region_correct_urban_rural(actor=cast[who], region=village, urban_rural="rural")

    assert flag(village) == ("urban", "inferred")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_correction_must_be_urban_or_rural(cast, regions):
    village = regions["c_jfq1"]

    with pytest.raises(ValidationFailed):
        region_correct_urban_rural(actor=cast["city"], region=village, urban_rural="unknown")

    assert flag(village) == ("urban", "inferred")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "allowed"), [("admin", True), ("city", False), ("street", False)])
def test_only_system_administrators_may_import_division_files(cast, who, allowed):
    assert bool(can_import_regions(cast[who])) is allowed
