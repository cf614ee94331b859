from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.orgs.forms import OrganizationForm
from npohub.orgs.models import FieldChange, Kind, Organization, Status
from npohub.orgs.search import name_initials
from npohub.orgs.services import organization_change_status
from npohub.orgs.tests.factories import OrganizationFactory

LIST = "/orgs/"
ID_NUMBER = "11010519491231002X"


def names(response) -> set[str]:
    return {org.name for org in response.context["page_obj"]}


def detail(org) -> str:
    return f"/orgs/{org.pk}/"


def edit_data(org, **changes) -> dict[str, str]:
    initial = OrganizationForm.initial_for(org, show_personal_data=True)
    data = {
        k: ("on" if v is True else "" if v in (None, False) else str(v)) for k, v in initial.items()
    }
    data["registered_funds"] = str(org.registered_funds) if org.registered_funds else ""
    return {**data, **changes}


# --- list ----------------------------------------------------------------------------------


def test_street_officer_sees_only_organisations_in_its_street(client, cast, orgs):
    client.force_login(cast["street"])

    response = client.get(LIST)

    assert response.status_code == 200
    assert names(response) == {"历下区养老服务协会", "解放桥社区舞蹈队"}


def test_organisation_user_sees_only_its_own_organisation(client, cast, orgs):
    client.force_login(cast["org_user"])

    assert names(client.get(LIST)) == {"历下区养老服务协会"}


def test_city_bureau_sees_all_of_jinan_and_nothing_of_qingdao(client, cast, orgs):
    client.force_login(cast["city"])

    assert names(client.get(LIST)) == {
        "历下区养老服务协会",
        "解放桥社区舞蹈队",
        "章丘区文化艺术协会",
        "历下区书法协会",
    }


def test_residents_have_no_organisation_list(client, cast, orgs):
    client.force_login(cast["resident"])

    assert client.get(LIST).status_code == 404


def test_the_list_needs_a_signed_in_user(client, orgs):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": Kind.COMMUNITY_GROUP}, {"解放桥社区舞蹈队"}),
        ({"region": "370102002"}, {"历下区书法协会"}),
        ({"region": "370114000000"}, {"章丘区文化艺术协会"}),
        (
            {"level": "county", "kind": Kind.ASSOCIATION, "region": "370102"},
            {"历下区养老服务协会", "历下区书法协会"},
        ),
        ({"year": "2020", "region": "370114"}, {"章丘区文化艺术协会"}),
        ({"year": "2019"}, set()),
        ({"category": "volunteer", "region": "370114"}, {"章丘区文化艺术协会"}),
        ({"q": "养老"}, {"历下区养老服务协会"}),
        ({"q": "lxqsf"}, {"历下区书法协会"}),
    ],
)
def test_filters_and_search_narrow_the_list(client, cast, orgs, params, expected):
    for org in orgs.values():  # factories skip the service that fills in the pinyin initials
        Organization.objects.filter(pk=org.pk).update(name_initials=name_initials(org.name))
    client.force_login(cast["city"])

    assert names(client.get(LIST, params)) == expected


def test_search_by_uscc_prefix_finds_the_organisation(client, cast, orgs):
    client.force_login(cast["city"])
    uscc = orgs["far"].uscc

    assert names(client.get(LIST, {"q": uscc[:17]})) == {"章丘区文化艺术协会"}
    assert names(client.get(LIST, {"q": uscc.lower()})) == {"章丘区文化艺术协会"}


def test_status_filter_shows_only_that_status(client, cast, orgs):
    organization_change_status(
        actor=cast["city"], org=orgs["far"], status=Status.ABNORMAL, reason="未按时年检"
    )
    client.force_login(cast["city"])

    response = client.get(LIST, {"status": Status.ABNORMAL})

    assert names(response) == {"章丘区文化艺术协会"}
    assert "badge-abnormal" in response.content.decode()


