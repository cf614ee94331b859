"""Shapes of /api/v1/imports/: input and output are separate classes, with no rules in them."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from ..errors import ErrorOut as ErrorOut


class ImportKindIn(Schema):
    kind: str = Field(
        ..., description="registered（登记的社会组织）或 community_group（备案社区社会组织）"
    )


class ImportCountsOut(Schema):
    create: int = 0
    update: int = 0
    unchanged: int = 0


class ImportJobOut(Schema):
    id: int
    kind: str
    filename: str
    status: str = Field(
        ..., description="pending / validating / preview / invalid / committing / done / failed"
    )
    status_label: str
    total_rows: int
    processed_rows: int
    error_count: int
    counts: ImportCountsOut
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportErrorOut(Schema):
    row: int | None = Field(None, description="Excel 行号（列名为第 1 行）；文件级错误为 null")
    column: str = Field("", description="文件中的列名")
    field: str = Field("", description="字段名")
    message: str
