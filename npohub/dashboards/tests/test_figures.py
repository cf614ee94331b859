"""One definition per figure. 活动异常 on the dashboard is what the public 活动异常名录 lists
(the dashboard counted 450 organisations marked 活动异常 in the registry while the public list
showed 38), and the headline counts the registered organisations that still exist (it counted
deregistered ones too), the same figure as the portal's city total."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.credit.models import CreditList, CreditRule, Listing
from npohub.dashboards.selectors import region_dashboard_for
from npohub.orgs.models import Kind, Status
from npohub.orgs.tests.factories import OrganizationFactory

from .helpers import rebuild_rollups

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)


def _list(org, *, removed: bool = False) -> Listing:
    return Listing.objects.create(
        organization=org,
        credit_list=CreditList.ABNORMAL,
        rule=CreditRule.objects.filter(credit_list=CreditList.ABNORMAL).first(),
        reason="未按规定报送年度工作报告",
        legal_basis="《社会组织信用信息管理办法》第十四条",
        listed_on=DAY,
        clock_started_on=DAY,
        removed_on=DAY + dt.timedelta(days=30) if removed else None,
    )


@pytest.fixture
def registry(regions):
    r = regions
    org = OrganizationFactory
    listed = org(community=r["c_jfq1"])  # 正常 in the registry, on the list
    marked = org(community=r["c_jfq1"], status=Status.ABNORMAL)  # 活动异常 in the registry only
    suspended = org(community=r["c_jfq2"], kind=Kind.SOCIAL_SERVICE, status=Status.SUSPENDED)
    gone = org(community=r["c_jfq1"], status=Status.DEREGISTERED)
    gone_listed = org(community=r["c_jfq2"], status=Status.DEREGISTERED)
    removed = org(community=r["c_jfq2"])
    elsewhere = org(community=r["c_ms_village"], address="章丘区")
    for o in (listed, suspended, gone_listed, elsewhere):
        _list(o)
    _list(removed, removed=True)
    rebuild_rollups()
    return {"listed": listed, "marked": marked, "suspended": suspended, "gone": gone}


def test_abnormal_on_the_dashboard_is_what_the_public_abnormal_list_shows(client, cast, registry):
    public = client.get(reverse("portal:credit-abnormal"))
    on_public_list = public.context["page"].paginator.count

    city = region_dashboard_for(cast["city"])
    lixia = region_dashboard_for(cast["district"])

    assert on_public_list == 3  # listed, suspended (still exists), elsewhere
    assert city.counts.status_total(Status.ABNORMAL) == on_public_list
    assert lixia.counts.status_total(Status.ABNORMAL) == 2
    assert lixia.counts.get(Kind.ASSOCIATION, Status.ABNORMAL) == 1  # not the registry's mark
    street = {row.code: row.counts for row in lixia.children}["370102001000"]
    assert street.status_total(Status.ABNORMAL) == 2
    assert street.by_kind() == [5, 1, 0, 0]  # totals by kind do not move


def test_an_organisation_marked_abnormal_in_the_registry_but_not_listed_counts_as_normal(
    cast, registry
):
    counts = region_dashboard_for(cast["district"]).counts
    # listed, marked, removed (active) + the two deregistered, minus the listed one
    assert counts.get(Kind.ASSOCIATION, Status.ACTIVE) == 2
    assert counts.get(Kind.SOCIAL_SERVICE, Status.SUSPENDED) == 0
    assert counts.get(Kind.ASSOCIATION, Status.DEREGISTERED) == 2


def test_the_headline_counts_only_registered_organisations_that_still_exist(client, cast, registry):
    client.force_login(cast["city"])
    page = client.get(reverse("dashboards:region"))
    home = client.get(reverse("portal:home"))

    assert page.context["registered"] == "5"  # 7 registered, 2 deregistered
    assert "存续的登记社会组织" in page.content.decode()
    assert "含已注销" not in page.content.decode()
    assert home.context["totals"]["registered"] == 5
