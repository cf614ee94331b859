"""Input and output of /api/v1/me/ (the caller's own API tokens and password)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from ninja import Field, Schema


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="令牌开头（npo_ 之后 8 位），用于辨认")
    scope: Literal["read", "read_write"] = Field(description="read：只读；read_write：读写")
    scope_label: str
    state: Literal["active", "expired", "revoked"]
    state_label: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="令牌全文，只在这一次返回；平台只保存其哈希")


class TokenCreateIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="用途，例如“区数据中心同步”")
    scope: Literal["read", "read_write"] = Field(
        "read", description="read（默认）：只能查询；read_write：还能提交和修改"
    )
    expires_in_days: int = Field(
        settings.API_TOKEN_DEFAULT_DAYS,
        ge=1,
        le=settings.API_TOKEN_MAX_DAYS,
        description=f"有效天数（1–{settings.API_TOKEN_MAX_DAYS}，默认 {settings.API_TOKEN_DEFAULT_DAYS}）",
    )


class PasswordChangeIn(Schema):
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)
