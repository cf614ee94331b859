from __future__ import annotations

import json

import pytest
from django.test import Client

from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent
from npohub.notifications.models import Notification, NotificationPreference

from .conftest import ALERT, PLAIN
from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


def bearer(user) -> Client:
    _, raw = api_token_create(actor=user, user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, data, method: str = "post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_the_list_returns_only_my_notifications(people):
    NotificationFactory(recipient=people["alice"], title="我的", actor=people["bob"])
    NotificationFactory(recipient=people["alice"], title="我的已读", read_at="2024-03-02T10:00Z")
    NotificationFactory(recipient=people["bob"], title="别人的")

    response = bearer(people["alice"]).get(BASE)

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [r["title"] for r in body["results"]] == ["我的", "我的已读"]
    first = body["results"][0]
    assert first["kind_label"] == "测试通知" and first["actor"] == str(people["bob"])
    assert first["is_read"] is False


def test_the_unread_filter_leaves_out_read_notifications(people):
    NotificationFactory(recipient=people["alice"], title="我的")
    NotificationFactory(recipient=people["alice"], title="我的已读", read_at="2024-03-02T10:00Z")

    body = bearer(people["alice"]).get(BASE, {"unread": "true"}).json()

    assert [r["title"] for r in body["results"]] == ["我的"]


def test_anonymous_callers_get_401(db):
    response = Client().get(BASE)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_marking_listed_notifications_read(people):
    a, b = NotificationFactory.create_batch(2, recipient=people["alice"])

    response = post(bearer(people["alice"]), BASE + "read", {"ids": [a.pk]})

    assert response.json() == {"updated": 1, "unread": 1}
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.read_at is not None and b.read_at is None


def test_marking_all_read(people):
    NotificationFactory.create_batch(2, recipient=people["alice"])

    response = post(bearer(people["alice"]), BASE + "read", {"all": True})

    assert response.json() == {"updated": 2, "unread": 0}


def test_another_users_notification_is_a_404_and_nothing_changes(people):
    mine = NotificationFactory(recipient=people["bob"])
    theirs = NotificationFactory(recipient=people["alice"])

    response = post(bearer(people["bob"]), BASE + "read", {"ids": [mine.pk, theirs.pk]})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_neither_ids_nor_all_is_a_422(people):
    response = post(bearer(people["alice"]), BASE + "read", {})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


def test_preferences_list_every_kind_with_its_default(people):
    body = bearer(people["alice"]).get(BASE + "preferences").json()

    rows = {row["kind"]: row for row in body["preferences"]}
    assert rows[PLAIN]["channel"] == "in_app" and rows[PLAIN]["is_default"] is True
    assert rows[ALERT]["channel"] == "email"
    assert [c["value"] for c in body["channels"]] == ["in_app", "email", "digest", "muted"]


def test_putting_preferences_changes_the_listed_kinds(people):
    client = bearer(people["alice"])

    response = post(client, BASE + "preferences", {"preferences": {ALERT: "digest"}}, "put")

    assert response.status_code == 200
    rows = {row["kind"]: row for row in response.json()["preferences"]}
    assert rows[ALERT]["channel"] == "digest" and rows[ALERT]["is_default"] is False
    assert rows[PLAIN]["channel"] == "in_app"
    assert NotificationPreference.objects.get().user == people["alice"]


@pytest.mark.parametrize(
    ("preferences", "code", "message"),
    [
        ({"tests.nope": "email"}, "notifications.unknown_kind", "未知的通知类型：tests.nope"),
        ({PLAIN: "digest", ALERT: "sms"}, "notifications.unknown_channel", "未知的接收方式：sms"),
    ],
)
def test_an_unknown_kind_or_channel_is_a_422_and_nothing_is_stored(
    people, preferences, code, message
):
    response = post(
        bearer(people["alice"]), BASE + "preferences", {"preferences": preferences}, "put"
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["message"].startswith(message)
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.filter(kind="notifications.preferences_changed").exists()
