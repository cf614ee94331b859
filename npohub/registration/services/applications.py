"""Starting and editing an application (the applicant's draft): its number, the form data
allowed, where it is registered, its supervisory department.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from npohub.core.permissions import require
from npohub.core.workflows import record_event
from npohub.orgs.models import (
    Category,
    Kind,
    Organization,
)
from npohub.regions.models import Region

from .. import rules
from ..models import (
    Application,
    Department,
)
from ..permissions import (
    can_start_application,
    capacities_of,
)
from ..workflows import (
    APPLICANT_EDITABLE,
    CREATE,
    S,
    Workflow,
    state_label,
    workflow_for,
)
from .common import _lock, _region_prefix
from .workflow import APPLICATION_WORKFLOW


def _next_number(kind: str, today: dt.date) -> str:
    prefix = ("BA" if kind == "filing" else "DJ") + f"{today:%Y}"
    last = Application.objects.filter(number__startswith=prefix).aggregate(m=Max("number")).get("m")
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def _clean_form(workflow: Workflow, data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed(_("申请内容格式错误"), details={"data": _("应为对象")})
    allowed = set(rules.ORG_FIELDS) | {
        "individual_members",
        "unit_members",
        "funds_paid_in_cash",
        "parent_id",
        "changes",
        "officers",
        "term_years",
        "reason",
        "liquidation_completed_on",
        "members",
        "articles_summary",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            _("申请内容含有未知字段：%(fields)s") % {"fields": "、".join(unknown)},
            details={k: _("未知字段") for k in unknown},
        )
    return {k: v for k, v in data.items() if v is not None}


def _resolve_location(
    *,
    workflow: Workflow,
    organization: Organization | None,
    data: dict[str, Any],
    authority_code: str,
) -> tuple[Region, str]:
    if organization is not None and workflow.kind != "establishment":
        authority = organization.authority_region
        if authority is None:
            raise ValidationFailed(
                _("该组织没有登记管理机关"), details={"organization": _("缺少登记管理机关")}
            )
        return authority, organization.address_code
    code = (authority_code or "").strip()
    community_code = str(data.get("community_code", "") or "").strip()
    if organization is not None and not community_code:  # 备案 → 登记 keeps its community
        community_code = organization.address_code
    if workflow.kind == "filing":
        community = Region.objects.filter(code=community_code.ljust(12, "0")).first()
        if community is None:
            raise ValidationFailed(
                _("请选择组织所在的社区或村"), details={"community_code": _("未知的区划代码")}
            )
        county = Region.objects.filter(code=community.code[:6] + "000000").first()
        if county is None:
            raise ValidationFailed(_("找不到所在县区"), details={"community_code": _("无效")})
        return county, community.code
    authority = Region.objects.filter(code=code.ljust(12, "0")).first() if code else None
    if authority is None:
        raise ValidationFailed(
            _("请选择登记管理机关所在区划"), details={"authority_region": _("未知的区划代码")}
        )
    if not community_code:
        return authority, authority.code
    community = Region.objects.filter(code=community_code.ljust(12, "0")).first()
    if community is None or not community.code.startswith(_region_prefix(authority)):
        raise ValidationFailed(
            _("住所所在社区/村“%(code)s”不存在或不在登记管理机关辖区内") % {"code": community_code},
            details={"community_code": _("无效")},
        )
    return authority, community.code


@transaction.atomic
def application_create(
    *,
    actor: Any,
    kind: str,
    org_kind: str = "",
    organization: Organization | None = None,
    authority_code: str = "",
    category_code: str = "",
    data: dict[str, Any] | None = None,
    supervisory_department: Department | None = None,
    supervisory_consent_on: dt.date | None = None,
) -> Application:
    """Start an application (a draft the applicant fills, attaches to and submits)."""
    workflow = _workflow_or_error(kind)
    data = _clean_form(workflow, data or {})
    if workflow.needs_organization and organization is None:
        raise ValidationFailed(_("请选择要办理的组织"), details={"organization": _("必填")})
    if organization is not None:
        org_kind = organization.kind if kind != "establishment" else (org_kind or "")
        if organization.is_closed:
            raise ValidationFailed(
                _("该组织已注销或撤销"), details={"organization": _("已注销或撤销")}
            )
        if kind == "establishment" and organization.kind != Kind.COMMUNITY_GROUP:
            raise ValidationFailed(
                _("该组织已登记；成立登记只适用于新组织或备案组织转登记"),
                details={"organization": _("已登记")},
            )
        if kind != "establishment" and organization.kind not in workflow.org_kinds:
            raise ValidationFailed(
                _("%(kind)s不适用于%(org_kind)s")
                % {"kind": workflow.label, "org_kind": organization.get_kind_display()},
                details={"organization": _("类型不符")},
            )
    if kind == "filing":
        org_kind = Kind.COMMUNITY_GROUP
    if org_kind not in workflow.org_kinds:
        raise ValidationFailed(
            _("%(kind)s不适用于该组织类型") % {"kind": workflow.label},
            details={"org_kind": _("无效")},
        )
    authority, address_code = _resolve_location(
        workflow=workflow, organization=organization, data=data, authority_code=authority_code
    )
    require(
        can_start_application(
            actor,
            kind=kind,
            organization=organization,
            authority_code=authority.code,
            address_code=address_code,
        )
    )
    category = None
    code = category_code or str(data.get("category_code", "") or "")
    if organization is not None and not code and organization.category_id:
        category = organization.category
    elif code:
        category = Category.objects.filter(code=code, is_active=True).first()
        if category is None:
            raise ValidationFailed(
                _("未知类别“%(code)s”") % {"code": code}, details={"category_code": _("无效")}
            )
    if category is not None:
        data["category_code"] = category.code
    _check_department(supervisory_department, authority)
    today = timezone.localdate()
    app = Application(
        kind=kind,
        state=S.DRAFT,
        organization=organization,
        org_kind=org_kind,
        category=category,
        name=_name_of(kind, organization, data),
        authority_region=authority,
        address_code=address_code,
        applicant=actor,
        data=data,
        supervisory_department=supervisory_department,
        supervisory_consent_on=supervisory_consent_on,
        is_charity=bool(data.get("is_charity")) or bool(organization and organization.is_charity),
    )
    app.is_direct = rules.direct_category(app)
    for _attempt in range(5):
        app.number = _next_number(kind, today)
        try:
            with transaction.atomic():
                app.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five concurrent collisions
        raise Conflict(_("申请编号冲突，请重试"))
    record_event(
        APPLICATION_WORKFLOW, app, move=CREATE.name, from_state="", to_state=S.DRAFT, actor=actor
    )
    audit_record(
        actor=actor,
        kind="registration.application_created",
        target=app,
        payload={"kind": kind, "number": app.number, "data": data},
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    return app


def _name_of(kind: str, organization: Organization | None, data: dict[str, Any]) -> str:
    if kind == "change":
        new = (data.get("changes") or {}).get("name")
        if new:
            return str(new)[:200]
    if organization is not None and kind != "establishment":
        return organization.name
    return str(data.get("name", "") or (organization.name if organization else ""))[:200]


def _check_department(department: Department | None, authority: Region) -> None:
    if department is None:
        return
    if department.kind != "supervisory" or not department.is_active:
        raise ValidationFailed(
            _("“%(name)s”不是业务主管单位") % {"name": department.name},
            details={"supervisory_department": _("无效")},
        )
    if not authority.code.startswith(_region_prefix(department.region)):
        raise ValidationFailed(
            _("业务主管单位“%(name)s”不在登记管理机关的辖区内") % {"name": department.name},
            details={"supervisory_department": _("不在辖区内")},
        )


@transaction.atomic
def application_update(
    *,
    actor: Any,
    app: Application,
    data: dict[str, Any],
    supervisory_department: Department | None | str = "keep",
    supervisory_consent_on: dt.date | None | str = "keep",
) -> Application:
    """Change the content of an application the applicant holds (draft, returned, 补正)."""
    app = _lock(app)
    held, _behalf = capacities_of(actor, app)
    workflow = workflow_for(app.kind)
    starter = "bureau" if workflow.started_by == "bureau" else "applicant"
    if starter not in held:
        raise PermissionDenied(_("只有申请人可以修改申请内容"))
    if app.state not in APPLICANT_EDITABLE:
        raise InvalidTransition(
            _("申请处于“%(state)s”状态，不能修改") % {"state": state_label(app.state)},
            details={"state": app.state},
        )
    cleaned = _clean_form(workflow, data)
    before = dict(app.data)
    app.data = cleaned
    if cleaned.get("category_code"):
        category = Category.objects.filter(code=cleaned["category_code"], is_active=True).first()
        if category is None:
            raise ValidationFailed(
                _("未知类别“%(code)s”") % {"code": cleaned["category_code"]},
                details={"category_code": _("无效")},
            )
        app.category = category
    if app.organization_id is None and cleaned.get("community_code") and app.kind != "filing":
        code = str(cleaned["community_code"]).ljust(12, "0")
        if not Region.objects.filter(code=code).exists():
            raise ValidationFailed(_("未知的社区/村代码"), details={"community_code": _("无效")})
        app.address_code = code
    if supervisory_department != "keep":
        assert not isinstance(supervisory_department, str)
        _check_department(supervisory_department, app.authority_region)
        app.supervisory_department = supervisory_department
    if supervisory_consent_on != "keep":
        assert not isinstance(supervisory_consent_on, str)
        app.supervisory_consent_on = supervisory_consent_on
    app.name = _name_of(app.kind, app.organization, cleaned)
    app.is_charity = bool(cleaned.get("is_charity")) or bool(
        app.organization and app.organization.is_charity
    )
    app.is_direct = rules.direct_category(app)
    app.save()
    audit_record(
        actor=actor,
        kind="registration.application_updated",
        target=app,
        payload={"before": before, "after": cleaned},
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    return app


def _workflow_or_error(kind: str) -> Workflow:
    try:
        return workflow_for(kind)
    except KeyError as exc:
        raise ValidationFailed(
            _("未知的申请事项“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        ) from exc
