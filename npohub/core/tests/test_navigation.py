from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.core.navigation import GROUPS, NavItem, group_of, menu_for, menu_groups_for


def test_an_item_falls_into_the_group_of_its_url_namespace():
    item = NavItem(label="x", url_name="credit:listing-list", visible=lambda u: True)

    assert group_of(item) == "supervision"


def test_an_item_of_an_unknown_namespace_falls_into_other_and_an_own_group_wins():
    assert group_of(NavItem(label="x", url_name="nowhere:list", visible=lambda u: True)) == "other"
    assert (
        group_of(NavItem(label="x", url_name="orgs:x", visible=lambda u: True, group="stats"))
        == "stats"
    )


@pytest.mark.django_db
def test_the_header_groups_hold_exactly_the_items_the_user_may_see(cast):
    user = cast["city"]
    flat = menu_for(user)
    groups = menu_groups_for(user, reverse("orgs:organization-list"))

    assert sorted(e["name"] for g in groups for e in g["items"]) == sorted(e["name"] for e in flat)
    assert all(e["group"] == g["key"] for g in groups for e in g["items"])
    assert [g["key"] for g in groups] == sorted(
        {g["key"] for g in groups}, key=lambda k: GROUPS[k].order
    )
    active = [g["key"] for g in groups if g["active"]]
    assert active == ["registry"]


@pytest.mark.django_db
def test_a_resident_sees_no_staff_groups_and_an_anonymous_visitor_none(cast):
    assert menu_groups_for(None) == []
    names = {e["name"] for g in menu_groups_for(cast["resident"]) for e in g["items"]}
    assert "orgs:organization-list" not in names


@pytest.mark.django_db
def test_every_page_header_shows_the_groups_as_menus(client, cast):
    client.force_login(cast["city"])

    html = client.get(reverse("orgs:organization-list")).content.decode()

    assert 'class="navgroup active"' in html
    assert str(GROUPS["supervision"].label) in html


@pytest.mark.django_db
def test_only_the_item_with_the_longest_matching_url_is_marked_current(cast):
    groups = menu_groups_for(cast["city"], reverse("imports:home"))

    current = [e["name"] for g in groups for e in g["items"] if e["active"]]
    assert current == ["imports:home"]
