import json
import re

import pytest
from django.test import Client

from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent
from npohub.orgs.models import Organization, Person, Status
from npohub.orgs.tests.factories import PersonFactory, make_uscc

pytestmark = pytest.mark.django_db

BASE = "/api/v1/organizations/"


def bearer(user) -> Client:
    _, raw = api_token_create(actor=user, user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, data) -> object:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def assoc_payload(**overrides):
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
        "legal_representative_phone": "13812345678",
        "registered_funds": "30000",
        "registration_date": "2021-06-01",
    }
    values.update(overrides)
    return values


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


# --- authentication ------------------------------------------------------------------------


def test_a_bearer_token_lists_the_organisations_in_the_users_scope(cast, orgs):
    response = bearer(cast["district"]).get(BASE)
    assert response.status_code == 200
    assert names(response) == {"历下区养老服务协会", "解放桥社区舞蹈队", "历下区书法协会"}


def test_a_signed_in_browser_session_works_too(cast, orgs):
    response = session(cast["street"]).get(BASE)
    assert response.status_code == 200
    assert names(response) == {"历下区养老服务协会", "解放桥社区舞蹈队"}


def test_no_credentials_and_a_bad_token_both_answer_401_in_the_envelope(cast, orgs):
    assert_envelope(Client().get(BASE), 401, "authentication_required")
    bad = Client(HTTP_AUTHORIZATION="Bearer npo_not-a-real-token")
    assert_envelope(bad.get(BASE), 401, "authentication_required")


def test_a_session_post_without_the_csrf_token_is_refused_and_stores_nothing(cast, orgs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["district"])
    before = Organization.objects.count()
    response = send(client, "post", BASE, assoc_payload())
    assert response.status_code in (401, 403)
    assert Organization.objects.count() == before


# --- list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "city",
            {"历下区养老服务协会", "解放桥社区舞蹈队", "章丘区文化艺术协会", "历下区书法协会"},
        ),
        ("district_out", {"章丘区文化艺术协会"}),
        ("org_user", {"历下区养老服务协会"}),
        ("hub", {"历下区养老服务协会"}),
        ("inspector", set()),
        ("qingdao", {"青岛市南区志愿者协会"}),
    ],
)
def test_the_list_is_scoped_to_each_role(cast, orgs, role, expected):
    assert names(bearer(cast[role]).get(BASE)) == expected


def test_a_resident_has_no_organisation_list(cast, orgs):
    assert_envelope(bearer(cast["resident"]).get(BASE), 403, "permission_denied")


def test_a_two_character_chinese_search_finds_the_name(cast, orgs):
    response = bearer(cast["city"]).get(BASE, {"q": "书法"})
    assert names(response) == {"历下区书法协会"}


def test_a_pinyin_initials_search_finds_the_name(cast, orgs):
    client = bearer(cast["city"])
    assert send(client, "post", BASE, assoc_payload()).status_code == 201
    response = client.get(BASE, {"q": "lxqsq"})
    assert names(response) == {"历下区社区营造促进会"}


def test_filters_combine_with_the_scope(cast, orgs):
    client = bearer(cast["city"])
    assert names(client.get(BASE, {"kind": "community_group"})) == {"解放桥社区舞蹈队"}
    assert names(client.get(BASE, {"region": "370114"})) == {"章丘区文化艺术协会"}
    assert names(client.get(BASE, {"region": "370102002001"})) == {"历下区书法协会"}
    assert names(client.get(BASE, {"year": 2020, "kind": "association"})) == {
        "历下区养老服务协会",
        "章丘区文化艺术协会",
        "历下区书法协会",
    }
    assert names(client.get(BASE, {"year": 2019})) == set()


def test_a_malformed_region_code_is_a_422_naming_the_parameter(cast, orgs):
    body = assert_envelope(
        bearer(cast["city"]).get(BASE, {"region": "37x"}), 422, "validation_failed"
    )
    assert "region" in body["details"]


