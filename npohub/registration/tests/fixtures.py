"""Fixtures shared by the filing/activity-report tests of the pages and of the API: the filed
group's own account, the street federation, the street's delegation to it, and one report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.tests.factories import CommunityGroupFactory, grant
from npohub.registration import services


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def owner(orgs):
    """The account of the filed group 解放桥社区舞蹈队."""
    user = UserFactory(username="group_owner", role=Role.ORG_USER)
    grant(user, orgs["group"], "own")
    return user


@pytest.fixture
def federation(cast, regions):
    """A federation located in 解放路街道, worked for by the hub account."""
    org = CommunityGroupFactory(name="解放路街道社会组织联合会", community=regions["c_jfq2"])
    grant(cast["hub"], org, "hub_member")
    return org


@pytest.fixture
def delegation(cast, regions, federation):
    return services.filing_delegation_create(
        actor=cast["street"],
        street=regions["jiefangqiao"],
        federation=federation,
        valid_from=today() - dt.timedelta(days=10),
    )


@pytest.fixture
def report(cast, orgs):
    return services.activity_report_create(
        actor=cast["community"],
        org=orgs["group"],
        title="社区邻里节文艺汇演",
        starts_on=today() + dt.timedelta(days=7),
        location="解放桥社区广场",
        participants=300,
        description="安排志愿者维持秩序。",
    )
