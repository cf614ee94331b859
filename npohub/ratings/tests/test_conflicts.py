"""An expert's conflicts (PG39 art. 19) read the registry through the one check in
``orgs.conflicts``: officers who left less than two years before, the legal representative;
declarations by the expert or the bureau keeping the pool. What the expert's entry shows is
``permissions.expert_view``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from npohub.core.errors import PermissionDenied
from npohub.orgs.models import Officer, OfficerPosition
from npohub.orgs.tests.factories import PersonFactory
from npohub.ratings import services
from npohub.ratings.models import ConflictDeclaration
from npohub.ratings.permissions import can_declare_conflict

from .factories import clean_org, expert

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
ON = dt.date(2025, 9, 1)


@pytest.fixture
def org(regions):
    return clean_org(regions, name="历下区养老互助协会")


def test_an_officer_who_left_two_years_or_more_before_is_no_longer_a_conflict(regions, org):
    person = PersonFactory(id_number=ID)
    Officer.objects.create(
        organization=org,
        person=person,
        position=OfficerPosition.SECRETARY_GENERAL,
        end_date=dt.date(2023, 9, 1),
    )
    e = expert(regions, "zhao", id_number=ID)
    assert services.conflicts_of(e, org, ON) == []
    [(code, text)] = services.conflicts_of(e, org, dt.date(2025, 8, 31))
    assert code == "officer" and text == "曾在该组织担任秘书长，离任未满2年"


def test_the_legal_representative_is_a_conflict_whenever_the_assessment_is(regions, org):
    org.legal_representative.id_number = ID
    org.legal_representative.save()
    e = expert(regions, "qian", id_number=ID)
    assert services.conflicts_of(e, org, ON) == [("legal_representative", "是该组织的法定代表人")]


def test_an_expert_without_an_id_number_has_no_registry_conflict(regions, org):
    org.legal_representative.id_number = ID
    org.legal_representative.save()
    assert services.conflicts_of(expert(regions, "sun"), org, ON) == []


def test_the_expert_and_the_city_bureau_declare_and_nobody_else(cast, regions, org):
    e = expert(regions, "li")
    assert can_declare_conflict(e.user, e)
    assert can_declare_conflict(cast["district"], e)  # a district of the pool's city
    for name in ("street", "org_user", "qingdao", "expert"):
        refused = can_declare_conflict(cast[name], e)
        assert not refused and refused.reason == "只有专家本人或民政部门可以申报回避", name
    with pytest.raises(PermissionDenied):
        services.conflict_declare(actor=cast["qingdao"], expert=e, organization=org, reason="亲属")
    assert not ConflictDeclaration.objects.exists()


def test_an_anonymous_caller_is_asked_to_sign_in(regions):
    """The shared rule answers 请先登录 for nobody signed in (this app said 只有专家本人…)."""
    refused = can_declare_conflict(AnonymousUser(), expert(regions, "zhou"))
    assert not refused and refused.reason == "请先登录"
