"""The division pages: browse and correct, and the region picker fragment."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from npohub.core.models import AuditEvent

LIST = reverse("regions:region-list")
PICKER = reverse("regions:picker")


def correct_url(code: str) -> str:
    return reverse("regions:urban-rural-correct", args=[code])


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, regions):
    for url in (LIST, f"{PICKER}?parent=370102", correct_url("370102001002")):
        response = client.get(url) if url != correct_url("370102001002") else client.post(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_an_htmx_picker_request_without_a_session_redirects_the_whole_page(client, regions):
    response = client.get(f"{PICKER}?parent=370102", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert "/accounts/login/" in response["HX-Redirect"]


@pytest.mark.django_db
def test_the_list_shows_children_with_inferred_badges_and_breadcrumbs(client, cast, regions):
    client.force_login(cast["street"])

    response = client.get(LIST, {"parent": "370102001"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "解放桥社区居民委员会" in html and "历山路社区居民委员会" in html
    assert "badge-inferred" in html
    assert "济南市" in html  # breadcrumb
    assert "更正</button>" not in html  # a street officer gets no correction form


@pytest.mark.django_db
def test_bureau_staff_see_a_correction_form_on_communities_in_their_region(client, cast, regions):
    client.force_login(cast["district"])

    response = client.get(LIST, {"parent": "370102001"})

    assert correct_url("370102001002") in response.content.decode()


@pytest.mark.django_db
def test_the_list_searches_names_inside_the_current_unit(client, cast, regions):
    client.force_login(cast["city"])

    response = client.get(LIST, {"parent": "3701", "q": "社区"})

    html = response.content.decode()
    assert "千佛山社区居民委员会" in html and "八大关社区居民委员会" not in html


@pytest.mark.django_db
def test_an_unknown_parent_is_a_404(client, cast, regions):
    client.force_login(cast["city"])
    assert client.get(LIST, {"parent": "379999"}).status_code == 404


@pytest.mark.django_db
def test_the_list_page_takes_a_fixed_number_of_queries(
    client, cast, regions, django_assert_num_queries
):
    client.force_login(cast["city"])
    client.get(LIST, {"parent": "370102001"})
    with django_assert_num_queries(6):
        client.get(LIST, {"parent": "370102001"})


@pytest.mark.django_db
def test_a_bureau_official_corrects_a_flag_from_the_list_and_gets_the_row_back(
    client, cast, regions
):
    client.force_login(cast["city"])

    response = client.post(
        correct_url("370102001002"), {"urban_rural": "rural"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<tr") and "已更正" in html
    regions["c_jfq1"].refresh_from_db()
    assert regions["c_jfq1"].urban_rural_source == "corrected"
    assert "HX-Trigger" in response  # the flash message rides along for a toast


@pytest.mark.django_db
def test_a_street_officer_posting_a_correction_changes_nothing(client, cast, regions):
    client.force_login(cast["street"])

    response = client.post(correct_url("370102001002"), {"urban_rural": "rural"})

    assert response.status_code == 302
    regions["c_jfq1"].refresh_from_db()
    assert (regions["c_jfq1"].urban_rural, regions["c_jfq1"].urban_rural_source) == (
        "urban",
        "inferred",
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_picker_lists_children_that_drill_down_or_select(client, cast, regions):
    client.force_login(cast["community"])

    response = client.get(PICKER, {"parent": "370102", "target": "community"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "解放路街道" in html and "千佛山街道" in html
    assert "parent=370102001000" in html  # drill down
    assert "select=370102001000" in html  # choose
    assert 'hx-target="#region-picker-community"' in html


@pytest.mark.django_db
def test_the_picker_opens_at_the_current_value_and_stays_inside_its_root(client, cast, regions):
    client.force_login(cast["city"])

    opened = client.get(PICKER, {"current": "370102001002", "target": "c"}).content.decode()
    assert "历山路社区居民委员会" in opened

    rooted = client.get(PICKER, {"parent": "3702", "root": "3701", "target": "c"})
    html = rooted.content.decode()
    assert "历下区" in html and "市南区" not in html


@pytest.mark.django_db
def test_the_picker_searches_names_within_the_parent_subtree(client, cast, regions):
    client.force_login(cast["city"])

    response = client.get(PICKER, {"parent": "370102", "q": "社区", "target": "c", "list": "1"})

    html = response.content.decode()
    assert "千佛山社区居民委员会" in html and "八大关社区居民委员会" not in html
    assert "region-picker-panel" not in html  # only the list is swapped while typing


@pytest.mark.django_db
def test_choosing_a_unit_renders_the_picker_with_the_code_in_its_hidden_input(
    client, cast, regions
):
    client.force_login(cast["city"])

    response = client.get(PICKER, {"select": "370102001002", "target": "community"})

    html = response.content.decode()
    assert 'name="community"' in html and 'value="370102001002"' in html
    assert "解放桥社区居民委员会" in html
    assert json.loads(response["HX-Trigger"])["region-selected"]["code"] == "370102001002"


@pytest.mark.django_db
def test_the_picker_refuses_a_malformed_target(client, cast, regions):
    client.force_login(cast["city"])
    assert client.get(PICKER, {"target": '"><script>'}).status_code == 400


@pytest.mark.django_db
def test_the_picker_component_can_be_included_by_other_templates(cast, regions):
    from django.template import Context, Template

    html = Template(
        '{% load regions %}{% region_picker "community" "370102001002" root="3701" %}'
    ).render(Context({}))

    assert 'id="region-picker-community"' in html
    assert 'value="370102001002"' in html and "解放桥社区居民委员会" in html
