"""Input and output shapes of /api/v1/community/: activity reports and filing delegations.

Shapes only: the rules live in ``npohub.registration``. Inputs forbid unknown fields.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from ..orgs.schemas import StrictIn


class ActivityReportIn(StrictIn):
    """A major activity of a filed community group, reported to its street."""

    organization_id: int = Field(..., description="备案社区社会组织的 id")
    title: str = Field("", description="活动名称")
    starts_on: dt.date = Field(..., description="活动日期")
    location: str = Field("", description="活动地点")
    participants: int = Field(..., description="预计人数（大于 0）")
    description: str = Field("", description="活动内容")


class ActivityActionIn(StrictIn):
    action: str = Field(
        ...,
        description="acknowledge（知悉）/ query（提出疑问）由街道或受托联合会；answer（说明）由报告组织",
    )
    text: str = Field("", description="意见或说明；提出疑问和说明时必填")


class ThreadEntryOut(Schema):
    by: str
    role: str = Field(..., description="federation（街道/联合会）或 group（报告组织）")
    action: str
    text: str
    at: str


class ActivityReportOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    title: str
    starts_on: dt.date
    location: str
    participants: int
    description: str
    state: str = Field(..., description="submitted / acknowledged / queried / answered")
    state_label: str
    reported_by: str
    created_at: dt.datetime
    thread: list[ThreadEntryOut]
    actions: list[str] = Field(..., description="调用者现在可以执行的操作")


class ActivityReportFilterIn(Schema):
    state: str = Field("", description="submitted / acknowledged / queried / answered")
    organization_id: int | None = None


class DelegationIn(StrictIn):
    street_code: str = Field(..., description="街道/乡镇的 12 位（或 9 位）区划代码")
    federation_id: int = Field(..., description="受托组织（街道社会组织联合会）的 id")
    valid_from: dt.date
    valid_until: dt.date | None = Field(None, description="最后有效日期；不填为长期")


class DelegationEndIn(StrictIn):
    valid_until: dt.date = Field(..., description="最后有效日期（生效日期前一天即撤销）")


class DelegationOut(Schema):
    id: int
    street_code: str
    street_name: str
    federation_id: int
    federation_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    state: str = Field(..., description="pending（未生效）/ active（生效中）/ ended（已结束）")
    created_by: str
