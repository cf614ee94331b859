"""Input and output shapes of /api/v1/registration/. Shapes only: the rules live in registration.

Inputs forbid unknown fields so a misspelt field is a 422, not a silent no-op. The application
content (``data``) is checked by the registration services, which name the unknown keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from ..errors import ErrorOut as ErrorOut


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


# --- inputs ------------------------------------------------------------------------------------


class ApplicationFilterIn(Schema):
    """List filters (query string)."""

    kind: str = Field("", description="申请事项，见 /registration/workflows（如 establishment）")
    state: str = Field("", description="状态（如 submitted、in_review、approved）")
    open_only: bool = Field(False, description="只列出未办结的申请")
    q: str = Field("", max_length=100, description="名称中的文字或申请编号前缀")


class ApplicationCreateIn(StrictIn):
    """A new application, saved as a draft the applicant completes, attaches to and submits."""

    kind: str = Field(..., description="申请事项：establishment、change、filing……")
    org_kind: str = Field(
        "", description="association / social_service / foundation / community_group"
    )
    organization_id: int | None = Field(
        None, description="办理变更、注销等事项（或备案转登记）的组织编号"
    )
    authority_code: str = Field("", description="登记管理机关所在区划代码（新组织）")
    category_code: str = Field("", description="组织类别代码")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="申请内容：登记字段（name、address、legal_representative_name……）及事项字段",
    )
    supervisory_department_id: int | None = Field(
        None, description="业务主管单位（见 /registration/departments?kind=supervisory）"
    )
    supervisory_consent_on: dt.date | None = Field(None, description="业务主管单位同意日期")


class ApplicationPatchIn(StrictIn):
    """The fields sent change; ``data`` is merged key by key (a key sent as null is removed)."""

    data: dict[str, Any] | None = None
    supervisory_department_id: int | None = None
    supervisory_consent_on: dt.date | None = None


class TransitionIn(StrictIn):
    transition: str = Field(
        ..., description="操作名，见申请详情的 transitions 或 /registration/workflows"
    )
    note: str = Field("", max_length=2000, description="说明；退回、不予核准等须填写理由")


class AttachmentIn(Schema):
    """Multipart form fields next to ``file``."""

    kind: str = Field("", description="材料类型（必填）：application_form、articles、premises……")
    review_task_id: int | None = Field(
        None, description="联审意见的附件：本部门的审查任务编号（申请材料不填）"
    )


class ReviewFilterIn(Schema):
    pending_only: bool = Field(True, description="只列出本轮待提出意见的任务")
    kind: str = Field("", description="申请事项")


class OpinionIn(StrictIn):
    opinion: str = Field(
        ..., description="agree（同意）/ disagree（不同意）/ more_material（需补正）"
    )
    reasons: str = Field("", max_length=4000, description="理由；不同意或要求补正时必填")


class DepartmentFilterIn(Schema):
    authority_code: str = Field(..., description="登记管理机关所在区划代码（2/4/6/9/12位）")
    kind: str = Field(
        "", description="approval / civil_affairs / supervisory / industry / party；空为全部"
    )


# --- outputs -----------------------------------------------------------------------------------


class CodeNameOut(Schema):
    code: str
    name: str


class RefOut(Schema):
    id: int
    name: str


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: CodeNameOut


class ApplicationSummaryOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    name: str
    org_kind: str
    org_kind_label: str
    organization: RefOut | None
    authority_region: CodeNameOut
    address_code: str


class ApplicationListOut(ApplicationSummaryOut):
    category: CodeNameOut | None
    applicant: str
    is_direct: bool
    is_charity: bool
    submitted_at: dt.datetime | None
    accepted_on: dt.date | None
    due_on: dt.date | None
    days_left: int | None
    paused: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ClockOut(Schema):
    """The statutory clock (rule 9): calendar days from acceptance, minus 补正 pauses."""

    accepted_on: dt.date | None
    deadline_days: int | None
    due_on: dt.date | None
    days_left: int | None
    overdue: bool
    paused: bool
    paused_since: dt.date | None
    paused_days: int


class AvailableTransitionOut(Schema):
    name: str
    label: str
    target: str
    target_label: str
    needs_note: bool


class AttachmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    review_task_id: int | None
    download_url: str


class ReviewTaskOut(Schema):
    id: int
    department: DepartmentOut
    round: int
    opinion: str = Field(..., description="空 = 尚未提出意见")
    opinion_label: str
    reasons: str
    reviewer: str | None
    created_at: dt.datetime
    due_on: dt.date | None
    decided_at: dt.datetime | None
    is_pending: bool
    is_current: bool = Field(..., description="属于当前审查轮次且申请仍在联合审查中")


class ReviewTaskWithAttachmentsOut(ReviewTaskOut):
    attachments: list[AttachmentOut]


class StateChangeOut(Schema):
    transition: str
    from_state: str
    from_label: str
    to_state: str
    to_label: str
    actor: str
    on_behalf_of: str
    note: str
    occurred_at: dt.datetime


class ApplicationDetailOut(ApplicationListOut):
    data: dict[str, Any]
    supervisory_department: DepartmentOut | None
    supervisory_consent_on: dt.date | None
    review_round: int
    decided_at: dt.datetime | None
    decision_note: str
    flags: list[Any]
    result: dict[str, Any]
    clock: ClockOut
    editable: bool = Field(..., description="当前用户可以修改内容和上传材料")
    personal_data_masked: bool
    required_attachments: list[CodeNameOut]
    transitions: list[AvailableTransitionOut] = Field(..., description="当前用户此刻可以执行的操作")
    review_tasks: list[ReviewTaskWithAttachmentsOut]
    history: list[StateChangeOut]
    attachments: list[AttachmentOut]


class ReviewInboxOut(ReviewTaskOut):
    application: ApplicationSummaryOut


class ReviewDetailOut(ReviewInboxOut):
    attachments: list[AttachmentOut]
    can_give_opinion: bool
    reason: str = Field("", description="不能提出意见时的原因")


class DeadlineRowOut(Schema):
    application: ApplicationSummaryOut
    accepted_on: dt.date | None
    due_on: dt.date | None
    days_left: int | None
    overdue: bool
    paused: bool


class StateOut(Schema):
    code: str
    label: str
    final: bool
    applicant_editable: bool


class WorkflowTransitionOut(Schema):
    name: str
    label: str
    sources: list[str]
    target: str
    capacity: str = Field(..., description="applicant / bureau / community / street / system")
    capacity_label: str
    needs_note: bool
    guards: list[str]
    effect: str


class WorkflowOut(Schema):
    kind: str
    label: str
    org_kinds: list[CodeNameOut]
    needs_organization: bool
    started_by: str
    form: str
    deadline_key: str
    announcement: str
    states: list[StateOut]
    transitions: list[WorkflowTransitionOut]
    required_attachments: list[CodeNameOut]
    approval_attachments: list[CodeNameOut]
