"""One view of a hub: the page and the API show the same parts (roster, staff names, first-line
reviews, notices) to every role, as ``hub_view`` says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from npohub.accounts.tests.factories import UserFactory
from npohub.hubs import services
from npohub.hubs.permissions import hub_view
from npohub.orgs.models import AccessReason, OrganizationAccess
from npohub.orgs.tests.factories import OrganizationFactory, grant

from .factories import DAY0, add_member, recognise

pytestmark = pytest.mark.django_db
API = "/api/v1/hubs"


@pytest.fixture
def hub(cast, regions, orgs):
    OrganizationAccess.objects.filter(user=cast["hub"], reason=AccessReason.HUB_MEMBER).delete()
    org = OrganizationFactory(name="历下区社会组织服务中心", community=regions["c_jfq2"])
    hub = recognise(cast["city"], org, region=regions["lixia"])
    services.hub_staff_add(actor=cast["city"], hub=hub, user=cast["hub"], valid_from=DAY0)
    helper = UserFactory(username="hub_helper_7", display_name="枢纽助理七号", role="hub_staff")
    services.hub_staff_add(actor=cast["city"], hub=hub, user=helper, valid_from=DAY0)
    add_member(cast["city"], hub, orgs["assoc"])
    services.hub_review_record(
        actor=cast["hub"],
        hub=hub,
        organization=orgs["assoc"],
        subject="registration.filing",
        subject_id="初审-42",
        opinion="pass",
    )
    services.hub_notice_send(actor=cast["hub"], hub=hub, title="年报提醒通知", body="请按时填报")
    grant(cast["party"], org, AccessReason.PARTY)  # the party officer's assignment
    return hub


def test_every_role_sees_the_same_parts_of_a_hub_on_the_page_and_in_the_api(cast, orgs, hub):
    membership = hub.memberships.get()
    checked = set()
    for role, user in cast.items():
        client = Client()
        client.force_login(user)
        page = client.get(reverse("hubs:hub-detail", args=[hub.pk]))
        api = client.get(f"{API}/hubs/{hub.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        checked.add(role)
        view = hub_view(user, hub)
        html = page.content.decode()
        staff = client.get(f"{API}/hubs/{hub.pk}/staff")
        assert (staff.status_code == 200) == view.sees_staff, role
        assert ("枢纽助理七号" in html) == view.sees_staff, role
        if view.sees_staff:
            assert "hub_helper_7" in [s["username"] for s in staff.json()], role
        reviews = client.get(f"{API}/hubs/{hub.pk}/reviews")
        review_page = client.get(reverse("hubs:member-review", args=[hub.pk, membership.pk]))
        assert (reviews.status_code == 200) == view.sees_reviews, role
        assert (review_page.status_code == 200) == view.sees_reviews, role
        assert ("初审-42" in review_page.content.decode()) == view.sees_reviews, role
        if view.sees_reviews:
            assert [r["subject_id"] for r in reviews.json()["results"]] == ["初审-42"], role
        notices = client.get(f"{API}/hubs/{hub.pk}/notices")
        assert (notices.status_code == 200) == view.sees_notices, role
        assert ("年报提醒通知" in html) == view.sees_notices, role
        members = client.get(f"{API}/hubs/{hub.pk}/members")
        assert (members.status_code == 200) == view.sees_roster, role
        assert (orgs["assoc"].name in html) == view.sees_roster, role
    # the bureaus of 历下区, its street and community, the hub's staff and the party officer
    assert {"admin", "city", "district", "street", "community", "hub", "party"} <= checked


def test_only_the_party_officer_is_kept_from_staff_names_reviews_and_notices(cast, hub):
    for role in ("admin", "city", "district", "street", "community", "hub"):
        view = hub_view(cast[role], hub)
        assert view.sees_staff and view.sees_reviews and view.sees_notices, role
    party = hub_view(cast["party"], hub)
    assert party.sees_roster
    assert not (party.sees_staff or party.sees_reviews or party.sees_notices)
    assert not (party.may_govern or party.may_keep_roster or party.may_act)