def test_pages_follow_limit_offset_and_page_page_size(cast, orgs):
    client = bearer(cast["city"])
    first = client.get(BASE, {"limit": 3, "order": "name"}).json()
    assert first["count"] == 4 and len(first["results"]) == 3
    assert "offset=3" in first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    paged = client.get(BASE, {"page": 2, "page_size": 2}).json()
    assert len(paged["results"]) == 2 and paged["next"] is None
    too_big = client.get(BASE, {"limit": 101})
    assert_envelope(too_big, 422, "validation_failed")


def test_the_list_runs_a_fixed_number_of_queries(cast, orgs, django_assert_max_num_queries):
    client = bearer(cast["city"])
    client.get(BASE)  # warm the token's last-used stamp
    with django_assert_max_num_queries(4):  # token, count, page (+ one savepoint on PG)
        assert client.get(BASE).status_code == 200


# --- detail --------------------------------------------------------------------------------


def test_an_organisation_outside_the_scope_looks_exactly_like_a_missing_one(cast, orgs):
    client = bearer(cast["district"])
    outside = client.get(f"{BASE}{orgs['far'].pk}")
    missing = client.get(f"{BASE}999999")
    assert_envelope(outside, 404, "not_found")
    assert outside.json() == missing.json()


def test_personal_data_is_masked_for_users_who_may_not_see_it(cast, orgs):
    person = orgs["assoc"].legal_representative
    person.id_number, person.phone = "11010519491231002X", "13812345678"
    person.save()
    shown = bearer(cast["district"]).get(f"{BASE}{orgs['assoc'].pk}").json()
    assert shown["legal_representative"]["id_number"] == "11010519491231002X"
    assert shown["personal_data_masked"] is False
    masked = bearer(cast["hub"]).get(f"{BASE}{orgs['assoc'].pk}").json()
    assert masked["legal_representative"] == {
        "name": person.name,
        "id_number": "110105********002X",
        "phone": "138****5678",
    }
    assert masked["personal_data_masked"] is True


# --- create --------------------------------------------------------------------------------


