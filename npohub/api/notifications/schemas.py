"""Input and output shapes of /api/v1/notifications/. Shapes only: the rules live in notifications."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class NotificationFilterIn(Schema):
    unread: bool = Field(False, description="只返回未读通知")


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    is_read: bool
    actor: str | None = Field(None, description="触发通知的用户（姓名）")


class MarkReadIn(StrictIn):
    """Either ``ids`` (at most 500 of one's own notifications) or ``all: true``."""

    ids: list[int] = Field(default_factory=list, description="要标为已读的通知编号")
    all: bool = Field(False, description="把全部未读通知标为已读")


class MarkReadOut(Schema):
    updated: int = Field(..., description="由未读变为已读的条数")
    unread: int = Field(..., description="剩余未读条数")


class ChannelOut(Schema):
    value: str
    label: str


class PreferenceOut(Schema):
    kind: str
    label: str
    category: str
    channel: str
    default_channel: str
    is_default: bool


class PreferencesOut(Schema):
    channels: list[ChannelOut]
    preferences: list[PreferenceOut]


class PreferencesIn(StrictIn):
    """``{kind: channel}``; kinds not listed keep their current channel."""

    preferences: dict[str, str] = Field(
        ..., description="通知类型 → 接收方式（in_app / email / digest / muted）"
    )
