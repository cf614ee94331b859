"""The credit lists' print pages: the listing decision (列入/移出 决定书) and the decision on an
objection or repair application open for exactly those who open their pages, hold the record's
own values and are headed by the organisation's registering authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.core.templatetags.npohub import cn_date
from npohub.credit.models import CreditRequest, Listing
from npohub.credit.services import (
    credit_evaluate,
    credit_request_file,
    credit_request_transition,
)

from .factories import fact

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _listing(org) -> Listing:
    fact(org, "warning", TODAY - dt.timedelta(days=10))
    credit_evaluate(on=TODAY)
    return Listing.objects.get(organization=org, removed_on__isnull=True)


def test_the_listing_decision_prints_for_exactly_those_who_open_the_credit_file(client, cast, orgs):
    listing = _listing(orgs["assoc"])
    url = reverse("credit:listing-print", args=[listing.pk])
    opened = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("credit:organization-credit", args=[orgs["assoc"].pk]))
        printed = client.get(url)
        assert printed.status_code == page.status_code, role
        if printed.status_code != 200:
            assert printed.status_code == 404, role
            continue
        opened.add(role)
        html = printed.content.decode()
        assert "列入活动异常名录决定书" in html and "历下区民政局" in html, role
        org = orgs["assoc"]
        assert org.name in html and org.uscc in html, role
        assert listing.reason in html and listing.legal_basis in html, role
        assert cn_date(listing.listed_on) in html and "提出异议" in html, role
        assert 'class="print-page"' in html and "npohub/print.css" in html, role
        assert url in page.content.decode(), role
    assert {"district", "city", "street", "org_user"} <= opened
    assert "qingdao" not in opened and "district_out" not in opened


def test_a_removed_listing_prints_as_the_removal_decision_with_its_date_and_reason(
    client, cast, orgs
):
    listing = _listing(orgs["assoc"])
    objection = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="列入有误"
    )
    credit_request_transition(
        actor=cast["district"], request=objection, transition="uphold", note="核实有误"
    )
    listing.refresh_from_db()
    assert listing.removed_on is not None
    client.force_login(cast["district"])
    html = client.get(reverse("credit:listing-print", args=[listing.pk])).content.decode()
    assert "移出活动异常名录决定书" in html and "列入活动异常名录决定书" not in html
    assert cn_date(listing.removed_on) in html and listing.removal_reason in html
    assert 'id="print-route"' not in html  # nothing left to object to


def test_the_request_decision_prints_for_exactly_those_who_open_the_request(client, cast, orgs):
    listing = _listing(orgs["assoc"])
    item = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="repair", reasons="已整改完毕"
    )
    credit_request_transition(
        actor=cast["district"], request=item, transition="reject", note="整改材料不全"
    )
    item.refresh_from_db()
    url = reverse("credit:request-print", args=[item.pk])
    opened = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("credit:request-detail", args=[item.pk]))
        printed = client.get(url)
        assert printed.status_code == page.status_code, role
        if printed.status_code != 200:
            assert printed.status_code == 404, role
            continue
        opened.add(role)
        html = printed.content.decode()
        assert "信用修复决定书" in html and "历下区民政局" in html, role
        assert orgs["assoc"].name in html and orgs["assoc"].uscc in html, role
        assert "已整改完毕" in html and "整改材料不全" in html and "不予支持" in html, role
        assert cn_date(item.decided_on) in html and listing.reason in html, role
        assert url in page.content.decode(), role
    assert {"district", "city", "org_user"} <= opened
    assert "qingdao" not in opened and "district_out" not in opened


def test_an_undecided_objection_prints_as_the_application_without_a_decision(client, cast, orgs):
    item = credit_request_file(
        actor=cast["org_user"], listing=_listing(orgs["assoc"]), kind="objection", reasons="有误"
    )
    client.force_login(cast["org_user"])
    html = client.get(reverse("credit:request-print", args=[item.pk])).content.decode()
    assert "异议申请书" in html and "异议处理决定书" not in html and "决定理由" not in html


def test_the_print_pages_send_anonymous_visitors_to_sign_in_and_404_missing_records(
    client, cast, orgs
):
    listing = _listing(orgs["assoc"])
    item = CreditRequest.objects.create(
        kind="objection",
        organization=orgs["assoc"],
        listing=listing,
        reasons="有误",
        filed_by=cast["org_user"],
        filed_on=TODAY,
    )
    for url in (
        reverse("credit:listing-print", args=[listing.pk]),
        reverse("credit:request-print", args=[item.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(cast["district"])
    assert client.get(reverse("credit:listing-print", args=[999999])).status_code == 404
    assert client.get(reverse("credit:request-print", args=[999999])).status_code == 404
    assert client.post(reverse("credit:listing-print", args=[listing.pk])).status_code == 405