def test_a_district_bureau_creates_an_association_with_201(cast, regions):
    response = send(bearer(cast["district"]), "post", BASE, assoc_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert org.uscc == body["uscc"] and body["kind_label"] == "社会团体"
    assert AuditEvent.objects.filter(kind="orgs.organization_created").count() == 1


def test_a_bad_uscc_is_a_422_naming_the_wrong_part_and_nothing_is_stored(cast, regions):
    client = bearer(cast["district"])
    counts = (Organization.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    bad = assoc_payload(uscc=make_uscc("2", "370102", 5))  # category digit of a social service
    body = assert_envelope(send(client, "post", BASE, bad), 422, "validation_failed")
    assert "第2位" in body["details"]["uscc"]
    assert (
        Organization.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_a_wrong_type_is_a_422_naming_the_field(cast, regions):
    body = assert_envelope(
        send(bearer(cast["district"]), "post", BASE, assoc_payload(is_charity=[1, 2])),
        422,
        "validation_failed",
    )
    assert "is_charity" in body["details"]
    assert not Organization.objects.exists()


def test_an_unknown_field_is_refused(cast, regions):
    body = assert_envelope(
        send(bearer(cast["district"]), "post", BASE, assoc_payload(colour="red")),
        422,
        "validation_failed",
    )
    assert "colour" in body["details"]
    assert not Organization.objects.exists()


def test_a_duplicate_uscc_is_a_409_conflict(cast, regions):
    client = bearer(cast["district"])
    assert send(client, "post", BASE, assoc_payload()).status_code == 201
    events = AuditEvent.objects.count()
    body = assert_envelope(
        send(client, "post", BASE, assoc_payload(name="另一个协会")), 409, "duplicate"
    )
    assert "uscc" in body["details"]
    assert Organization.objects.count() == 1 and AuditEvent.objects.count() == events


def test_creating_outside_the_region_is_a_403_and_stores_nothing(cast, regions):
    client = bearer(cast["district_out"])
    events = AuditEvent.objects.count()
    response = send(client, "post", BASE, assoc_payload())
    assert_envelope(response, 403, "permission_denied")
    assert not Organization.objects.exists() and AuditEvent.objects.count() == events


# --- update --------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_keeps_history(cast, orgs):
    org = orgs["assoc"]
    client = bearer(cast["district"])
    response = send(client, "patch", f"{BASE}{org.pk}", {"address": "济南市历下区泉城路9号"})
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.address == "济南市历下区泉城路9号" and org.name == "历下区养老服务协会"
    history = client.get(f"{BASE}{org.pk}/history").json()
    assert [row["field"] for row in history["results"]] == ["address"]
    assert history["results"][0]["actor"] == str(cast["district"])


def test_put_replaces_the_record(cast, orgs):
    org = orgs["assoc"]
    payload = assoc_payload(uscc=org.uscc, name="历下区养老服务联合会")
    response = send(bearer(cast["district"]), "put", f"{BASE}{org.pk}", payload)
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.name == "历下区养老服务联合会"
    assert org.former_names[0]["name"] == "历下区养老服务协会"


def test_an_organisation_user_may_not_edit_and_nothing_changes(cast, orgs):
    org = orgs["assoc"]
    client = bearer(cast["org_user"])
    events = AuditEvent.objects.count()
    response = send(client, "patch", f"{BASE}{org.pk}", {"address": "别处"})
    assert_envelope(response, 403, "permission_denied")
    org.refresh_from_db()
    assert org.address == "济南市历下区解放路1号" and AuditEvent.objects.count() == events


# --- status and history --------------------------------------------------------------------


def test_an_illegal_status_transition_is_a_409_invalid_transition(cast, orgs):
    org = orgs["assoc"]
    client = bearer(cast["district"])
    url = f"{BASE}{org.pk}/status"
    assert send(client, "post", url, {"status": "revoked", "reason": "违法"}).status_code == 200
    events = AuditEvent.objects.count()
    body = assert_envelope(
        send(client, "post", url, {"status": "active", "reason": "恢复"}),
        409,
        "invalid_transition",
    )
    assert body["details"] == {"from": "revoked", "to": "active"}
    org.refresh_from_db()
    assert org.status == Status.REVOKED and AuditEvent.objects.count() == events


def test_as_of_a_date_shows_the_values_of_that_day(cast, orgs):
    org = orgs["assoc"]
    client = bearer(cast["district"])
    send(client, "patch", f"{BASE}{org.pk}", {"address": "新地址"})
    today = client.get(f"{BASE}{org.pk}/as-of", {"date": "2999-01-01"}).json()
    assert today["existed"] is True and today["values"]["address"] == "新地址"
    before = client.get(f"{BASE}{org.pk}/as-of", {"date": "2000-01-01"}).json()
    assert before == {"date": "2000-01-01", "existed": False, "values": None}
    bad = client.get(f"{BASE}{org.pk}/as-of", {"date": "yesterday"})
    assert "date" in assert_envelope(bad, 422, "validation_failed")["details"]


# --- public --------------------------------------------------------------------------------


def test_public_endpoints_need_no_sign_in_and_never_expose_personal_data(orgs):
    person = PersonFactory(name="李四", id_number="11010519491231002X", phone="13812345678")
    Organization.objects.filter(pk=orgs["assoc"].pk).update(legal_representative=person)
    client = Client()
    listing = client.get("/api/v1/public/organizations/", {"q": "养老"})
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["历下区养老服务协会"]
    detail = client.get(f"/api/v1/public/organizations/{orgs['assoc'].pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["legal_representative_name"] == "李四"
    for raw in (listing.content.decode(), detail.content.decode()):
        assert "11010519491231002X" not in raw and "1381234" not in raw
        assert "002X" not in raw and "phone" not in raw and "id_number" not in raw


def test_a_missing_public_organisation_is_a_404_envelope(db):
    assert_envelope(Client().get("/api/v1/public/organizations/999999"), 404, "not_found")


# --- documentation -------------------------------------------------------------------------


def test_the_openapi_schema_renders_with_every_operation(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    operations = {
        op["operationId"] for path in response.json()["paths"].values() for op in path.values()
    }
    assert {"organizations_list", "organizations_create", "public_organizations_detail"} <= (
        operations
    )


def test_the_docs_page_loads_scripts_and_styles_only_from_our_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    # Needs "ninja" in INSTALLED_APPS: without it django-ninja renders its CDN template.
    assert all(url.startswith("/static/") for url in assets), assets
