"""A user administrator grants only within their own scope and roles (issue 20, finding 4).

A district administrator may not make an account that reaches further than the district: no
city bureau account (a wider role, even placed in the district), no party officer without a
region (its assigned organisations would count across the whole platform), no account placed
in the city above. Every refusal leaves the users as they were."""

from __future__ import annotations

import pytest

from npohub.accounts import services
from npohub.accounts.models import Role, User
from npohub.accounts.permissions import assignable_roles, can_assign_scope, can_manage_user
from npohub.accounts.selectors import user_list_for
from npohub.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

PASSWORD = "Longer-pass-987"


def _create(actor, regions, **overrides):
    data = {
        "username": "newcomer",
        "password": PASSWORD,
        "role": Role.STREET_OFFICER,
        "display_name": "王新",
        "region": regions["jiefangqiao"],
    }
    return services.user_create(actor=actor, **{**data, **overrides})


def _refused(actor, regions, **overrides):
    before = list(User.objects.order_by("pk").values_list("pk", "username", "role", "scope_prefix"))
    with pytest.raises(PermissionDenied) as refusal:
        _create(actor, regions, **overrides)
    after = list(User.objects.order_by("pk").values_list("pk", "username", "role", "scope_prefix"))
    assert after == before
    return refusal.value


def test_a_district_administrator_cannot_create_a_city_bureau_account_even_inside_its_district(
    cast, regions
):
    refusal = _refused(cast["district"], regions, role=Role.CITY_BUREAU, region=regions["lixia"])

    assert refusal.message == "不能分配该角色"


def test_a_district_administrator_cannot_create_a_city_wide_account(cast, regions):
    refusal = _refused(
        cast["district"], regions, role=Role.DISTRICT_BUREAU, region=regions["jinan"]
    )

    assert refusal.message == "只能在本辖区范围内分配区划"


def test_a_district_administrator_cannot_create_a_party_officer_without_a_region(cast, regions):
    refusal = _refused(cast["district"], regions, role=Role.PARTY_OFFICER, region=None)

    assert refusal.message == "该角色必须指定所辖区划"


def test_a_district_administrator_cannot_create_a_city_wide_party_officer(cast, regions):
    refusal = _refused(cast["district"], regions, role=Role.PARTY_OFFICER, region=regions["jinan"])

    assert refusal.message == "只能在本辖区范围内分配区划"


def test_a_party_officer_made_by_a_district_administrator_reaches_only_the_district(cast, regions):
    officer = _create(cast["district"], regions, role=Role.PARTY_OFFICER, region=regions["lixia"])

    assert officer.role == Role.PARTY_OFFICER
    assert officer.scope_prefix == "370102"


def test_a_district_administrator_cannot_raise_a_user_to_city_bureau(cast, regions):
    target = cast["street"]

    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=cast["district"],
            user=target,
            role=Role.CITY_BUREAU,
            display_name=target.display_name,
            region=regions["lixia"],
            is_user_admin=True,
            is_active=True,
        )

    target.refresh_from_db()
    assert (target.role, target.scope_prefix, target.is_user_admin) == (
        Role.STREET_OFFICER,
        "370102001",
        False,
    )


def test_a_district_administrator_cannot_manage_a_city_bureau_account_placed_in_its_district(
    cast, regions
):
    wider = User.objects.create(
        username="city-in-lixia",
        role=Role.CITY_BUREAU,
        region=regions["lixia"],
        scope_prefix="370102",
    )

    assert not can_manage_user(cast["district"], wider)
    assert wider not in user_list_for(cast["district"])


def test_each_administrator_may_assign_its_own_level_and_below(cast):
    city, district = assignable_roles(cast["city"]), assignable_roles(cast["district"])

    assert Role.CITY_BUREAU in city and Role.DISTRICT_BUREAU in city
    assert Role.CITY_BUREAU not in district and Role.DISTRICT_BUREAU in district
    assert Role.PARTY_OFFICER in district and Role.RESIDENT not in district
    assert assignable_roles(cast["street"]) == frozenset()


@pytest.mark.parametrize(
    ("role", "prefix", "allowed"),
    [
        (Role.STREET_OFFICER, "370102001", True),
        (Role.DISTRICT_BUREAU, "370102", True),
        (Role.PARTY_OFFICER, "370102", True),
        (Role.REVIEWER, "", True),  # a grant role: reaches only what is granted to it
        (Role.PARTY_OFFICER, "", False),
        (Role.CITY_BUREAU, "370102", False),
        (Role.STREET_OFFICER, "3701", False),
        (Role.REVIEWER, "370114", False),
    ],
)
def test_what_a_district_administrator_may_assign(cast, role, prefix, allowed):
    assert bool(can_assign_scope(cast["district"], role=role, scope_prefix=prefix)) is allowed


def test_the_user_form_offers_a_district_administrator_only_the_roles_it_may_assign(client, cast):
    client.force_login(cast["district"])

    response = client.get("/accounts/users/new/")

    offered = {value for value, _label in response.context["form"].fields["role"].choices}
    assert Role.CITY_BUREAU not in offered
    assert {Role.DISTRICT_BUREAU, Role.STREET_OFFICER, Role.PARTY_OFFICER} <= offered


def test_a_party_officer_without_a_region_is_a_field_error_on_the_page(client, cast):
    client.force_login(cast["district"])
    before = User.objects.count()

    response = client.post(
        "/accounts/users/new/",
        {
            "username": "party_new",
            "password": PASSWORD,
            "display_name": "赵党建",
            "role": Role.PARTY_OFFICER,
            "region": "",
            "organization_label": "",
            "phone": "",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["该角色必须指定所辖区划"]
    assert User.objects.count() == before
