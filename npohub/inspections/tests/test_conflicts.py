"""An inspector's conflicts (rule 37 回避) read the registry through the one check in
``orgs.conflicts``: officers at any time, the legal representative; declarations (withdrawable)
by the inspector or the bureau keeping the pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from npohub.inspections.permissions import can_declare_conflict
from npohub.inspections.services import conflicts_between
from npohub.orgs.models import Officer, OfficerPosition, Person

from .factories import pool, population

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_an_officer_who_left_long_ago_still_withdraws_and_so_does_the_legal_representative(
    regions,
):
    first, second = population(regions, 2)
    long_gone, representative, free = pool(regions, 3)
    long_gone.id_number = ID
    long_gone.save()
    person = Person.objects.create(name="前理事", id_number=ID)
    Officer.objects.create(
        organization=first,
        person=person,
        position=OfficerPosition.DIRECTOR,
        end_date=dt.date(2001, 1, 1),
    )
    representative.id_number = "370102198001011234"
    representative.save()
    second.legal_representative.id_number = representative.id_number
    second.legal_representative.save()
    found = conflicts_between([long_gone, representative, free], [first, second])
    assert found.of(long_gone.user_id, first.pk) == (
        "officer",
        f"{long_gone.user}曾在或正在该组织任职",
    )
    assert found.of(representative.user_id, second.pk) == (
        "legal_representative",
        f"{representative.user}是该组织的法定代表人",
    )
    assert found.of(free.user_id, first.pk) is None
    assert found.of(long_gone.user_id, second.pk) is None


def test_the_inspector_and_the_bureau_keeping_the_pool_declare_and_nobody_else(cast, regions):
    [entry] = pool(regions, 1)
    assert can_declare_conflict(entry.user, entry)
    assert can_declare_conflict(cast["district"], entry)
    assert can_declare_conflict(cast["city"], entry)
    for name in ("district_out", "street", "inspector", "org_user", "qingdao"):
        refused = can_declare_conflict(cast[name], entry)
        assert not refused and refused.reason == "只有检查人员本人或登记管理机关可以申报回避"
    refused = can_declare_conflict(AnonymousUser(), entry)
    assert not refused and refused.reason == "请先登录"
