"""Writes: create notifications (e-mail goes out after commit), mark them read, set preferences,
send the daily digest.

Only the preference changes are audited: a notification is itself the record of what was sent,
and reading one's own inbox is not an act anyone is accountable for.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date

from .errors import UnknownChannel, UnknownKind
from .kinds import get_kind, kind_label
from .models import Channel, Notification, NotificationPreference
from .permissions import can_use_notifications

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
URL_MAX_LENGTH = 500
MARK_READ_MAX_IDS = 500
DIGEST_MAX_ITEMS = 100
DEFAULT_SUBJECT_PREFIX = "[社会组织综合管理平台] "


# --- notify --------------------------------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: User | None = None,
    dedupe_key: str = "",
) -> int:
    """Create one notification per distinct active recipient other than the actor.

    Runs in the caller's transaction. A muted kind creates nothing; a non-empty ``dedupe_key``
    adds nothing for a recipient who still has an unread one with the same kind and key.
    Immediate e-mails are queued after commit. Returns how many notifications were created.
    """
    definition = get_kind(kind)
    if definition is None:
        raise ValueError(
            f"Unregistered notification kind {kind!r}: call register_kind() in AppConfig.ready()."
        )
    if url and not _is_link(url):
        raise ValueError(
            f"Notification url {url!r}: use a path such as '/orgs/1/' or an http(s):// address "
            f"of at most {URL_MAX_LENGTH} characters."
        )
    users = _distinct_recipients(recipients, actor)
    if not users:
        return 0
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=list(users), kind=kind).values_list(
            "user_id", "channel"
        )
    )
    pending: set[int] = set()
    if dedupe_key:
        pending = set(
            Notification.objects.filter(
                recipient_id__in=list(users), kind=kind, dedupe_key=dedupe_key, read_at__isnull=True
            ).values_list("recipient_id", flat=True)
        )
    now = timezone.now()
    rows = []
    for user in users.values():
        channel = chosen.get(user.pk, definition.default_channel)
        if channel == Channel.MUTED or user.pk in pending:
            continue
        rows.append(
            Notification(
                recipient=user,
                actor=actor if actor is not None and actor.pk else None,
                kind=kind,
                title=_clip(title, TITLE_MAX_LENGTH),
                body=body,
                url=url,
                # Without an address there is nothing to e-mail: keep it in the platform.
                channel=channel if user.email else Channel.IN_APP,
                created_at=now,
                dedupe_key=dedupe_key,
            )
        )
    created = _insert(rows)
    email_ids = [n.pk for n in created if n.channel == Channel.EMAIL]
    if email_ids:
        transaction.on_commit(lambda: _enqueue_emails(email_ids), robust=True)
    return len(created)


def _distinct_recipients(recipients: Iterable[User], actor: User | None) -> dict[int, User]:
    actor_pk = getattr(actor, "pk", None)
    users: dict[int, User] = {}
    for user in recipients:
        if user.pk is None or user.pk == actor_pk or not user.is_active:
            continue
        users.setdefault(user.pk, user)
    return users


def _is_link(url: str) -> bool:
    """A site path or an http(s) address (never ``javascript:`` or a scheme-relative ``//``)."""
    if len(url) > URL_MAX_LENGTH:
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    return url.startswith(("http://", "https://"))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _insert(rows: list[Notification]) -> list[Notification]:
    """Insert the rows; if a concurrent call won a dedupe race, insert one by one and skip it."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
        return created


def _enqueue_emails(notification_ids: list[int]) -> None:
    from .tasks import send_notification_emails_task

    send_notification_emails_task.enqueue(notification_ids)


# --- e-mail --------------------------------------------------------------------------------------


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail each listed notification still due an immediate e-mail; returns how many went out.

    Rows are claimed before sending, so a retry or a concurrent run never sends twice; a failed
    message releases its row.
    """
    ids = list(notification_ids)
    stamp = timezone.now()
    due = Notification.objects.filter(
        pk__in=ids,
        channel=Channel.EMAIL,
        emailed_at__isnull=True,
        recipient__is_active=True,
    ).exclude(recipient__email="")
    if not due.update(emailed_at=stamp):
        return 0
    claimed = Notification.objects.filter(pk__in=ids, emailed_at=stamp).select_related(
        "recipient", "actor"
    )
    messages = [([n.pk], _notification_message(n)) for n in claimed]
    failed = _send_each(messages)
    if failed:
        Notification.objects.filter(pk__in=failed).update(emailed_at=None)
    return _count_sent(messages, failed)


def digest_send(*, on: dt.date) -> int:
    """E-mail each user one summary of their unread digest notifications up to the end of ``on``.

    Rows are claimed before sending, so running twice sends nothing the second time; a failed
    e-mail releases its rows for the next run. Returns the number of e-mails sent.
    """
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    stamp = timezone.now()
    pending = Notification.objects.filter(
        channel=Channel.DIGEST,
        digest_sent_at__isnull=True,
        read_at__isnull=True,
        created_at__lt=end,
    )
    if not pending.update(digest_sent_at=stamp):
        return 0
    claimed = (
        Notification.objects.filter(channel=Channel.DIGEST, digest_sent_at=stamp)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in claimed:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    # Users since deactivated or left without an address: their rows count as handled.
    messages = [
        ([n.pk for n in rows], _digest_message(rows[0].recipient, rows, on))
        for rows in by_user.values()
        if rows[0].recipient.is_active and rows[0].recipient.email
    ]
    failed = _send_each(messages)
    if failed:
        Notification.objects.filter(pk__in=failed).update(digest_sent_at=None)
    return _count_sent(messages, failed)


def _count_sent(messages: list[tuple[list[int], EmailMessage]], failed: list[int]) -> int:
    failed_ids = set(failed)
    return sum(1 for ids, _ in messages if failed_ids.isdisjoint(ids))


def _subject(text: str) -> str:
    prefix = getattr(settings, "NPOHUB_EMAIL_SUBJECT_PREFIX", DEFAULT_SUBJECT_PREFIX)
    return " ".join(f"{prefix}{text}".split())


def _absolute(url: str) -> str:
    """A link usable from a mail client: relative paths get ``NPOHUB_SITE_URL`` in front."""
    if not url or "://" in url:
        return url
    base = str(getattr(settings, "NPOHUB_SITE_URL", "")).rstrip("/")
    return f"{base}{url}" if base else url


def _message(user: User, subject: str, template: str, context: dict[str, Any]) -> EmailMessage:
    text = render_to_string(template, {"user": user, **context})
    return EmailMessage(subject=_subject(subject), body=text, to=[user.email])


def _notification_message(notification: Notification) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            notification.recipient,
            notification.title,
            "notifications/email/notification_email.txt",
            {
                "notification": notification,
                "kind_label": kind_label(notification.kind),
                "link": _absolute(notification.url),
                "preferences": _absolute(reverse("notifications:preferences")),
            },
        )


def _digest_message(user: User, rows: list[Notification], on: dt.date) -> EmailMessage:
    shown = rows[:DIGEST_MAX_ITEMS]
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("每日通知汇总（%(day)s，共 %(count)s 条）") % {
            "day": cn_date(on),
            "count": len(rows),
        }
        return _message(
            user,
            subject,
            "notifications/email/digest_email.txt",
            {
                "items": [
                    {"n": n, "kind_label": kind_label(n.kind), "link": _absolute(n.url)}
                    for n in shown
                ],
                "count": len(rows),
                "more": len(rows) - len(shown),
                "on": on,
                "inbox": _absolute(reverse("notifications:notification-list")),
                "preferences": _absolute(reverse("notifications:preferences")),
            },
        )


def _send_each(messages: list[tuple[list[int], EmailMessage]]) -> list[int]:
    """Send over one connection; returns the notification ids whose message failed."""
    if not messages:
        return []
    failed: list[int] = []
    try:
        with get_connection() as connection:
            for ids, message in messages:
                message.connection = connection
                try:
                    message.send()
                except Exception:
                    logger.exception("Notification e-mail to %s failed", message.to)
                    failed.extend(ids)
    except Exception:
        logger.exception("Could not open the e-mail connection")
        return [pk for ids, _ in messages for pk in ids]
    return failed


# --- reading -------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(
    *, actor: User, notification_ids: Iterable[int] | None = None, mark_all: bool = False
) -> int:
    """Mark the actor's own notifications read: the listed ones, or every unread one.

    An id that is not one of the actor's refuses the whole request as not found (nothing
    changes). Returns how many turned from unread to read.
    """
    require(can_use_notifications(actor))
    own = Notification.objects.filter(recipient=actor)
    ids = set(notification_ids or ())
    if mark_all == bool(ids):
        raise ValidationFailed(
            "请指定要标为已读的通知，或选择全部标为已读（二者选一）",
            details={"ids": "请提供通知编号，或设置 all 为 true"},
        )
    if ids:
        if len(ids) > MARK_READ_MAX_IDS:
            raise ValidationFailed(
                f"一次最多标记 {MARK_READ_MAX_IDS} 条通知",
                details={"ids": f"最多 {MARK_READ_MAX_IDS} 条"},
            )
        missing = ids - set(own.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise NotFound("通知不存在", details={"ids": sorted(missing)})
        own = own.filter(pk__in=ids)
    return own.filter(read_at__isnull=True).update(read_at=timezone.now())


# --- preferences ---------------------------------------------------------------------------------


def _channel_choices_text() -> str:
    return "、".join(f"{value}（{label}）" for value, label in Channel.choices)


def _validate_channels(channels: Mapping[str, str]) -> None:
    """Every kind must be registered and every channel known; otherwise nothing is stored."""
    unknown = [kind for kind in channels if get_kind(kind) is None]
    if unknown:
        raise UnknownKind(
            "未知的通知类型：" + "、".join(unknown),
            details=dict.fromkeys(unknown, "未知的通知类型"),
        )
    invalid = {kind: channel for kind, channel in channels.items() if channel not in Channel.values}
    if invalid:
        raise UnknownChannel(
            "未知的接收方式："
            + "、".join(sorted({str(c) for c in invalid.values()}))
            + "。可选："
            + _channel_choices_text(),
            details={kind: f"未知的接收方式：{channel}" for kind, channel in invalid.items()},
        )


def _apply_channels(actor: User, channels: Mapping[str, str], *, explicit: bool) -> dict[str, Any]:
    """Store the channels; ``explicit`` also stores one equal to the kind's default.

    Returns ``{kind: [before, after]}`` of what was stored. Digest notifications still waiting
    for a kind that leaves the digest stay in the platform and are not e-mailed later.
    """
    stored = dict(
        NotificationPreference.objects.filter(user=actor, kind__in=list(channels)).values_list(
            "kind", "channel"
        )
    )
    changes: dict[str, Any] = {}
    for kind, channel in channels.items():
        definition = get_kind(kind)
        assert definition is not None  # checked by _validate_channels
        before = stored.get(kind, definition.default_channel)
        if stored.get(kind) == channel or (before == channel and not explicit):
            continue
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"channel": channel}
        )
        changes[kind] = [before, channel]
    leaving_digest = [
        kind
        for kind, (before, after) in changes.items()
        if before == Channel.DIGEST and after != Channel.DIGEST
    ]
    if leaving_digest:
        Notification.objects.filter(
            recipient=actor,
            kind__in=leaving_digest,
            channel=Channel.DIGEST,
            digest_sent_at__isnull=True,
        ).update(channel=Channel.IN_APP)
    return changes


@transaction.atomic
def preference_set(*, actor: User, kind: str, channel: str) -> NotificationPreference:
    """Set how the actor receives one kind (in-platform, e-mail, daily digest or not at all)."""
    require(can_use_notifications(actor))
    _validate_channels({kind: channel})
    changes = _apply_channels(actor, {kind: channel}, explicit=True)
    if changes:
        audit_record(
            actor=actor,
            kind="notifications.preferences_changed",
            target=actor,
            payload={"changes": changes},
        )
    return NotificationPreference.objects.get(user=actor, kind=kind)


@transaction.atomic
def preferences_update(*, actor: User, channels: Mapping[str, str]) -> dict[str, Any]:
    """Set the actor's channel for each listed kind at once; kinds not listed keep theirs.

    One unknown kind or channel refuses the lot. Returns ``{kind: [before, after]}``.
    """
    require(can_use_notifications(actor))
    _validate_channels(channels)
    changes = _apply_channels(actor, channels, explicit=False)
    if changes:
        audit_record(
            actor=actor,
            kind="notifications.preferences_changed",
            target=actor,
            payload={"changes": changes},
        )
    return changes
