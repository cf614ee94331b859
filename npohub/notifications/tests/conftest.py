"""Kinds registered for these tests only, and a few users with and without an e-mail address."""

from __future__ import annotations

import pytest

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.notifications.kinds import register_kind, unregister_kind

PLAIN = "tests.plain"  # default: in-platform only
ALERT = "tests.alert"  # default: immediate e-mail


@pytest.fixture(autouse=True)
def test_kinds():
    register_kind(PLAIN, "测试通知", category="测试")
    register_kind(ALERT, "测试提醒", default_email=True, category="测试")
    yield
    unregister_kind(PLAIN)
    unregister_kind(ALERT)


@pytest.fixture
def people(db):
    """Three active users with addresses, one without, one deactivated."""
    return {
        "alice": UserFactory(username="alice", email="alice@example.cn", role=Role.ORG_USER),
        "bob": UserFactory(username="bob", email="bob@example.cn", role=Role.ORG_USER),
        "carol": UserFactory(username="carol", email="carol@example.cn", role=Role.ORG_USER),
        "no_mail": UserFactory(username="no_mail", email="", role=Role.ORG_USER),
        "gone": UserFactory(
            username="gone", email="gone@example.cn", role=Role.ORG_USER, is_active=False
        ),
    }
