from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.notifications.errors import UnknownChannel, UnknownKind
from npohub.notifications.models import Channel, Notification, NotificationPreference
from npohub.notifications.services import (
    digest_send,
    notification_mark_read,
    notify,
    preference_set,
    preferences_update,
)

from .conftest import ALERT, PLAIN
from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


def prefer(user, kind, channel):
    NotificationPreference.objects.create(user=user, kind=kind, channel=channel)


def send(callbacks, **kwargs):
    """notify() inside a committed block whose on-commit callbacks run at the end."""
    with callbacks(execute=True):
        return notify(**{"kind": PLAIN, "title": "新的登记申请", **kwargs})


# --- notify ---------------------------------------------------------------------------------------


def test_notify_creates_one_row_per_distinct_active_recipient(people):
    p = people

    created = notify(
        recipients=[p["alice"], p["bob"], p["alice"], p["gone"]],
        kind=PLAIN,
        title="新的登记申请",
        body="历下区养老服务协会提交了登记申请",
        url="/orgs/1/",
    )

    assert created == 2
    rows = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in rows] == [p["alice"], p["bob"]]
    assert {(n.kind, n.title, n.url, n.read_at) for n in rows} == {
        (PLAIN, "新的登记申请", "/orgs/1/", None)
    }


def test_notify_skips_the_actor_themself(people):
    created = notify(
        recipients=[people["alice"], people["bob"]], kind=PLAIN, title="t", actor=people["alice"]
    )

    assert created == 1
    only = Notification.objects.get()
    assert only.recipient == people["bob"]
    assert only.actor == people["alice"]


def test_a_dedupe_key_suppresses_a_second_unread_notification(people):
    alice = people["alice"]
    first = notify(recipients=[alice], kind=PLAIN, title="材料待补正", dedupe_key="app:7")
    again = notify(recipients=[alice], kind=PLAIN, title="材料待补正", dedupe_key="app:7")
    other_key = notify(recipients=[alice], kind=PLAIN, title="材料待补正", dedupe_key="app:8")
    other_kind = notify(recipients=[alice], kind=ALERT, title="材料待补正", dedupe_key="app:7")

    assert (first, again, other_key, other_kind) == (1, 0, 1, 1)
    assert Notification.objects.count() == 3


def test_a_dedupe_key_repeats_once_the_first_was_read(people):
    alice = people["alice"]
    notify(recipients=[alice], kind=PLAIN, title="t", dedupe_key="app:7")
    notification_mark_read(actor=alice, mark_all=True)

    assert notify(recipients=[alice], kind=PLAIN, title="t", dedupe_key="app:7") == 1
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_without_a_dedupe_key_every_call_creates_a_row(people):
    notify(recipients=[people["alice"]], kind=PLAIN, title="t")
    notify(recipients=[people["alice"]], kind=PLAIN, title="t")

    assert Notification.objects.count() == 2


def test_in_app_only_sends_no_email(people, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, recipients=[people["alice"]])

    assert Notification.objects.get().channel == Channel.IN_APP
    assert mail.outbox == []


