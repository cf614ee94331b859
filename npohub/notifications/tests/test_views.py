from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from npohub.notifications.models import Notification, NotificationPreference

from .conftest import ALERT, PLAIN
from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/notifications/"
BADGE = "/notifications/badge/"
PREFERENCES = "/notifications/preferences/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice_client(client, people):
    client.force_login(people["alice"])
    return client


def test_the_list_shows_only_my_notifications_unread_first(alice_client, people):
    NotificationFactory(recipient=people["alice"], title="我的已读", read_at="2024-03-02T10:00Z")
    NotificationFactory(recipient=people["alice"], title="我的未读")
    NotificationFactory(recipient=people["bob"], title="别人的通知")

    response = alice_client.get(LIST)

    assert response.status_code == 200
    assert [n.title for n in response.context["page_obj"]] == ["我的未读", "我的已读"]
    assert "别人的通知" not in response.content.decode()
    assert response.context["unread"] == 1


def test_the_unread_tab_leaves_out_read_notifications(alice_client, people):
    NotificationFactory(recipient=people["alice"], title="我的已读", read_at="2024-03-02T10:00Z")
    NotificationFactory(recipient=people["alice"], title="我的未读")

    response = alice_client.get(LIST, {"unread": "1"}, **HTMX)

    assert [n.title for n in response.context["page_obj"]] == ["我的未读"]
    assert "<html" not in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(alice_client, people, django_assert_num_queries):
    for _ in range(30):
        NotificationFactory(recipient=people["alice"], actor=people["bob"])

    with django_assert_num_queries(5):  # session, user, count, page (with actor), unread count
        alice_client.get(LIST)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in (LIST, BADGE, PREFERENCES):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_marking_one_read_with_htmx_returns_the_row_and_refreshes_the_badge(alice_client, people):
    n = NotificationFactory(recipient=people["alice"], title="待阅")

    response = alice_client.post(f"/notifications/{n.pk}/read/", **HTMX)

    assert response.status_code == 200
    assert f'id="notification-{n.pk}"' in response.content.decode()
    assert json.loads(response["HX-Trigger"])["notifications-changed"] is True
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_a_notification_marks_it_read_and_follows_its_link(alice_client, people):
    n = NotificationFactory(recipient=people["alice"], url="/orgs/42/")

    response = alice_client.post(f"/notifications/{n.pk}/read/", {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/orgs/42/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_never_redirects_off_site(alice_client, people):
    n = NotificationFactory(recipient=people["alice"], url="https://evil.example/")

    response = alice_client.post(f"/notifications/{n.pk}/read/", {"open": "1"})

    assert response["Location"] == LIST


def test_a_user_cannot_mark_another_users_notification_read(client, people):
    theirs = NotificationFactory(recipient=people["alice"])
    client.force_login(people["bob"])

    response = client.post(f"/notifications/{theirs.pk}/read/", **HTMX)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(alice_client, people):
    n = NotificationFactory(recipient=people["alice"])

    assert alice_client.get(f"/notifications/{n.pk}/read/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_marks_only_my_own(alice_client, people):
    NotificationFactory.create_batch(3, recipient=people["alice"])
    theirs = NotificationFactory(recipient=people["bob"])

    response = alice_client.post("/notifications/read-all/", **HTMX)

    assert response.status_code == 200
    assert "notifications-changed" in response["HX-Trigger"]
    assert not Notification.objects.filter(recipient=people["alice"], read_at__isnull=True)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_badge_fragment_shows_my_unread_count(alice_client, people):
    NotificationFactory.create_batch(3, recipient=people["alice"])
    NotificationFactory(recipient=people["alice"], read_at="2024-03-02T10:00Z")
    NotificationFactory(recipient=people["bob"])

    response = alice_client.get(BADGE, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert ">3</span>" in body and "<html" not in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_badge_caps_large_counts(alice_client, people):
    NotificationFactory.create_batch(120, recipient=people["alice"])

    assert ">99+</span>" in alice_client.get(BADGE, **HTMX).content.decode()


def test_the_badge_shows_no_number_when_all_is_read(alice_client, people):
    assert "badge" not in alice_client.get(BADGE, **HTMX).content.decode()


def test_other_pages_load_the_badge_lazily_without_counting(alice_client, people):
    NotificationFactory(recipient=people["alice"])

    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get("/accounts/me/")

    body = response.content.decode()
    assert 'hx-get="/notifications/badge/"' in body
    assert 'hx-trigger="load, notifications-changed from:body"' in body
    assert not [q for q in queries if '"notifications_' in q["sql"]]


def test_the_preferences_page_lists_every_registered_kind(alice_client):
    response = alice_client.get(PREFERENCES)

    body = response.content.decode()
    assert response.status_code == 200
    assert "测试通知" in body and "测试提醒" in body
    assert f'name="{PLAIN}"' in body


def test_saving_preferences_stores_the_changed_kinds(alice_client, people):
    response = alice_client.post(PREFERENCES, {PLAIN: "digest", ALERT: "email"})

    assert response.status_code == 302
    assert dict(NotificationPreference.objects.values_list("kind", "channel")) == {PLAIN: "digest"}
    assert "digest" in str(alice_client.get(PREFERENCES).context["form"][PLAIN].value())


def test_an_unknown_channel_is_shown_as_an_error_and_nothing_is_stored(alice_client):
    response = alice_client.post(PREFERENCES, {PLAIN: "sms", ALERT: "email"})

    assert response.status_code == 200
    assert response.context["form"].errors[PLAIN]
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_warns_users_without_an_address(client, people):
    client.force_login(people["no_mail"])

    assert "没有登记邮箱" in client.get(PREFERENCES).content.decode()
