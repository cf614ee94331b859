from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.accounts.models import ApiToken, Role, User
from npohub.accounts.services import api_token_authenticate

PASSWORD = "pass-Word-123"
LOGIN = "/accounts/login/"


def test_login_with_the_right_password_goes_to_the_home_page(client, cast):
    response = client.post(LOGIN, {"username": "street", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:home")
    assert client.session["_auth_user_id"] == str(cast["street"].pk)


def test_login_page_is_in_chinese(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert "工作人员登录" in response.content.decode()


def test_login_with_a_wrong_password_says_so_and_signs_nobody_in(client, cast):
    response = client.post(LOGIN, {"username": "city", "password": "wrong-password"})

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, cast):
    responses = [
        client.post(LOGIN, {"username": "city", "password": f"wrong-{i}"}) for i in range(5)
    ]

    assert [r.status_code for r in responses[:4]] == [200, 200, 200, 200]
    assert responses[4].status_code == 429
    assert "账号已暂时锁定" in responses[4].content.decode()
    again = client.post(LOGIN, {"username": "city", "password": PASSWORD})
    assert again.status_code == 429
    assert "30 分钟" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_signs_the_user_out(client, cast):
    client.force_login(cast["city"])

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_my_account_shows_a_new_token_once_and_the_token_works(client, cast):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/", {"name": "数据同步"})

    token = ApiToken.objects.get(user=cast["street"])
    raw = response.context["raw_key"]
    assert raw.startswith("npo_") and raw in response.content.decode()
    assert api_token_authenticate(raw) == cast["street"]
    assert raw not in client.get("/accounts/me/").content.decode()
    assert token.name == "数据同步"


def test_a_token_without_a_name_is_refused_and_nothing_is_created(client, cast):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/", {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_at_once(client, cast):
    client.force_login(cast["street"])
    raw = client.post("/accounts/me/", {"name": "临时"}).context["raw_key"]
    token = ApiToken.objects.get(user=cast["street"])

    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None


def test_nobody_can_revoke_another_users_token(client, cast):
    client.force_login(cast["street"])
    client.post("/accounts/me/", {"name": "街道令牌"})
    token = ApiToken.objects.get(user=cast["street"])
    client.force_login(cast["street_out"])

    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def _new_user(**overrides):
    data = {
        "username": "jfq_new",
        "password": "Longer-pass-987",
        "display_name": "王新",
        "role": Role.STREET_OFFICER,
        "region": "370102001000",
        "organization_label": "解放路街道办事处",
        "phone": "",
    }
    return {**data, **overrides}


def test_district_admin_creates_a_user_in_its_own_district(client, cast):
    client.force_login(cast["district"])

    response = client.post("/accounts/users/new/", _new_user())

    assert response.status_code == 302
    user = User.objects.get(username="jfq_new")
    assert user.role == Role.STREET_OFFICER
    assert user.scope_prefix == "370102001"
    assert user.check_password("Longer-pass-987")


def test_district_admin_cannot_create_a_user_in_another_district(client, cast):
    client.force_login(cast["district"])
    before = User.objects.count()

    response = client.post("/accounts/users/new/", _new_user(region="370114001000"))

    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["只能在本辖区范围内分配区划"]
    assert User.objects.count() == before
    assert not User.objects.filter(username="jfq_new").exists()


def test_an_unknown_region_code_is_a_field_error(client, cast):
    client.force_login(cast["district"])

    response = client.post("/accounts/users/new/", _new_user(region="370102999000"))

    assert response.status_code == 200
    assert (
        "没有找到区划代码为“370102999000”的有效区划" in response.context["form"].errors["region"][0]
    )
    assert not User.objects.filter(username="jfq_new").exists()


def test_a_taken_username_is_shown_next_to_the_username(client, cast):
    client.force_login(cast["district"])

    response = client.post("/accounts/users/new/", _new_user(username="street"))

    assert "已存在" in response.context["form"].errors["username"][0]


def test_district_admin_sees_only_users_inside_its_district(client, cast):
    client.force_login(cast["district"])

    response = client.get("/accounts/users/")

    names = {u.username for u in response.context["page_obj"]}
    assert {"district", "street", "community"} <= names
    assert not names & {"street_out", "district_out", "city", "qingdao", "admin"}


def test_user_list_filters_by_role_and_search(client, cast):
    client.force_login(cast["district"])

    by_role = client.get("/accounts/users/", {"role": Role.COMMUNITY_WORKER})
    by_name = client.get("/accounts/users/", {"q": "stre"})

    assert [u.username for u in by_role.context["page_obj"]] == ["community"]
    assert [u.username for u in by_name.context["page_obj"]] == ["street"]


def test_a_user_outside_the_district_cannot_be_opened_or_changed(client, cast):
    client.force_login(cast["district"])
    target = cast["street_out"]

    assert client.get(f"/accounts/users/{target.pk}/").status_code == 404
    response = client.post(
        f"/accounts/users/{target.pk}/password/",
        {"password": "Another-pass-1", "password_again": "Another-pass-1"},
    )

    assert response.status_code == 404
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


def test_district_admin_edits_a_users_role_and_region(client, cast):
    client.force_login(cast["district"])
    target = cast["community"]

    response = client.post(
        f"/accounts/users/{target.pk}/",
        {
            "display_name": "李四",
            "role": Role.STREET_OFFICER,
            "region": "370102002000",
            "organization_label": "",
            "phone": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.scope_prefix, target.display_name) == (
        Role.STREET_OFFICER,
        "370102002",
        "李四",
    )


def test_district_admin_resets_a_password(client, cast):
    client.force_login(cast["district"])
    target = cast["street"]

    response = client.post(
        f"/accounts/users/{target.pk}/password/",
        {"password": "Another-pass-1", "password_again": "Another-pass-1"},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Another-pass-1")


def test_a_weak_password_is_refused_with_the_validators_message(client, cast):
    client.force_login(cast["district"])
    target = cast["street"]

    response = client.post(
        f"/accounts/users/{target.pk}/password/", {"password": "12345", "password_again": "12345"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


@pytest.mark.parametrize("who", ["street", "hub", "district_out", "org_user"])
def test_user_management_is_not_there_for_users_who_are_not_user_admins(client, cast, who):
    client.force_login(cast[who])

    assert client.get("/accounts/users/").status_code == 404
    assert client.post("/accounts/users/new/", _new_user()).status_code == 404
    assert not User.objects.filter(username="jfq_new").exists()


def test_the_menu_shows_user_management_only_to_user_admins(client, cast):
    client.force_login(cast["district"])
    admin_page = client.get("/accounts/me/").content.decode()
    client.force_login(cast["street"])
    street_page = client.get("/accounts/me/").content.decode()

    assert '<a href="/accounts/users/"' in admin_page
    assert '<a href="/accounts/users/"' not in street_page
