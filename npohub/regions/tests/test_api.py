"""/api/v1/regions/: reference data for any signed-in user; corrections for bureau staff."""

from __future__ import annotations

import pytest

from npohub.core.models import AuditEvent

BASE = "/api/v1/regions/"


@pytest.mark.django_db
def test_anonymous_clients_get_the_401_envelope(client, regions):
    response = client.get(BASE)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"
    assert client.post(f"{BASE}370102001002/urban-rural", {}).status_code == 401


@pytest.mark.django_db
def test_any_signed_in_user_lists_the_children_of_a_unit(client, cast, regions):
    client.force_login(cast["resident"])

    response = client.get(BASE, {"parent": "370102001"})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [r["name"] for r in body["results"]] == ["解放桥社区居民委员会", "历山路社区居民委员会"]
    first = body["results"][0]
    assert first["parent_code"] == "370102001000"
    assert (first["urban_rural"], first["urban_rural_source"]) == ("urban", "inferred")
    assert first["level_label"] == "村级（社区/村）"


@pytest.mark.django_db
def test_the_list_searches_by_name_and_filters_by_level_with_limit_and_offset(
    client, cast, regions
):
    client.force_login(cast["org_user"])

    body = client.get(BASE, {"parent": "37", "q": "社区", "level": 5, "limit": 2}).json()

    assert body["count"] == 4
    assert len(body["results"]) == 2 and "offset=2" in body["next"]
    assert client.get(BASE, {"q": "社区", "level": 4}).json()["count"] == 0


@pytest.mark.django_db
def test_the_list_takes_a_fixed_number_of_queries(client, cast, regions, django_assert_num_queries):
    client.force_login(cast["city"])
    client.get(BASE, {"parent": "3701"})
    with django_assert_num_queries(5):
        client.get(BASE, {"parent": "3701"})


@pytest.mark.django_db
def test_a_unit_comes_with_its_path_from_the_province(client, cast, regions):
    client.force_login(cast["street"])

    body = client.get(f"{BASE}370102001002").json()

    assert body["name"] == "解放桥社区居民委员会"
    assert [p["code"] for p in body["path"]] == [
        "370000000000",
        "370100000000",
        "370102000000",
        "370102001000",
        "370102001002",
    ]


@pytest.mark.django_db
def test_an_unknown_or_malformed_code_is_the_404_envelope(client, cast, regions):
    client.force_login(cast["street"])

    for code in ("370102001999", "abc"):
        response = client.get(f"{BASE}{code}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get(BASE, {"parent": "379999"}).status_code == 404


@pytest.mark.django_db
def test_a_bureau_official_corrects_a_flag_through_the_api(client, cast, regions):
    client.force_login(cast["district"])

    response = client.post(
        f"{BASE}370102001002/urban-rural", {"urban_rural": "rural"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["urban_rural"], response.json()["urban_rural_source"]) == (
        "rural",
        "corrected",
    )
    assert AuditEvent.objects.filter(kind="regions.urban_rural_corrected").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["street", "qingdao"])
def test_a_refused_api_correction_is_a_403_and_changes_nothing(client, cast, regions, who):
    client.force_login(cast[who])

    response = client.post(
        f"{BASE}370102001002/urban-rural", {"urban_rural": "rural"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    regions["c_jfq1"].refresh_from_db()
    assert regions["c_jfq1"].urban_rural_source == "inferred"
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_correction_other_than_urban_or_rural_is_a_422(client, cast, regions):
    client.force_login(cast["city"])

    response = client.post(
        f"{BASE}370102001002/urban-rural",
        {"urban_rural": "unknown"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
