"""English as the second language: domain messages, permission reasons and field labels."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import translation

from npohub.core.errors import NotFound
from npohub.orgs.forms import OrganizationFilterForm, OrganizationForm
from npohub.orgs.history_display import funds_label
from npohub.orgs.imports import COMMUNITY_GROUP, REGISTERED, header_aliases
from npohub.orgs.models import Kind
from npohub.orgs.permissions import can_list_organizations
from npohub.orgs.validation import (
    FIELD_HEADERS,
    FIELD_LABELS,
    OrganizationInput,
    _choice,
    clean_organization,
)
from npohub.regions.selectors import region_children


def test_a_domain_error_message_follows_the_interface_language():
    with translation.override("en"), pytest.raises(NotFound) as english:
        region_children("not-a-code")
    with translation.override("zh-hans"), pytest.raises(NotFound) as chinese:
        region_children("not-a-code")
    assert english.value.message == "Division not found"
    assert chinese.value.message == "区划不存在"
    assert english.value.code == chinese.value.code == "not_found"


def test_a_permission_reason_reads_in_english():
    with translation.override("en"):
        assert can_list_organizations(AnonymousUser()).reason == "Please sign in first"
    with translation.override("zh-hans"):
        assert can_list_organizations(AnonymousUser()).reason == "请先登录"


def test_field_labels_are_translated_but_import_headers_stay_chinese():
    with translation.override("en"):
        assert str(FIELD_LABELS["uscc"]) == "Unified social credit code (USCC)"
        assert str(FIELD_LABELS["registered_funds"]) == "Registered funds (CNY)"
        english_aliases = {k: header_aliases(k) for k in (REGISTERED, COMMUNITY_GROUP)}
    with translation.override("zh-hans"):
        assert str(FIELD_LABELS["uscc"]) == "统一社会信用代码"
        chinese_aliases = {k: header_aliases(k) for k in (REGISTERED, COMMUNITY_GROUP)}
    assert FIELD_HEADERS["uscc"] == "统一社会信用代码"
    assert english_aliases == chinese_aliases
    assert "统一社会信用代码" in english_aliases[REGISTERED]


@pytest.mark.django_db
def test_validation_messages_read_in_english_with_their_values_in_place():
    with translation.override("en"):
        _, errors = clean_organization(
            OrganizationInput(kind=Kind.COMMUNITY_GROUP, registration_date="not a date")
        )
    assert errors["name"] == "Name is required"
    assert errors["registration_date"] == (
        "Date “not a date” not recognised; please use the format 2024-03-01"
    )
    with translation.override("zh-hans"):
        _, errors = clean_organization(OrganizationInput(kind=Kind.COMMUNITY_GROUP))
    assert errors["name"] == "名称为必填项"


def test_choices_are_accepted_by_english_labels_and_by_the_chinese_of_the_templates():
    with translation.override("en"):
        assert _choice("Association", Kind) == Kind.ASSOCIATION
        assert _choice("Social service institution", Kind) == Kind.SOCIAL_SERVICE
        assert _choice("社会团体", Kind) == Kind.ASSOCIATION
        assert _choice("社会服务机构", Kind) == Kind.SOCIAL_SERVICE


def test_short_kind_and_funds_labels_work_in_english():
    with translation.override("en"):
        kinds = dict(OrganizationFilterForm(categories=[]).fields["kind"].choices)
        assert kinds[Kind.SOCIAL_SERVICE] == "Social service institution"
        assert funds_label(Kind.SOCIAL_SERVICE) == "Start-up funds"
    with translation.override("zh-hans"):
        kinds = dict(OrganizationFilterForm(categories=[]).fields["kind"].choices)
        assert kinds[Kind.SOCIAL_SERVICE] == "社会服务机构"
        assert funds_label(Kind.SOCIAL_SERVICE) == "开办资金"


@pytest.mark.django_db
def test_the_api_error_envelope_is_english_for_an_english_session():
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get("/api/v1/organizations/").json()
    assert body["code"] == "authentication_required"
    assert body["message"] == "Not signed in, or the token is invalid"


def test_an_english_session_sees_english_labels_and_errors_on_the_edit_page(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["district"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/orgs/{org.pk}/edit/").content.decode()
    assert "Unified social credit code (USCC)" in page
    assert "Operating funds (CNY)" in page

    data = {
        k: ("on" if v is True else "" if v in (None, False) else str(v))
        for k, v in OrganizationForm.initial_for(org, show_personal_data=True).items()
    }
    response = client.post(f"/orgs/{org.pk}/edit/", {**data, "purpose": ""})

    assert response.context["form"].errors["purpose"] == ["Purpose is required"]
    org.refresh_from_db()
    assert org.purpose == "服务社区"