def test_an_invalid_filter_is_ignored_with_a_notice(client, cast, orgs):
    client.force_login(cast["street"])

    response = client.get(LIST, {"year": "abc"})

    assert names(response) == {"历下区养老服务协会", "解放桥社区舞蹈队"}
    assert "部分筛选条件无效" in response.content.decode()


def test_htmx_request_gets_only_the_results_table(client, cast, orgs):
    client.force_login(cast["city"])

    response = client.get(LIST, {"q": "养老"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="org-filters"' not in body
    assert 'id="organization-table"' in body and "历下区养老服务协会" in body
    assert "HX-Request" in response["Vary"]


def test_htmx_results_refresh_the_export_button_with_the_current_filters(client, cast, orgs):
    client.force_login(cast["city"])

    response = client.get(LIST, {"kind": Kind.ASSOCIATION}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'id="export-button" data-export-form hx-swap-oob="true"' in body
    assert reverse("exports:start", args=["orgs.organizations"]) in body
    assert 'name="kind" value="association" data-export-filter' in body


def test_full_page_has_the_filter_form_wired_to_the_results(client, cast, orgs):
    client.force_login(cast["city"])

    body = client.get(LIST).content.decode()

    assert 'hx-target="#results"' in body and 'hx-push-url="true"' in body
    assert 'id="organization-table"' in body


def test_the_list_is_paged_by_twenty(client, cast, regions):
    OrganizationFactory.create_batch(25, community=regions["c_jfq1"])
    client.force_login(cast["city"])

    first = client.get(LIST)
    second = client.get(LIST, {"page": "2"})

    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert "共 25 条" in first.content.decode()


def test_new_organisation_button_only_for_those_who_may_create(client, cast, orgs):
    client.force_login(cast["district"])
    bureau = client.get(LIST).content.decode()
    client.force_login(cast["hub"])
    hub = client.get(LIST).content.decode()

    assert "新增组织" in bureau
    assert "新增组织" not in hub


def test_the_list_page_query_count_does_not_grow_with_rows(
    client, cast, regions, django_assert_num_queries
):
    OrganizationFactory.create_batch(25, community=regions["c_jfq1"])
    client.force_login(cast["city"])

    # session, user, the user's region (page heading and region filter), the units under it
    # (the region filter's first select), categories (filter form), count, and one page of
    # organisations with their category and community
    with django_assert_num_queries(7):
        response = client.get(LIST, {"kind": Kind.ASSOCIATION})

    assert len(response.context["page_obj"]) == 20


# --- detail --------------------------------------------------------------------------------


def test_detail_of_an_organisation_outside_scope_is_not_found(client, cast, orgs):
    client.force_login(cast["street"])

    assert client.get(detail(orgs["far"])).status_code == 404
    assert client.get(detail(orgs["assoc"])).status_code == 200


def test_detail_of_a_missing_organisation_is_not_found(client, cast, orgs):
    client.force_login(cast["city"])

    assert client.get("/orgs/999999/").status_code == 404


def test_detail_shows_registry_fields_with_the_label_for_its_kind(client, cast, orgs):
    client.force_login(cast["city"])

    body = client.get(detail(orgs["assoc"])).content.decode()

    assert "历下区养老服务协会" in body
    assert orgs["assoc"].uscc in body
    assert "活动资金" in body and "3.00万元" in body
    assert "2020年5月1日" in body


def _with_id_number(org):
    person = org.legal_representative
    person.id_number, person.phone = ID_NUMBER, "13812345678"
    person.save()


def test_id_number_is_masked_for_hub_staff(client, cast, orgs):
    _with_id_number(orgs["assoc"])
    client.force_login(cast["hub"])

    body = client.get(detail(orgs["assoc"])).content.decode()

    assert ID_NUMBER not in body and "13812345678" not in body
    assert "110105********002X" in body and "138****5678" in body


def test_id_number_is_shown_in_full_to_the_bureau(client, cast, orgs):
    _with_id_number(orgs["assoc"])
    client.force_login(cast["district"])

    body = client.get(detail(orgs["assoc"])).content.decode()

    assert ID_NUMBER in body and "13812345678" in body


def test_detail_page_query_count_is_fixed(client, cast, orgs, django_assert_num_queries):
    client.force_login(cast["city"])

    # session, user, organisation with its relations, whether a certificate is current,
    # officers with persons
    with django_assert_num_queries(5):
        response = client.get(detail(orgs["assoc"]))

    assert response.status_code == 200


def test_edit_and_status_actions_show_only_when_permitted(client, cast, orgs):
    client.force_login(cast["district"])
    bureau = client.get(detail(orgs["assoc"])).content.decode()
    client.force_login(cast["hub"])
    hub = client.get(detail(orgs["assoc"])).content.decode()

    assert f"/orgs/{orgs['assoc'].pk}/edit/" in bureau and "变更状态" in bureau
    assert "/edit/" not in hub and f"/orgs/{orgs['assoc'].pk}/status/" not in hub


# --- edit and history ----------------------------------------------------------------------


def test_edit_by_the_bureau_saves_and_writes_history(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["district"])

    response = client.post(f"/orgs/{org.pk}/edit/", edit_data(org, address="济南市历下区泉城路9号"))

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.address == "济南市历下区泉城路9号"
    change = FieldChange.objects.get(organization=org, field="address")
    assert change.old_value == "济南市历下区解放路1号"
    history = client.get(detail(org), {"tab": "history"}).content.decode()
    assert "济南市历下区泉城路9号" in history and "住所" in history
    assert cast["district"].display_name in history


def test_edit_with_a_bad_uscc_shows_the_validators_message_and_changes_nothing(client, cast, orgs):
    org = orgs["assoc"]
    bad = org.uscc[:17] + ("0" if org.uscc[17] != "0" else "1")
    client.force_login(cast["district"])

    response = client.post(
        f"/orgs/{org.pk}/edit/", edit_data(org, uscc=bad, address="济南市历下区新地址")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["uscc"]
    assert "第18位校验码错误" in errors[0]
    org.refresh_from_db()
    assert org.uscc != bad and org.address == "济南市历下区解放路1号"
    assert not FieldChange.objects.filter(organization=org).exists()


def test_edit_with_a_missing_required_field_names_it(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["district"])

    response = client.post(f"/orgs/{org.pk}/edit/", edit_data(org, purpose=""))

    assert response.context["form"].errors["purpose"] == ["宗旨为必填项"]
    org.refresh_from_db()
    assert org.purpose == "服务社区"


def test_edit_is_not_found_for_users_who_may_not_edit(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["hub"])

    response = client.post(f"/orgs/{org.pk}/edit/", edit_data(org, address="别处"))

    assert response.status_code == 404
    org.refresh_from_db()
    assert org.address == "济南市历下区解放路1号"


def test_edit_form_does_not_show_personal_data_to_a_street_officer(client, cast, orgs):
    group = orgs["group"]
    group.legal_representative = orgs["assoc"].legal_representative
    group.save()
    _with_id_number(orgs["assoc"])
    client.force_login(cast["street"])

    body = client.get(f"/orgs/{group.pk}/edit/").content.decode()

    assert ID_NUMBER not in body and "legal_representative_id_number" not in body


def test_as_of_a_day_before_the_record_existed_says_so(client, cast, orgs):
    client.force_login(cast["city"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = client.get(detail(orgs["assoc"]), {"as_of": yesterday.isoformat()})

    assert "该组织尚不存在" in response.content.decode()


def test_as_of_a_past_day_shows_the_values_of_that_day(client, cast, orgs):
    org = orgs["assoc"]
    Organization.objects.filter(pk=org.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    org.refresh_from_db()
    client.force_login(cast["district"])
    client.post(f"/orgs/{org.pk}/edit/", edit_data(org, name="历下区养老服务联合会"))
    ten_days_ago = timezone.localdate() - dt.timedelta(days=10)

    response = client.get(detail(org), {"as_of": ten_days_ago.isoformat()})

    rows = {row["field"]: row for row in response.context["snapshot"]}
    assert rows["名称"]["value"] == "历下区养老服务协会"
    assert rows["名称"]["now"] == "历下区养老服务联合会" and rows["名称"]["changed"]
    assert rows["活动资金"]["value"] == "3.00万元"


# --- create --------------------------------------------------------------------------------


def test_create_without_a_kind_offers_the_kinds_the_user_may_add(client, cast, orgs):
    client.force_login(cast["street"])

    response = client.get("/orgs/new/")

    assert [k for k, _ in response.context["kinds"]] == [Kind.COMMUNITY_GROUP]


def test_street_officer_files_a_community_group(client, cast, orgs):
    client.force_login(cast["street"])

    response = client.post(
        f"/orgs/new/?kind={Kind.COMMUNITY_GROUP}",
        {
            "name": "历山路社区书画社",
            "community_code": "370102001003",
            "registration_date": "2024-03-01",
            "category_code": "",
            "management_level": "",
        },
    )

    org = Organization.objects.get(name="历山路社区书画社")
    assert response.status_code == 302 and response["Location"] == detail(org)
    assert org.kind == Kind.COMMUNITY_GROUP and org.address_code == "370102001003"


def test_street_officer_cannot_file_a_group_in_another_street(client, cast, orgs):
    client.force_login(cast["street"])

    response = client.post(
        f"/orgs/new/?kind={Kind.COMMUNITY_GROUP}",
        {
            "name": "千佛山社区合唱团",
            "community_code": "370102002001",
            "registration_date": "2024-03-01",
        },
    )

    assert response.status_code == 200
    assert "该组织住所不在您的辖区内" in response.content.decode()
    assert not Organization.objects.filter(name="千佛山社区合唱团").exists()


def test_hub_staff_cannot_create_organisations(client, cast, orgs):
    client.force_login(cast["hub"])

    assert client.get("/orgs/new/").status_code == 404


# --- status --------------------------------------------------------------------------------


def test_bureau_changes_status_with_a_reason(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["district"])

    response = client.post(
        f"/orgs/{org.pk}/status/",
        {"status": Status.ABNORMAL, "reason": "未按规定参加年检", "effective_on": "2024-06-01"},
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.status, org.status_changed_on) == (Status.ABNORMAL, dt.date(2024, 6, 1))
    history = client.get(detail(org), {"tab": "history"}).content.decode()
    assert "未按规定参加年检" in history and "活动异常" in history


def test_an_illegal_status_transition_shows_the_services_message(client, cast, orgs):
    org = orgs["assoc"]
    organization_change_status(
        actor=cast["district"], org=org, status=Status.DEREGISTERED, reason="自行解散"
    )
    client.force_login(cast["district"])

    response = client.post(f"/orgs/{org.pk}/status/", {"status": Status.ACTIVE, "reason": "恢复"})

    assert response.status_code == 200
    assert "不能从“已注销”变更为“正常”" in response.content.decode()
    org.refresh_from_db()
    assert org.status == Status.DEREGISTERED


def test_a_status_change_without_a_reason_is_refused(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["district"])

    response = client.post(f"/orgs/{org.pk}/status/", {"status": Status.SUSPENDED, "reason": ""})

    assert response.context["form"].errors["reason"] == ["请填写状态变更原因"]
    org.refresh_from_db()
    assert org.status == Status.ACTIVE


def test_status_change_is_not_found_for_hub_staff(client, cast, orgs):
    org = orgs["assoc"]
    client.force_login(cast["hub"])

    response = client.post(f"/orgs/{org.pk}/status/", {"status": Status.REVOKED, "reason": "x"})

    assert response.status_code == 404
    org.refresh_from_db()
    assert org.status == Status.ACTIVE
