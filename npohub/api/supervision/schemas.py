"""Input and output shapes of /api/v1/supervision/ (separate In/Out classes; no rules here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut, MoveOut


class ReportFilterIn(Schema):
    year: int | None = Field(None, description="报告年度")
    state: str = Field("", description="状态代码")
    kind: str = Field("", description="组织类型")
    conclusion: str = Field("", description="年检结论")
    region: str = Field("", description="区划代码前缀")
    q: str = Field("", description="组织名称")


class ReportListOut(Schema):
    id: int
    year: int
    organization_id: int
    organization_name: str
    org_kind: str
    state: str
    state_label: str
    is_dual_managed: bool
    bureau_deadline: dt.date
    bureau_received_on: dt.date | None
    is_late: bool
    conclusion: str
    conclusion_label: str


class ProblemOut(Schema):
    section: str
    field: str
    message: str


class FieldOut(Schema):
    code: str
    label: str
    type: str
    required: bool
    computed: bool
    value: Any = None
    prefilled_from: str = ""
    confirmed: bool = False


class SectionOut(Schema):
    code: str
    label: str
    fields: list[FieldOut]


class ReturnedOut(Schema):
    """Why a returned report came back (issue 13): who returned it, when, the reason."""

    by: str
    reason: str
    at: dt.datetime
    actor: str


class ReportAttachmentIn(Schema):
    """Multipart form fields next to ``file``."""

    kind: str = Field(
        "",
        description="材料类型（必填）：financial_statements、accounts_note、audit_report、"
        "rectification、other",
    )


class ReportAttachmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    download_url: str


class ReportDetailOut(ReportListOut):
    personal_data_masked: bool = Field(
        description="内容中的身份证号和电话是否已遮蔽（只有办理该报告的组织、业务主管单位和登记管理机关看到全文）"
    )
    editable: bool = Field(description="调用者现在能否修改报告内容")
    is_charity: bool
    needs_rectification: bool
    rectification_basis: str
    supervisor_deadline: dt.date | None
    submitted_on: dt.date | None
    supervisor_reviewed_on: dt.date | None
    supervisor_opinion: str
    returned: ReturnedOut | None = None
    conclusion_reasons: str
    concluded_on: dt.date | None
    published_on: dt.date | None
    sections: list[SectionOut]
    problems: list[ProblemOut]
    moves: list[str]
    move_options: list[MoveOut] = Field(
        default_factory=list, description="可执行的操作：代码（提交时用）与名称（显示用）"
    )
    attachments: list[ReportAttachmentOut] = Field(default_factory=list)
    history: list[HistoryOut]


class ReportCreateIn(Schema):
    organization_id: int
    year: int


class SectionIn(Schema):
    values: dict[str, Any] = Field(default_factory=dict, description="字段代码 → 值")


class SupervisionTransitionIn(Schema):
    transition: str = Field(
        description="submit | supervisor_approve | supervisor_return | return | publish | reopen"
    )
    note: str = ""


class ConclusionIn(Schema):
    conclusion: str = Field(description="pass（合格）| basic_pass（基本合格）| fail（不合格）")
    reasons: str = ""


class CalendarRowOut(Schema):
    kind: str
    kind_label: str
    supervisor: dt.date
    bureau: dt.date
    exempt_after: dt.date | None


class CalendarOut(Schema):
    year: int
    rows: list[CalendarRowOut]
    charity_disclosure: dt.date


class RateOut(Schema):
    code: str
    label: str
    due: int
    submitted: int
    on_time: int
    rate: float


class StatsOut(Schema):
    year: int
    region_code: str
    by_region: list[RateOut]
    by_kind: list[RateOut]
    total: RateOut


class PublicConclusionOut(Schema):
    year: int
    organization_name: str
    uscc: str
    conclusion: str
    conclusion_label: str
    published_on: dt.date | None


class MissingOut(Schema):
    organization_id: int
    name: str
    kind: str
    address_code: str
