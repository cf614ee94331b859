"""The credit lists' filter: the region filter is a select per level that starts at the user's own scope,
shows names (never typed codes) and refuses a region outside the scope naming the field."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGE = "/credit/"
# user -> (the unit shown as the picker's start, a unit outside their scope)
CASES = {
    "community": ("解放桥社区居民委员会", "c_jfq2"),
    "street": ("解放路街道", "qianfoshan"),
    "district": ("历下区", "zhangqiu"),
}


def _get(user, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_region_filter_starts_at_the_users_scope_and_refuses_a_region_outside_it(cast, regions):
    for role, (root, outside) in CASES.items():
        html = _get(cast[role])
        assert f'<span class="region-cascade-root">{root}</span>' in html, role
        assert 'inputmode="numeric"' not in html and "区划代码" not in html, role
        for select in re.findall(r'<select name="region".*?</select>', html, flags=re.S):
            assert not re.search(r">\s*\d{6,12}\s*<", select), role  # names, never codes
        refused = _get(cast[role], region=regions[outside].code)
        assert "所在区划（所选区划不在您的范围内）" in refused, role