def test_immediate_email_goes_out_after_commit_to_each_recipient_alone(
    people, django_capture_on_commit_callbacks
):
    prefer(people["alice"], PLAIN, Channel.EMAIL)
    prefer(people["bob"], PLAIN, Channel.EMAIL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[people["alice"], people["bob"], people["carol"]],
            kind=PLAIN,
            title="新的登记申请",
            body="请在 5 个工作日内审查",
            url="/orgs/1/",
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.cn", "bob@example.cn"]
    message = mail.outbox[0]
    assert len(message.to) == 1
    assert "新的登记申请" in message.subject
    assert "请在 5 个工作日内审查" in message.body and "/orgs/1/" in message.body
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    assert {n.recipient.username for n in emailed} == {"alice", "bob"}


def test_a_kind_with_default_email_mails_users_who_chose_nothing(
    people, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks, recipients=[people["alice"]], kind=ALERT)

    assert [m.to for m in mail.outbox] == [["alice@example.cn"]]


def test_digest_recipients_get_no_immediate_email(people, django_capture_on_commit_callbacks):
    prefer(people["alice"], ALERT, Channel.DIGEST)

    send(django_capture_on_commit_callbacks, recipients=[people["alice"]], kind=ALERT)

    assert Notification.objects.get().channel == Channel.DIGEST
    assert mail.outbox == []


def test_a_muted_kind_creates_nothing(people, django_capture_on_commit_callbacks):
    prefer(people["alice"], ALERT, Channel.MUTED)

    created = send(
        django_capture_on_commit_callbacks, recipients=[people["alice"], people["bob"]], kind=ALERT
    )

    assert created == 1
    assert [n.recipient for n in Notification.objects.all()] == [people["bob"]]
    assert [m.to for m in mail.outbox] == [["bob@example.cn"]]


def test_a_recipient_without_an_address_gets_the_notification_in_the_platform_only(
    people, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks, recipients=[people["no_mail"]], kind=ALERT)

    assert Notification.objects.get().channel == Channel.IN_APP
    assert mail.outbox == []


def test_a_rollback_leaves_no_notification_and_sends_no_email(
    people, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[people["alice"], people["bob"]], kind=ALERT, title="t")
        raise RuntimeError("the caller's transition failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_an_unregistered_kind_is_a_programming_error(people):
    with pytest.raises(ValueError, match="register_kind"):
        notify(recipients=[people["alice"]], kind="tests.nope", title="t")

    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example/", "orgs/1/", "/orgs/" + "x" * 500]
)
def test_a_link_must_be_a_site_path_or_a_web_address(people, url):
    with pytest.raises(ValueError):
        notify(recipients=[people["alice"]], kind=PLAIN, title="t", url=url)

    assert not Notification.objects.exists()


def test_a_failed_email_leaves_the_notification_due(
    people, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "npohub.notifications.tests.test_services.BrokenBackend"

    send(django_capture_on_commit_callbacks, recipients=[people["alice"]], kind=ALERT)

    notification = Notification.objects.get()
    assert notification.emailed_at is None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")


# --- digest ---------------------------------------------------------------------------------------


def digest_row(user, created_at, **kwargs):
    return NotificationFactory(
        recipient=user, channel=Channel.DIGEST, created_at=created_at, **kwargs
    )


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_digest_sends_each_user_one_email_listing_their_pending_notifications(people):
    day = dt.date(2024, 3, 1)
    digest_row(people["alice"], moment(day, 9), title="申请一")
    digest_row(people["alice"], moment(day, 23), title="申请二")
    digest_row(people["bob"], moment(day - dt.timedelta(days=3)), title="积压的申请")
    digest_row(people["bob"], moment(day + dt.timedelta(days=1)), title="明天的申请")
    digest_row(people["carol"], moment(day), title="已读的申请", read_at=moment(day, 11))
    NotificationFactory(recipient=people["carol"], created_at=moment(day), title="站内的")

    sent = digest_send(on=day)

    assert sent == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"alice@example.cn", "bob@example.cn"}
    alice = by_address["alice@example.cn"]
    assert "申请一" in alice.body and "申请二" in alice.body
    assert "共 2 条" in alice.subject and "2024年3月1日" in alice.subject
    assert "积压的申请" in by_address["bob@example.cn"].body
    assert "明天的申请" not in by_address["bob@example.cn"].body
    assert set(
        Notification.objects.filter(digest_sent_at__isnull=True).values_list("title", flat=True)
    ) == {"明天的申请", "已读的申请", "站内的"}


def test_running_the_digest_twice_sends_nothing_the_second_time(people):
    day = dt.date(2024, 3, 1)
    digest_row(people["alice"], moment(day))

    first = digest_send(on=day)
    second = digest_send(on=day)

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1


def test_a_failed_digest_email_is_retried_by_the_next_run(people, settings):
    day = dt.date(2024, 3, 1)
    digest_row(people["alice"], moment(day))
    settings.EMAIL_BACKEND = "npohub.notifications.tests.test_services.BrokenBackend"

    assert digest_send(on=day) == 0
    assert Notification.objects.get().digest_sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest_send(on=day) == 1


def test_the_digest_skips_users_without_an_address_or_deactivated(people):
    day = dt.date(2024, 3, 1)
    digest_row(people["no_mail"], moment(day))
    digest_row(people["gone"], moment(day))

    assert digest_send(on=day) == 0
    assert mail.outbox == []


def test_the_digest_lists_at_most_a_hundred_items_and_says_how_many_more(people):
    day = dt.date(2024, 3, 1)
    for i in range(103):
        digest_row(people["alice"], moment(day), title=f"第{i}条")

    digest_send(on=day)

    body = mail.outbox[0].body
    assert "第0条" in body and "第102条" not in body
    assert "另有 3 条未列出" in body


# --- mark read ------------------------------------------------------------------------------------


def test_marking_read_changes_only_the_listed_unread_notifications(people):
    alice = people["alice"]
    first, second, third = (NotificationFactory(recipient=alice) for _ in range(3))

    changed = notification_mark_read(actor=alice, notification_ids=[first.pk, second.pk])

    assert changed == 2
    assert set(Notification.objects.filter(read_at__isnull=True)) == {third}
    assert notification_mark_read(actor=alice, notification_ids=[first.pk]) == 0


def test_marking_all_read_leaves_other_users_untouched(people):
    mine = NotificationFactory(recipient=people["alice"])
    theirs = NotificationFactory(recipient=people["bob"])

    assert notification_mark_read(actor=people["alice"], mark_all=True) == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_a_user_cannot_mark_another_users_notification_read(people):
    mine = NotificationFactory(recipient=people["bob"])
    theirs = NotificationFactory(recipient=people["alice"])

    with pytest.raises(NotFound):
        notification_mark_read(actor=people["bob"], notification_ids=[mine.pk, theirs.pk])

    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_marking_read_needs_ids_or_all_but_not_both(people):
    n = NotificationFactory(recipient=people["alice"])

    with pytest.raises(ValidationFailed):
        notification_mark_read(actor=people["alice"])
    with pytest.raises(ValidationFailed):
        notification_mark_read(actor=people["alice"], notification_ids=[n.pk], mark_all=True)

    n.refresh_from_db()
    assert n.read_at is None


# --- preferences ----------------------------------------------------------------------------------


def test_setting_a_preference_stores_it_and_records_an_audit_event(people):
    alice = people["alice"]

    pref = preference_set(actor=alice, kind=PLAIN, channel=Channel.DIGEST)

    assert (pref.user, pref.kind, pref.channel) == (alice, PLAIN, "digest")
    event = AuditEvent.objects.get(kind="notifications.preferences_changed")
    assert event.actor == alice
    assert event.payload == {"changes": {PLAIN: ["in_app", "digest"]}}


def test_setting_the_same_preference_again_writes_no_second_audit_event(people):
    preference_set(actor=people["alice"], kind=PLAIN, channel=Channel.EMAIL)
    preference_set(actor=people["alice"], kind=PLAIN, channel=Channel.EMAIL)

    assert NotificationPreference.objects.get().channel == "email"
    assert AuditEvent.objects.filter(kind="notifications.preferences_changed").count() == 1


def test_an_unknown_kind_is_refused_in_chinese_and_nothing_is_stored(people):
    with pytest.raises(UnknownKind) as exc:
        preference_set(actor=people["alice"], kind="tests.nope", channel=Channel.EMAIL)

    assert exc.value.message == "未知的通知类型：tests.nope"
    assert exc.value.code == "notifications.unknown_kind"
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_unknown_channel_is_refused_in_chinese_and_nothing_is_stored(people):
    with pytest.raises(UnknownChannel) as exc:
        preference_set(actor=people["alice"], kind=PLAIN, channel="sms")

    assert exc.value.message.startswith("未知的接收方式：sms。可选：")
    assert "digest（站内通知并每日汇总邮件）" in exc.value.message
    assert not NotificationPreference.objects.exists()


def test_one_bad_channel_refuses_the_whole_update(people):
    with pytest.raises(UnknownChannel):
        preferences_update(actor=people["alice"], channels={PLAIN: "digest", ALERT: "pager"})

    assert not NotificationPreference.objects.exists()


def test_saving_unchanged_defaults_stores_nothing(people):
    changes = preferences_update(actor=people["alice"], channels={PLAIN: "in_app", ALERT: "email"})

    assert changes == {}
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.exists()


def test_anonymous_users_have_no_preferences(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Exception, match="请先登录"):
        preference_set(actor=AnonymousUser(), kind=PLAIN, channel=Channel.EMAIL)


def test_leaving_the_digest_keeps_pending_notifications_in_the_platform_only(people):
    alice = people["alice"]
    preference_set(actor=alice, kind=PLAIN, channel=Channel.DIGEST)
    notify(recipients=[alice], kind=PLAIN, title="t")

    preference_set(actor=alice, kind=PLAIN, channel=Channel.IN_APP)
    sent = digest_send(on=timezone.localdate())

    assert Notification.objects.get().channel == Channel.IN_APP
    assert sent == 0 and mail.outbox == []


def test_a_duplicate_created_concurrently_is_skipped_and_the_others_still_inserted(people):
    from npohub.notifications.services import _insert

    NotificationFactory(recipient=people["alice"], dedupe_key="app:7")
    rows = [
        Notification(recipient=people[name], kind="tests.plain", title="t", dedupe_key="app:7")
        for name in ("alice", "bob")
    ]

    created = _insert(rows)

    assert [n.recipient for n in created] == [people["bob"]]
    assert Notification.objects.filter(dedupe_key="app:7").count() == 2


def test_the_emails_read_well(people, django_capture_on_commit_callbacks, settings):
    settings.NPOHUB_SITE_URL = "https://npo.example.cn"
    prefer(people["alice"], PLAIN, Channel.EMAIL)
    send(
        django_capture_on_commit_callbacks,
        recipients=[people["alice"]],
        body="请在 5 个工作日内审查",
        url="/orgs/1/",
    )
    prefer(people["bob"], PLAIN, Channel.DIGEST)
    send(django_capture_on_commit_callbacks, recipients=[people["bob"]], url="/orgs/2/")
    digest_send(on=timezone.localdate())

    immediate, digest = mail.outbox
    assert immediate.subject == "[社会组织综合管理平台] 新的登记申请"
    assert "https://npo.example.cn/orgs/1/" in immediate.body
    assert "https://npo.example.cn/notifications/preferences/" in immediate.body
    assert "1. [测试通知] 新的登记申请" in digest.body
    assert "https://npo.example.cn/orgs/2/" in digest.body
