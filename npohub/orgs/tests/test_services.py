import datetime as dt

import pytest

from npohub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.orgs.models import FieldChange, Organization, OrgRollup, Status
from npohub.orgs.selectors import organization_as_of
from npohub.orgs.services import (
    organization_change_status,
    organization_create,
    organization_update,
)
from npohub.orgs.tests.factories import make_uscc
from npohub.orgs.validation import OrganizationInput

pytestmark = pytest.mark.django_db


def assoc_input(**overrides):
    values = {
        "kind": "association",
        "name": "历下区社区营造促进会",
        "uscc": make_uscc("1", "370102", 777),
        "category_code": "community_service",
        "authority_region_code": "370102",
        "community_code": "370102001002",
        "address": "济南市历下区解放路2号",
        "purpose": "促进社区营造",
        "business_scope": "社区服务、培训",
        "activity_area": "历下区",
        "legal_representative_name": "王芳",
        "legal_representative_id_number": "11010519491231002X",
        "registered_funds": "30000",
        "registration_date": "2021-06-01",
    }
    values.update(overrides)
    return OrganizationInput(**values)


def test_bureau_creates_an_association_with_audit_and_rollups(cast, regions):
    org = organization_create(actor=cast["district"], data=assoc_input())
    assert org.uscc.startswith("51370102")
    assert org.name_initials == "lxqsqyzcjh"
    event = AuditEvent.objects.get(kind="orgs.organization_created", target_id=str(org.pk))
    assert event.actor == cast["district"] and event.organization_id == org.pk
    counts = dict(
        OrgRollup.objects.filter(kind="association", status="active").values_list(
            "region_code", "count"
        )
    )
    assert (
        counts["370102001002"] == 1 and counts["370100000000"] == 1 and counts["370000000000"] == 1
    )


def test_a_wrong_uscc_category_is_refused_and_nothing_is_stored(cast, regions):
    bad = assoc_input(uscc=make_uscc("2", "370102", 5))
    with pytest.raises(ValidationFailed) as info:
        organization_create(actor=cast["district"], data=bad)
    assert "第2位" in info.value.details["uscc"]
    assert not Organization.objects.exists() and not AuditEvent.objects.exists()


def test_outside_the_region_the_bureau_is_denied(cast, regions):
    with pytest.raises(PermissionDenied):
        organization_create(actor=cast["district_out"], data=assoc_input())
    assert not Organization.objects.exists()


def test_duplicate_uscc_is_a_conflict(cast, regions):
    organization_create(actor=cast["city"], data=assoc_input())
    with pytest.raises(Conflict):
        organization_create(actor=cast["city"], data=assoc_input(name="另一个名字协会"))
    assert Organization.objects.count() == 1


def test_update_keeps_field_history_and_as_of_shows_old_values(cast, regions):
    org = organization_create(actor=cast["city"], data=assoc_input())
    before = org.updated_at
    organization_update(actor=cast["city"], org=org, data=assoc_input(name="历下区社区发展促进会"))
    org.refresh_from_db()
    assert org.former_names[0]["name"] == "历下区社区营造促进会"
    assert FieldChange.objects.filter(organization=org, field="name").count() == 1
    then = organization_as_of(org, before)
    assert then["name"] == "历下区社区营造促进会"


def test_status_lifecycle_is_enforced(cast, regions):
    org = organization_create(actor=cast["city"], data=assoc_input())
    organization_change_status(
        actor=cast["city"],
        org=org,
        status=Status.DEREGISTERED,
        reason="自行注销",
        effective_on=dt.date(2024, 1, 2),
    )
    with pytest.raises(InvalidTransition):
        organization_change_status(actor=cast["city"], org=org, status=Status.ACTIVE, reason="恢复")
    rollup = OrgRollup.objects.get(
        region_code="370100000000", kind="association", status="deregistered"
    )
    assert rollup.count == 1


def test_saving_an_unchanged_representative_without_id_creates_no_new_person(cast, regions):
    from npohub.orgs.models import Person

    org = organization_create(
        actor=cast["city"], data=assoc_input(legal_representative_id_number="")
    )
    people = Person.objects.count()
    organization_update(
        actor=cast["city"],
        org=org,
        data=assoc_input(legal_representative_id_number="", address="新住所"),
    )
    org.refresh_from_db()
    assert Person.objects.count() == people
    assert org.address == "新住所"


def test_the_single_fetch_scope_agrees_with_the_list_scope_for_every_user(cast, orgs):
    from npohub.orgs.selectors import organization_in_scope, organization_visible_to

    for user in cast.values():
        listed = set(organization_visible_to(user).values_list("pk", flat=True))
        for org in Organization.objects.select_related("authority_region"):
            assert organization_in_scope(user, org) == (org.pk in listed), (user.username, org.name)
