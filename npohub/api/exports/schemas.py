"""Shapes of /api/v1/exports/: input and output are separate classes, with no rules in them."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ExportIn(Schema):
    definition: str = Field(
        ..., description="列表标识，如 orgs.organizations、credit.listings（见 GET /exports/lists）"
    )
    format: str = Field("xlsx", description="xlsx 或 csv")
    filters: dict[str, str | list[str]] = Field(
        default_factory=dict, description='与列表页相同的查询参数，如 {"kind": "association"}'
    )


class ExportListOut(Schema):
    key: str
    title: str


class ExportJobOut(Schema):
    id: int
    definition: str
    title: str
    format: str
    filters: dict[str, list[str]]
    state: str = Field(..., description="queued / running / done / sent / failed / expired")
    state_label: str
    total_rows: int
    processed_rows: int
    percent: int
    message: str
    download_url: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
