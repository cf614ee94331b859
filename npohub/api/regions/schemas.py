"""Input and output shapes of /api/v1/regions/. Shapes only: the rules live in regions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from npohub.regions.codes import parent_code
from npohub.regions.models import Region

from ..errors import ErrorOut as ErrorOut


class RegionFilterIn(Schema):
    """List filters (query string): the children of ``parent``, or a name search under it."""

    parent: str = Field("", description="上级区划代码（2/4/6/9/12位）；为空时列出省级")
    q: str = Field("", max_length=50, description="名称关键字：在 parent 范围内搜索（含各级下级）")
    level: int | None = Field(None, ge=1, le=5, description="只要此级别：1省 2地 3县 4乡 5村")


class UrbanRuralCorrectionIn(Schema):
    """A bureau official's correction of a community's urban/rural flag."""

    model_config = ConfigDict(extra="forbid")

    urban_rural: Literal["urban", "rural"] = Field(..., description="urban（城镇）或 rural（乡村）")


class RegionRefOut(Schema):
    code: str
    name: str
    level: int


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    parent_code: str | None
    urban_rural: str
    urban_rural_source: str
    urban_rural_code: str
    is_active: bool
    inactive_since: dt.date | None
    first_year: int | None
    last_year: int | None

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return parent_code(obj.code)


class RegionDetailOut(RegionOut):
    path: list[RegionRefOut] = Field(description="从省级到本级的各级区划（面包屑）")
