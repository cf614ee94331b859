"""Reading the tree: children, search, one unit, the path above it."""

from __future__ import annotations

import pytest

from npohub.core.errors import NotFound
from npohub.regions.selectors import region_children, region_get, region_path, region_search


@pytest.mark.django_db
def test_children_of_nothing_are_the_provinces(regions):
    assert [r.name for r in region_children(None)] == ["山东省"]


@pytest.mark.django_db
def test_children_accept_short_or_padded_codes_and_skip_abolished_units(regions):
    regions["c_jfq2"].is_active = False
    regions["c_jfq2"].save()

    assert [r.name for r in region_children("370102001")] == ["解放桥社区居民委员会"]
    assert [r.code for r in region_children("370100000000")] == [
        "370102000000",
        "370114000000",
    ]


@pytest.mark.django_db
def test_search_stays_inside_the_given_subtree_and_puts_exact_matches_first(regions):
    assert {r.name for r in region_search("社区", within="370102")} == {
        "解放桥社区居民委员会",
        "历山路社区居民委员会",
        "千佛山社区居民委员会",
    }
    assert [r.name for r in region_search("市南区")] == ["市南区"]
    assert not region_search("   ").exists()


@pytest.mark.django_db
def test_get_finds_an_abolished_unit_when_no_active_one_holds_the_code(regions):
    village = regions["c_jfq2"]
    village.is_active = False
    village.save()

    assert region_get("370102001003") == village
    with pytest.raises(NotFound):
        region_get("370102001999")
    with pytest.raises(NotFound):
        region_get("not-a-code")


@pytest.mark.django_db
def test_the_path_runs_from_the_province_down_to_the_unit(regions):
    assert [r.name for r in region_path("370102001002")] == [
        "山东省",
        "济南市",
        "历下区",
        "解放路街道",
        "解放桥社区居民委员会",
    ]
