from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from npohub.notifications.kinds import all_kinds, get_kind, register_kind

from .conftest import ALERT, PLAIN


def test_registering_the_same_kind_twice_is_harmless():
    register_kind(PLAIN, "测试通知", category="测试")

    assert get_kind(PLAIN).label == "测试通知"
    assert [k.code for k in all_kinds()].count(PLAIN) == 1


def test_two_definitions_under_one_code_are_refused():
    with pytest.raises(ImproperlyConfigured):
        register_kind(PLAIN, "另一个标签")


@pytest.mark.parametrize("code", ["", "Tests.Upper", "tests..double", "tests.has space", "x" * 65])
def test_codes_are_lowercase_dotted_names(code):
    with pytest.raises(ImproperlyConfigured):
        register_kind(code, "标签")


def test_the_default_channel_follows_default_email():
    assert get_kind(PLAIN).default_channel == "in_app"
    assert get_kind(ALERT).default_channel == "email"
