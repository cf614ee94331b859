"""Public certificate verification (the QR code's page), registration announcements, and the
same as public API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.orgs.models import Organization, Status
from npohub.registration import services
from npohub.registration.models import Announcement, Certificate

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)
D1 = dt.date(2026, 6, 15)


@pytest.fixture
def cert(orgs):
    return services.certificate_issue(org=orgs["assoc"], app=None, today=D0)


def verify(client, token):
    return client.get(reverse("portal:certificate-verify", args=[token]))


def announce(org, kind, title, published_on, region):
    return Announcement.objects.create(
        kind=kind,
        organization=org,
        title=title,
        body=f"{org.name}（统一社会信用代码：{org.uscc}）经历下区民政局核准，予以公告。",
        published_on=published_on,
        authority_region=region,
    )


@pytest.fixture
def announcements(orgs, regions):
    return {
        "assoc": announce(
            orgs["assoc"], "establishment", "历下区养老服务协会成立登记公告", D0, regions["lixia"]
        ),
        "other": announce(
            orgs["other"], "change", "历下区书法协会变更登记公告", D1, regions["lixia"]
        ),
        "far": announce(
            orgs["far"], "deregistration", "章丘区文化艺术协会注销登记公告", D1, regions["zhangqiu"]
        ),
    }


# --- verification ------------------------------------------------------------------------------


def test_the_current_certificate_verifies_as_valid_for_anyone(client, cert, orgs):
    response = verify(client, cert.token)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in html
    assert "有效" in html
    assert "已作废" not in html
    assert orgs["assoc"].name in html
    assert orgs["assoc"].uscc in html
    assert "第 1 版" in html
    assert "2026年3月2日" in html


def test_a_voided_certificate_verifies_as_void_with_its_date_and_reason(client, cert, orgs):
    services.certificate_void(org=orgs["assoc"], today=D1, reason="注销登记")
    Organization.objects.filter(pk=orgs["assoc"].pk).update(
        status=Status.DEREGISTERED, status_changed_on=D1
    )

    response = verify(client, cert.token)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="void"' in html
    assert "已作废" in html
    assert "2026年6月15日" in html
    assert "注销登记" in html
    assert "该组织已注销（2026年6月15日），不得再以社会组织名义开展活动。" in html


def test_an_older_version_verifies_as_void_and_points_to_the_newer_one(client, cert, orgs):
    newer = services.certificate_issue(org=orgs["assoc"], app=None, today=D1)

    old = verify(client, cert.token).content.decode()
    new = verify(client, newer.token).content.decode()

    assert 'data-status="void"' in old
    assert "换发新证" in old
    assert "该组织已换发第 2 版证书（2026年6月15日发证），请以新证书为准。" in old
    assert newer.token not in old  # the new certificate's token is not handed out
    assert 'data-status="valid"' in new


def test_an_unknown_token_is_a_clear_not_found_page(client, cert):
    response = verify(client, "no-such-token")

    assert response.status_code == 404
    assert "未找到该证书" in response.content.decode()


def test_the_public_profile_links_the_current_certificate_and_lists_announcements(
    client, cert, orgs, announcements
):
    response = client.get(reverse("portal:organization", args=[orgs["assoc"].pk]))

    html = response.content.decode()
    assert reverse("portal:certificate-verify", args=[cert.token]) in html
    assert "历下区养老服务协会成立登记公告" in html
    assert reverse("portal:announcement-detail", args=[announcements["assoc"].pk]) in html
    assert "历下区书法协会变更登记公告" not in html


def test_a_profile_without_a_current_certificate_shows_no_verify_link(client, cert, orgs):
    services.certificate_void(org=orgs["assoc"], today=D1, reason="撤销登记")

    html = client.get(reverse("portal:organization", args=[orgs["assoc"].pk])).content.decode()

    assert "/verify/" not in html


# --- announcements -----------------------------------------------------------------------------


def test_the_announcement_list_is_public_newest_first(client, announcements):
    response = client.get(reverse("portal:announcement-list"))

    titles = [a.title for a in response.context["page"]]
    assert response.status_code == 200
    assert titles[-1] == "历下区养老服务协会成立登记公告"
    assert set(titles) == {a.title for a in announcements.values()}


def test_announcements_are_searched_by_title_or_uscc_prefix_and_filtered_by_kind(
    client, announcements, orgs
):
    def titles(**query):
        return {
            a.title for a in client.get(reverse("portal:announcement-list"), query).context["page"]
        }

    assert titles(q="书法") == {"历下区书法协会变更登记公告"}
    assert titles(q=orgs["far"].uscc.lower()) == {"章丘区文化艺术协会注销登记公告"}
    assert titles(kind="establishment") == {"历下区养老服务协会成立登记公告"}
    assert titles(q="协会", kind="change") == {"历下区书法协会变更登记公告"}
    assert len(titles(kind="no-such-kind")) == 3  # an invalid filter shows everything


def test_an_htmx_search_gets_only_the_results(client, announcements):
    response = client.get(
        reverse("portal:announcement-list"), {"q": "书法"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'id="announcement-results"' in html
    assert "<html" not in html


def test_the_announcement_list_is_paginated(client, orgs, regions):
    for n in range(25):
        announce(
            orgs["assoc"],
            "change",
            f"变更登记公告{n:02d}",
            D0 + dt.timedelta(days=n),
            regions["lixia"],
        )

    first = client.get(reverse("portal:announcement-list"))
    second = client.get(reverse("portal:announcement-list"), {"page": 2})

    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 5
    assert first.context["page"][0].title == "变更登记公告24"


def test_an_announcement_detail_shows_its_body_and_links_the_organisation(
    client, announcements, orgs
):
    response = client.get(reverse("portal:announcement-detail", args=[announcements["assoc"].pk]))
    missing = client.get(reverse("portal:announcement-detail", args=[999999]))

    html = response.content.decode()
    assert response.status_code == 200
    assert announcements["assoc"].body in html
    assert reverse("portal:organization", args=[orgs["assoc"].pk]) in html
    assert missing.status_code == 404


def test_the_portal_home_links_the_announcements(client, orgs):
    html = client.get(reverse("portal:home")).content.decode()

    assert reverse("portal:announcement-list") in html
    assert "登记公告" in html


# --- public API --------------------------------------------------------------------------------


def test_the_api_verifies_a_current_certificate(client, cert, orgs):
    response = client.get(f"/api/v1/public/certificates/{cert.token}")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "valid"
    assert body["number"] == cert.number
    assert body["version"] == 1
    assert body["voided_on"] is None
    assert body["content"]["name"] == orgs["assoc"].name
    assert body["content"]["uscc"] == orgs["assoc"].uscc


def test_the_api_says_void_with_date_and_reason(client, cert, orgs):
    services.certificate_issue(org=orgs["assoc"], app=None, today=D1)

    body = client.get(f"/api/v1/public/certificates/{cert.token}").json()

    assert body["status"] == "void"
    assert body["voided_on"] == "2026-06-15"
    assert body["void_reason"] == "换发新证"


def test_the_api_answers_404_for_an_unknown_token(client, cert):
    response = client.get("/api/v1/public/certificates/no-such-token")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Certificate.objects.count() == 1


def test_the_api_lists_announcements_with_search_kind_and_pages(client, announcements, orgs):
    everything = client.get("/api/v1/public/announcements").json()
    by_kind = client.get("/api/v1/public/announcements", {"kind": "deregistration"}).json()
    by_code = client.get("/api/v1/public/announcements", {"q": orgs["other"].uscc}).json()
    paged = client.get("/api/v1/public/announcements", {"page_size": 2}).json()
    bad = client.get("/api/v1/public/announcements", {"kind": "no-such-kind"})

    assert everything["count"] == 3
    first = everything["results"][0]
    assert {"id", "kind", "kind_label", "title", "body", "published_on", "uscc"} <= set(first)
    assert [a["title"] for a in by_kind["results"]] == ["章丘区文化艺术协会注销登记公告"]
    assert by_kind["results"][0]["organization_name"] == "章丘区文化艺术协会"
    assert [a["title"] for a in by_code["results"]] == ["历下区书法协会变更登记公告"]
    assert len(paged["results"]) == 2 and paged["next"]
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"
