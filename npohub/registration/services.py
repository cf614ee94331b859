"""Registration services: applications, the one transition path, joint review, filing.

Every state change goes through :func:`application_transition`, which hands the move to the one
workflow engine (``npohub.core.workflows.run_move``) with ``APPLICATION_WORKFLOW``: the table of
the application's kind (``workflows.py``), the capacities from ``permissions.capacities_of``,
the guards and effects below (the registry change on approval happens in an effect, in the same
transaction) and the notifier.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.audit import OnBehalfOf, actor_label_for, audit_record
from npohub.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from npohub.core.permissions import require
from npohub.core.validators import uscc_check_character
from npohub.core.workflows import Capacities, MoveContext, record_event, register, run_move
from npohub.core.workflows import Workflow as Engine
from npohub.notifications.services import notify
from npohub.orgs import services as org_services
from npohub.orgs.access import organization_account_grant
from npohub.orgs.models import (
    AccessReason,
    Category,
    Kind,
    Officer,
    Organization,
    OrganizationAccess,
    Person,
    Status,
)
from npohub.orgs.validation import OrganizationInput
from npohub.regions.models import Region

from . import rules
from .attachments import check_upload
from .models import (
    ACTIVITY_REPORT_TRANSITIONS,
    PARTICIPANTS_MAX,
    ActivityReport,
    Announcement,
    Application,
    Attachment,
    Certificate,
    Department,
    FilingDelegation,
    Opinion,
    ReviewRoute,
    ReviewTask,
)
from .permissions import (
    can_manage_delegation,
    can_report_activity,
    can_review,
    can_start_application,
    capacities_of,
    federation_capacity,
    federation_on_behalf,
)
from .policy import policy_for
from .workflows import (
    APPLICANT_EDITABLE,
    CREATE,
    ApplicationState,
    S,
    Transition,
    Workflow,
    every_move,
    state_label,
    workflow_for,
)

# What a guard or effect reads: the application is ``ctx.obj``, the move ``ctx.move``.
Context = MoveContext[Application]


# ---------------------------------------------------------------------------------------------
# Numbers and identifiers


def _next_number(kind: str, today: dt.date) -> str:
    prefix = ("BA" if kind == "filing" else "DJ") + f"{today:%Y}"
    last = Application.objects.filter(number__startswith=prefix).aggregate(m=Max("number")).get("m")
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of the 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def issue_uscc(org_kind: str, authority: Region) -> str:
    """A new USCC: 5 + kind digit + authority division + 民政-assigned organisation code + check."""
    digit = {"association": "1", "social_service": "2", "foundation": "3"}[org_kind]
    head = f"5{digit}{authority.code[:6]}"
    taken = set(
        Organization.objects.filter(uscc__startswith=head + "5").values_list("uscc", flat=True)
    )
    serial = len(taken) + 1
    while True:
        body8 = f"5{serial:07d}"
        first17 = head + body8 + _org_code_check(body8)
        code = first17 + uscc_check_character(first17)
        if code not in taken:
            return code
        serial += 1


# ---------------------------------------------------------------------------------------------
# Creating and editing applications


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


def _region_prefix(region: Region) -> str:
    from npohub.regions.codes import prefix_of

    return str(prefix_of(region.code))


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


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    app: Application,
    kind: str,
    name: str,
    stream: Any,
    review_task: ReviewTask | None = None,
) -> Attachment:
    """Attach a checked document to an application (or to a department's opinion)."""
    from .models import AttachmentKind

    app = _lock(app)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(
            _("未知的材料类型“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        )
    if review_task is None:
        held, _behalf = capacities_of(actor, app)
        if not held & {"applicant", "bureau", "community", "street"}:
            raise PermissionDenied(_("您不能为该申请上传材料"))
        if "bureau" not in held and app.state not in APPLICANT_EDITABLE:
            raise InvalidTransition(
                _("申请处于“%(state)s”状态，不能再上传材料") % {"state": state_label(app.state)}
            )
    else:
        require(can_review(actor, review_task))
    max_bytes = int(policy_for(app.authority_region.code)["attachment_max_bytes"])
    checked = check_upload(name, stream, max_bytes=max_bytes)
    now = timezone.now()
    attachment = Attachment(
        application=app,
        review_task=review_task,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    # Stored under a random name: nothing of the user's file name reaches the file system.
    attachment.file.save(
        f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False
    )
    attachment.save()
    audit_record(
        actor=actor,
        kind="registration.attachment_added",
        target=app,
        payload={
            "attachment": attachment.pk,
            "kind": kind,
            "name": checked.name,
            "sha256": checked.sha256,
        },
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    app = _lock(attachment.application)
    if attachment.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("只能删除自己上传的材料"))
    if attachment.review_task_id is None and app.state not in APPLICANT_EDITABLE:
        raise InvalidTransition(_("申请已提交，材料不能删除"))
    task = attachment.review_task
    if task is not None and not task.is_pending:
        raise InvalidTransition(_("意见已提出，附件不能删除"))
    payload = {
        "attachment": attachment.pk,
        "name": attachment.original_name,
        "sha256": attachment.sha256,
    }
    stored = attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
    audit_record(
        actor=actor,
        kind="registration.attachment_removed",
        target=app,
        payload=payload,
        organization_id=app.organization_id,
        region_code=app.address_code,
    )


# ---------------------------------------------------------------------------------------------
# The transition path


def _workflow_or_error(kind: str) -> Workflow:
    try:
        return workflow_for(kind)
    except KeyError as exc:
        raise ValidationFailed(
            _("未知的申请事项“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        ) from exc


def _lock(app: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("authority_region", "organization", "category", "supervisory_department")
        .get(pk=app.pk)
    )


def _on_move(ctx: Context) -> None:
    """Bookkeeping of every move: submission time, decision time and note."""
    app = ctx.obj
    if ctx.move.target in (S.APPROVED, S.REJECTED, S.FILED):
        app.decided_at = timezone.now()
        app.decision_note = ctx.note
    if ctx.move.name in ("submit", "resubmit"):
        app.submitted_at = timezone.now()


def _table(app: Application) -> tuple[Transition, ...]:
    return workflow_for(app.kind).transitions


def _resolve(actor: Any, app: Application) -> Capacities:
    held, on_behalf = capacities_of(actor, app)
    return Capacities(frozenset(held), on_behalf)


def application_transition(
    *,
    actor: Any,
    app: Application,
    transition: str,
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """Move an application along the table of its kind (the only path that changes ``state``)."""
    return run_move(APPLICATION_WORKFLOW, app, transition, actor=actor, note=note, today=today)


_CAPACITY_REFUSAL: dict[str, Callable[[], str]] = {
    "applicant": lambda: _("只有申请人可以执行此操作"),
    "bureau": lambda: _("只有辖区登记管理机关可以执行此操作"),
    "community": lambda: _("只有组织所在社区可以执行此操作"),
    "street": lambda: _("只有组织所在街道（或受委托的街道社会组织联合会）可以执行此操作"),
    "system": lambda: _("该步骤由系统自动完成"),
}


# ---------------------------------------------------------------------------------------------
# Guards: each raises a DomainError naming what is missing


def _guard_rules(ctx: Context) -> None:
    errors = rules.check_application(ctx.obj)
    if errors:
        raise ValidationFailed(
            _("申请不符合登记规定：%(errors)s") % {"errors": "；".join(errors.values())},
            code="rule_violation",
            details=errors,
        )


def _guard_documents(ctx: Context) -> None:
    have = set(ctx.obj.attachments.filter(review_task__isnull=True).values_list("kind", flat=True))
    missing = [k for k in workflow_for(ctx.obj.kind).required_attachments if k not in have]
    if missing:
        from .models import AttachmentKind

        labels = "、".join(str(AttachmentKind(k).label) for k in missing)
        raise ValidationFailed(
            _("材料不齐全，缺少：%(labels)s") % {"labels": labels},
            code="documents_missing",
            details={"attachments": missing},
        )


def _guard_approval_documents(ctx: Context) -> None:
    needed = list(workflow_for(ctx.obj.kind).approval_attachments)
    if ctx.obj.kind == "change" and rules.representative_changes(ctx.obj):
        needed.append("audit_report")
    have = set(ctx.obj.attachments.values_list("kind", flat=True))
    missing = [k for k in needed if k not in have]
    if missing:
        raise ValidationFailed(
            _("换届或更换法定代表人须先进行财务审计，请上传财务审计报告后再核准"),
            code="audit_report_missing",
            details={"attachments": missing},
        )


def _guard_supervisory_consent(ctx: Context) -> None:
    errors = rules.check_supervisory_consent(ctx.obj)
    if errors:
        raise ValidationFailed(
            _("非直接登记类别须经业务主管单位同意后方可受理：%(errors)s")
            % {"errors": "；".join(errors.values())},
            code="supervisory_consent_missing",
            details=errors,
        )


def _guard_change_audit(ctx: Context) -> None:
    _guard_approval_documents(ctx)


GUARDS: dict[str, Callable[[Context], None]] = {
    "rules": _guard_rules,
    "documents": _guard_documents,
    "approval_documents": _guard_approval_documents,
    "supervisory_consent": _guard_supervisory_consent,
    "change_audit": _guard_change_audit,
}


# ---------------------------------------------------------------------------------------------
# Effects


def _deadline_days(app: Application, key: str) -> int:
    policy = policy_for(app.authority_region.code)
    if key == "decision_days" and app.is_charity and app.kind == "establishment":
        return int(policy["charity_decision_days"])
    return int(policy[key])


def _routed_departments(app: Application) -> list[Department]:
    routes = (
        ReviewRoute.objects.filter(application_kind=app.kind, department__is_active=True)
        .filter(models_q_category(app.category_id))
        .select_related("department__region")
    )
    chosen: dict[int, Department] = {}
    for route in routes:
        if app.authority_region.code.startswith(_region_prefix(route.department.region)):
            chosen[route.department.pk] = route.department
    if app.supervisory_department is not None and not app.is_direct:
        chosen[app.supervisory_department.pk] = app.supervisory_department
    return sorted(chosen.values(), key=lambda d: (d.kind, d.name))


def models_q_category(category_id: int | None) -> Any:
    from django.db.models import Q

    return Q(category__isnull=True) | Q(category_id=category_id)


def _create_tasks(ctx: Context, departments: Iterable[Department]) -> list[ReviewTask]:
    app = ctx.obj
    due = ctx.today + dt.timedelta(days=int(policy_for(app.authority_region.code)["review_days"]))
    now = timezone.now()
    tasks = [
        ReviewTask(
            application=app, department=d, round=app.review_round, created_at=now, due_on=due
        )
        for d in departments
    ]
    ReviewTask.objects.bulk_create(tasks)
    return tasks


def _effect_start_review(ctx: Context) -> None:
    app = ctx.obj
    app.accepted_on = ctx.today
    app.deadline_days = _deadline_days(app, workflow_for(ctx.obj.kind).deadline_key)
    app.paused_days = 0
    app.paused_since = None
    app.review_round = (app.review_round or 0) + 1
    flag = rules.late_change_flag(app, ctx.today)
    if flag and flag not in app.flags:
        app.flags = [*app.flags, flag]
    departments = _routed_departments(app)
    _create_tasks(ctx, departments)
    ctx.payload["departments"] = [d.name for d in departments]
    if not departments:
        ctx.follow_up = "review_complete"


def _effect_pause_clock(ctx: Context) -> None:
    ctx.obj.paused_since = ctx.today


def _resume(app: Application, today: dt.date) -> None:
    if app.paused_since is not None:
        app.paused_days += max((today - app.paused_since).days, 0)
        app.paused_since = None


def _effect_resume_review(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    asked = list(
        Department.objects.filter(
            review_tasks__application=app,
            review_tasks__round=app.review_round,
            review_tasks__opinion=Opinion.MORE_MATERIAL,
        ).distinct()
    )
    app.review_round += 1
    _create_tasks(ctx, asked)
    ctx.payload["departments"] = [d.name for d in asked]
    if not asked:
        ctx.follow_up = "review_complete"


def _effect_close_clock(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)


def _effect_start_filing_clock(ctx: Context) -> None:
    app = ctx.obj
    app.accepted_on = ctx.today
    app.deadline_days = _deadline_days(app, "filing_days")
    app.paused_days = 0
    app.paused_since = None


def _effect_reserve_name(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    until = ctx.today + dt.timedelta(days=183)
    ctx.obj.result = {"reserved_name": ctx.obj.name, "valid_until": until.isoformat()}


def _effect_approve_preparation(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    ctx.obj.result = {"preparation_approved_on": ctx.today.isoformat()}


def _effect_approve_articles(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    ctx.obj.result = {"articles_approved_on": ctx.today.isoformat()}


def _announce(ctx: Context, org: Organization, kind: str, detail: str = "") -> Announcement:
    from .models import AnnouncementKind

    label = str(AnnouncementKind(kind).label)
    authority = ctx.obj.authority_region
    body = _(
        "%(org)s（统一社会信用代码：%(uscc)s）经%(authority)s民政局核准，%(what)s。%(detail)s"
    ) % {
        "org": org.name,
        "uscc": org.uscc or "—",
        "authority": authority.name,
        "what": label.replace(_("公告"), ""),
        "detail": detail,
    }
    return Announcement.objects.create(
        kind=kind,
        organization=org,
        application=ctx.obj,
        title=f"{org.name}{label}",
        body=body.strip(),
        published_on=ctx.today,
        authority_region=authority,
    )


def certificate_issue(*, org: Organization, app: Application | None, today: dt.date) -> Certificate:
    """Issue the next version of the organisation's certificate; voids the current one."""
    current = Certificate.objects.filter(organization=org).filter(voided_on__isnull=True)
    current.update(voided_on=today, void_reason=_("换发新证"))
    version = (
        Certificate.objects.filter(organization=org).aggregate(m=Max("version"))["m"] or 0
    ) + 1
    person = org.legal_representative
    content = {
        "name": org.name,
        "uscc": org.uscc or "",
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "address": org.address,
        "legal_representative": person.name if person else "",
        "registered_funds": str(org.registered_funds or ""),
        "business_scope": org.business_scope,
        "activity_area": org.activity_area,
        "supervisory_unit": org.supervisory_unit,
        "registration_date": org.registration_date.isoformat() if org.registration_date else "",
        "authority": org.authority_region.name if org.authority_region else "",
    }
    return Certificate.objects.create(
        organization=org,
        number=f"{org.uscc}-{version:02d}",
        version=version,
        token=secrets.token_urlsafe(18)[:24],
        issued_on=today,
        content=content,
        application=app,
    )


def certificate_void(*, org: Organization, today: dt.date, reason: str) -> int:
    return (
        Certificate.objects.filter(organization=org)
        .filter(voided_on__isnull=True)
        .update(voided_on=today, void_reason=reason)
    )


def _grant_own(ctx: Context, org: Organization) -> None:
    """The applicant becomes an account of the organisation it founded (orgs' audited grant)."""
    applicant = ctx.obj.applicant
    if applicant.role in BUREAU_ROLES or applicant.is_superuser:
        return  # window staff applied for someone; no organisation account to grant
    if applicant.role in (Role.COMMUNITY_WORKER, Role.STREET_OFFICER):
        return
    organization_account_grant(
        actor=ctx.actor, user=applicant, organization=org, on_behalf_of=ctx.on_behalf_of
    )


def _input_for_registration(app: Application, uscc: str, today: dt.date) -> OrganizationInput:
    data = app.data or {}
    values = {
        f: data.get(f, "") for f in rules.ORG_FIELDS if f in OrganizationInput.__dataclass_fields__
    }
    values["name"] = app.name
    if app.supervisory_department is not None and not values.get("supervisory_unit"):
        values["supervisory_unit"] = app.supervisory_department.name
    return OrganizationInput(
        kind=app.org_kind,
        uscc=uscc,
        authority_region_code=app.authority_region.code,
        registration_date=today.isoformat(),
        status=Status.ACTIVE,
        **values,
    )


def _effect_register(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    uscc = issue_uscc(app.org_kind, app.authority_region)
    data = _input_for_registration(app, uscc, ctx.today)
    if app.organization is not None:  # 备案 → 登记: the same record keeps its history
        org = org_services.organization_upgrade_to_registered(
            actor=ctx.actor, org=app.organization, data=data, on_behalf_of=ctx.on_behalf_of
        )
    else:
        org = org_services.organization_create(
            actor=ctx.actor, data=data, on_behalf_of=ctx.on_behalf_of, workflow=True
        )
        parent_id = (app.data or {}).get("parent_id")
        if parent_id:
            org.parent_id = int(parent_id)
            org.save(update_fields=["parent", "updated_at"])
        app.organization = org
    certificate = certificate_issue(org=org, app=app, today=ctx.today)
    _announce(ctx, org, "establishment")
    _grant_own(ctx, org)
    app.result = {"organization": org.pk, "uscc": uscc, "certificate": certificate.number}
    ctx.payload["organization"] = org.pk


def _effect_change(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    changes = {
        k: v
        for k, v in ((app.data or {}).get("changes") or {}).items()
        if k in rules.CHANGEABLE_FIELDS
    }
    data = rules.proposed_input(app)
    org = org_services.organization_update(
        actor=ctx.actor, org=org, data=data, on_behalf_of=ctx.on_behalf_of, workflow=True
    )
    changed = set(changes)
    if changed & rules.CERTIFICATE_FIELDS:
        certificate_issue(org=org, app=app, today=ctx.today)
    if changed & rules.ANNOUNCED_CHANGES:
        from .models import AnnouncementKind  # noqa: F401 - label lookup inside _announce

        labels = {
            "name": _("名称"),
            "address": _("住所"),
            "community_code": _("住所"),
            "legal_representative_name": _("法定代表人"),
        }
        items = sorted({str(labels[k]) for k in changed & rules.ANNOUNCED_CHANGES})
        _announce(ctx, org, "change", _("变更事项：%(items)s。") % {"items": "、".join(items)})
    app.result = {"changed": sorted(changed)}


def _effect_reelect(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    data = app.data or {}
    if data.get("legal_representative_name"):
        org = org_services.organization_update(
            actor=ctx.actor,
            org=org,
            data=rules.proposed_input(app),
            on_behalf_of=ctx.on_behalf_of,
            workflow=True,
        )
        certificate_issue(org=org, app=app, today=ctx.today)
        _announce(ctx, org, "change", _("变更事项：法定代表人。"))
    officers = data.get("officers") or []
    for entry in officers:  # barred responsible persons (限制担任负责人), before anything changes
        org_services.person_check(
            str(entry.get("id_number", "") or "").strip().upper(), field="officers", on=ctx.today
        )
    if officers:
        Officer.objects.filter(organization=org, end_date__isnull=True).update(end_date=ctx.today)
        for entry in officers:
            id_number = str(entry.get("id_number", "") or "").strip().upper()
            name = str(entry.get("name", "")).strip()
            person = None
            if id_number:
                person, _created = Person.objects.get_or_create(
                    id_number=id_number, defaults={"name": name}
                )
            else:
                person = Person.objects.create(name=name)
            Officer.objects.create(
                organization=org,
                person=person,
                position=entry.get("position", "director"),
                start_date=ctx.today,
            )
    app.result = {"officers": len(officers), "term_years": data.get("term_years")}


def _effect_close_org(ctx: Context, status: str, announcement: str) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    reason = str((app.data or {}).get("reason", "") or ctx.note or workflow_for(ctx.obj.kind).label)
    org_services.organization_change_status(
        actor=ctx.actor,
        org=org,
        status=status,
        reason=reason,
        effective_on=ctx.today,
        on_behalf_of=ctx.on_behalf_of,
        workflow=True,
    )
    org.refresh_from_db()
    certificate_void(org=org, today=ctx.today, reason=str(workflow_for(ctx.obj.kind).label))
    _announce(ctx, org, announcement)


def _effect_deregister(ctx: Context) -> None:
    _effect_close_org(ctx, Status.DEREGISTERED, "deregistration")


def _effect_revoke(ctx: Context) -> None:
    _effect_close_org(ctx, Status.REVOKED, "revocation")


def _effect_file(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    data = app.data or {}
    values = {
        f: data.get(f, "") for f in rules.ORG_FIELDS if f in OrganizationInput.__dataclass_fields__
    }
    values["name"] = app.name
    values["community_code"] = app.address_code
    values["management_level"] = "street"
    org = org_services.organization_create(
        actor=ctx.actor,
        data=OrganizationInput(
            kind=Kind.COMMUNITY_GROUP,
            registration_date=ctx.today.isoformat(),
            status=Status.ACTIVE,
            **values,
        ),
        on_behalf_of=ctx.on_behalf_of,
        workflow=True,
    )
    app.organization = org
    _grant_own(ctx, org)
    app.result = {"organization": org.pk}
    ctx.payload["organization"] = org.pk


EFFECTS: dict[str, Callable[[Context], None]] = {
    "start_review": _effect_start_review,
    "pause_clock": _effect_pause_clock,
    "resume_review": _effect_resume_review,
    "close_clock": _effect_close_clock,
    "start_filing_clock": _effect_start_filing_clock,
    "reserve_name": _effect_reserve_name,
    "approve_preparation": _effect_approve_preparation,
    "approve_articles": _effect_approve_articles,
    "register": _effect_register,
    "change": _effect_change,
    "reelect": _effect_reelect,
    "deregister": _effect_deregister,
    "revoke": _effect_revoke,
    "file": _effect_file,
}


# ---------------------------------------------------------------------------------------------
# Joint review


@transaction.atomic
def review_opinion_give(
    *, actor: Any, task: ReviewTask, opinion: str, reasons: str = "", today: dt.date | None = None
) -> ReviewTask:
    """One department's opinion; the last one of the round moves the application on."""
    app = _lock(task.application)
    task = (
        ReviewTask.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=task.pk)
    )
    task.application = app
    require(can_review(actor, task))
    if opinion not in Opinion.values:
        raise ValidationFailed(
            _("意见应为同意、不同意或需补正材料"), details={"opinion": _("无效")}
        )
    reasons = (reasons or "").strip()
    if opinion != Opinion.AGREE and not reasons:
        raise ValidationFailed(_("不同意或要求补正时须说明理由"), details={"reasons": _("必填")})
    task.opinion = opinion
    task.reasons = reasons
    task.reviewer = actor
    task.decided_at = timezone.now()
    task.save()
    audit_record(
        actor=actor,
        kind="registration.review_opinion",
        target=app,
        payload={
            "department": task.department.name,
            "round": task.round,
            "opinion": opinion,
            "reasons": reasons,
        },
        on_behalf_of=OnBehalfOf(label=task.department.name, ref=f"department:{task.department_id}"),
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    round_tasks = list(app.review_tasks.filter(round=app.review_round))
    if any(t.is_pending for t in round_tasks):
        return task
    opinions = {t.opinion for t in round_tasks}
    if Opinion.DISAGREE in opinions:
        follow = "review_returned"
    elif Opinion.MORE_MATERIAL in opinions:
        follow = "review_supplement"
    else:
        follow = "review_complete"
    summary = "；".join(
        f"{t.department.name}：{t.get_opinion_display()}{('（' + t.reasons + '）') if t.reasons else ''}"
        for t in round_tasks
    )
    application_transition(actor=None, app=app, transition=follow, note=summary, today=today)
    return task


# ---------------------------------------------------------------------------------------------
# Notifications (rows now, e-mail after commit: see npohub.notifications)


def _bureau_users(app: Application) -> list[User]:
    code = app.authority_region.code
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=BUREAU_ROLES, scope_prefix__in=prefixes)
    )


def _role_users(role: str, code: str) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(User.objects.filter(is_active=True, role=role, scope_prefix__in=prefixes))


def _notify_transition(app: Application, move: Transition, actor: Any) -> None:
    url = reverse("registration:application-detail", args=[app.pk])
    title = _("%(number)s %(name)s：%(state)s") % {
        "number": app.number,
        "name": app.name,
        "state": state_label(app.state),
    }
    recipients: list[User] = []
    kind = "registration.update"
    if app.state in (S.RETURNED, S.SUPPLEMENT, S.APPROVED, S.REJECTED, S.FILED, S.IN_REVIEW):
        recipients.append(app.applicant)
        recipients += (
            [
                g.user
                for g in OrganizationAccess.objects.filter(
                    organization_id=app.organization_id, reason=AccessReason.OWN
                ).select_related("user")
            ]
            if app.organization_id
            else []
        )
    if app.state == S.SUBMITTED and app.kind != "filing":
        recipients += _bureau_users(app)
        kind = "registration.to_accept"
    if app.state == S.REVIEWED:
        recipients += _bureau_users(app)
        kind = "registration.to_decide"
    if app.state == S.IN_REVIEW:
        tasks = app.review_tasks.filter(round=app.review_round, opinion="").select_related(
            "department"
        )
        for task in tasks:
            notify(
                recipients=task.department.members.filter(is_active=True),
                kind="registration.review_task",
                title=_("联审任务：%(number)s %(name)s") % {"number": app.number, "name": app.name},
                body=_("请在 %(due)s 前提出意见") % {"due": task.due_on},
                url=reverse("registration:review-detail", args=[task.pk]),
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                dedupe_key=f"task:{task.pk}",
            )
    if app.kind == "filing" and app.state == S.SUBMITTED:
        recipients += _role_users(Role.COMMUNITY_WORKER, app.address_code)
        kind = "registration.filing"
    if app.kind == "filing" and app.state == S.COMMUNITY_CHECKED:
        recipients += _role_users(Role.STREET_OFFICER, app.address_code)
        street = app.address_code[:9] + "000"
        for delegation in FilingDelegation.objects.filter(street__code=street):
            recipients += [
                g.user
                for g in OrganizationAccess.objects.filter(
                    organization_id=delegation.federation_id
                ).select_related("user")
                if g.user.role == Role.HUB_STAFF
            ]
        kind = "registration.filing"
    if recipients:
        notify(
            recipients=recipients,
            kind=kind,
            title=title,
            body=str(move.label),
            url=url,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )


# ---------------------------------------------------------------------------------------------
# Deadlines


def application_remind_deadlines(*, today: dt.date | None = None) -> int:
    """Remind the bureau of applications close to (or past) their statutory deadline.

    Idempotent per day: an application is reminded at most once a day.
    """
    today = today or timezone.localdate()
    count = 0
    candidates = Application.objects.filter(
        state__in=(S.IN_REVIEW, S.SUPPLEMENT, S.REVIEWED, S.SUBMITTED, S.COMMUNITY_CHECKED),
        accepted_on__isnull=False,
    ).select_related("authority_region")
    for app in candidates:
        left = app.days_left(today)
        if left is None or app.clock_paused:
            continue
        if left > int(policy_for(app.authority_region.code)["reminder_days"]):
            continue
        if app.last_reminded_on == today:
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            if locked.last_reminded_on == today:
                continue
            locked.last_reminded_on = today
            locked.save(update_fields=["last_reminded_on"])
            recipients = (
                _role_users(Role.STREET_OFFICER, app.address_code)
                if app.kind == "filing"
                else _bureau_users(app)
            )
            notify(
                recipients=recipients,
                kind="registration.deadline",
                title=(
                    _("%(number)s %(name)s 已超过法定时限 %(days)s 天")
                    % {"number": app.number, "name": app.name, "days": -left}
                    if left < 0
                    else _("%(number)s %(name)s 距法定时限还剩 %(days)s 天")
                    % {"number": app.number, "name": app.name, "days": left}
                ),
                url=reverse("registration:application-detail", args=[app.pk]),
                dedupe_key=f"deadline:{app.pk}:{today.isoformat()}",
            )
            count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Filing delegation and activity reports


@transaction.atomic
def filing_delegation_create(
    *,
    actor: Any,
    street: Region,
    federation: Organization,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
) -> FilingDelegation:
    require(can_manage_delegation(actor, street.code))
    if street.level != 4:
        raise ValidationFailed(_("请选择街道或乡镇"), details={"street": _("不是乡级区划")})
    if federation.is_closed or not federation.address_code.startswith(street.code[:9]):
        raise ValidationFailed(
            _("受托的联合会须是该街道内正常状态的组织"), details={"federation": _("不在该街道")}
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(_("失效日期不能早于生效日期"), details={"valid_until": _("无效")})
    delegation = FilingDelegation.objects.create(
        street=street,
        federation=federation,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        kind="registration.filing_delegated",
        target=delegation,
        payload={
            "street": street.code,
            "federation": federation.pk,
            "valid_from": valid_from.isoformat(),
        },
        organization_id=federation.pk,
        region_code=street.code,
    )
    return delegation


@transaction.atomic
def activity_report_create(
    *,
    actor: Any,
    org: Organization,
    title: str,
    starts_on: dt.date,
    location: str,
    participants: int,
    description: str,
) -> ActivityReport:
    require(can_report_activity(actor, org))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写活动名称")
    if not (location or "").strip():
        errors["location"] = _("请填写活动地点")
    if participants is None or participants <= 0:
        errors["participants"] = _("预计人数应大于 0")
    elif participants > PARTICIPANTS_MAX:
        errors["participants"] = _("人数不能超过%(max)s") % {"max": f"{PARTICIPANTS_MAX:,}"}
    if len(title or "") > 200:
        errors["title"] = _("%(field)s不能超过%(max)s个字符") % {"field": _("活动名称"), "max": 200}
    if len(location or "") > 200:
        errors["location"] = _("%(field)s不能超过%(max)s个字符") % {
            "field": _("活动地点"),
            "max": 200,
        }
    if not (description or "").strip():
        errors["description"] = _("请填写活动内容")
    if errors:
        raise ValidationFailed(
            _("活动报告有误：%(e)s") % {"e": "；".join(errors.values())}, details=errors
        )
    report = ActivityReport.objects.create(
        organization=org,
        title=title.strip(),
        starts_on=starts_on,
        location=location.strip(),
        participants=participants,
        description=description.strip(),
        reported_by=actor,
    )
    audit_record(
        actor=actor,
        kind="registration.activity_reported",
        target=report,
        payload={"title": report.title, "starts_on": starts_on.isoformat()},
        organization_id=org.pk,
        region_code=org.address_code,
    )
    recipients = _role_users(Role.STREET_OFFICER, org.address_code)
    notify(
        recipients=recipients,
        kind="registration.activity_report",
        title=_("重大活动报告：%(org)s %(title)s") % {"org": org.name, "title": report.title},
        url=reverse("community:activity-report-detail", args=[report.pk]),
        actor=actor,
    )
    return report


@transaction.atomic
def activity_report_act(
    *, actor: Any, report: ActivityReport, action: str, text: str = ""
) -> ActivityReport:
    report = (
        ActivityReport.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=report.pk)
    )
    moves = ACTIVITY_REPORT_TRANSITIONS.get(action)
    if moves is None:
        raise ValidationFailed(
            _("未知的操作“%(a)s”") % {"a": action}, details={"action": _("无效")}
        )
    if report.state not in moves:
        raise InvalidTransition(
            _("报告处于“%(state)s”状态，不能执行该操作") % {"state": report.get_state_display()}
        )
    target, capacity = moves[report.state]
    org = report.organization
    if capacity == "federation" and not federation_capacity(actor, org):
        raise PermissionDenied(_("只有所在街道或受委托的联合会可以处理活动报告"))
    if capacity == "group" and not can_report_activity(actor, org):
        raise PermissionDenied(_("只有本组织可以回复"))
    text = (text or "").strip()
    if action in ("query", "answer") and not text:
        raise ValidationFailed(_("请填写说明"), details={"text": _("必填")})
    old = report.state
    report.state = target
    report.thread = [
        *report.thread,
        {
            "by": actor_label_for(actor),
            "role": capacity,
            "action": action,
            "text": text,
            "at": timezone.now().isoformat(timespec="seconds"),
        },
    ]
    report.save()
    on_behalf = federation_on_behalf(actor, org) if capacity == "federation" else None
    audit_record(
        actor=actor,
        kind=f"registration.activity_report_{action}",
        target=report,
        payload={"from": old, "to": target, "text": text},
        organization_id=org.pk,
        region_code=org.address_code,
        on_behalf_of=on_behalf,
    )
    if capacity == "federation":
        owners = [
            g.user
            for g in OrganizationAccess.objects.filter(
                organization=org, reason=AccessReason.OWN
            ).select_related("user")
        ]
        notify(
            recipients=[report.reported_by, *owners],
            kind="registration.activity_report",
            title=_("活动报告“%(title)s”：%(state)s")
            % {"title": report.title, "state": report.get_state_display()},
            url=reverse("community:activity-report-detail", args=[report.pk]),
            actor=actor,
        )
    return report


@transaction.atomic
def filing_delegation_end(
    *, actor: Any, delegation: FilingDelegation, valid_until: dt.date | None
) -> FilingDelegation:
    """End a filing delegation early: ``valid_until`` becomes its last valid day.

    Ending it on the day before it took effect cancels it. A delegation may only be shortened,
    never extended, and one that has already ended cannot be ended again.
    """
    delegation = (
        FilingDelegation.objects.select_for_update(of=("self",))
        .select_related("street", "federation")
        .get(pk=delegation.pk)
    )
    require(can_manage_delegation(actor, delegation.street.code))
    today = timezone.localdate()
    if delegation.valid_until is not None and delegation.valid_until < today:
        raise InvalidTransition(
            _("该委托已于%(date)s结束") % {"date": delegation.valid_until.isoformat()},
            details={"valid_until": delegation.valid_until.isoformat()},
        )
    if valid_until is None:
        raise ValidationFailed(_("请填写委托截止日期"), details={"valid_until": _("必填")})
    if valid_until < delegation.valid_from - dt.timedelta(days=1):
        raise ValidationFailed(
            _("截止日期不能早于生效日期的前一天（%(date)s）")
            % {"date": (delegation.valid_from - dt.timedelta(days=1)).isoformat()},
            details={"valid_until": _("无效")},
        )
    if delegation.valid_until is not None and valid_until > delegation.valid_until:
        raise ValidationFailed(
            _("只能提前结束委托，不能延长（原定截止日期为%(date)s）")
            % {"date": delegation.valid_until.isoformat()},
            details={"valid_until": _("无效")},
        )
    before = delegation.valid_until
    delegation.valid_until = valid_until
    delegation.save(update_fields=["valid_until"])
    audit_record(
        actor=actor,
        kind="registration.filing_delegation_ended",
        target=delegation,
        payload={
            "street": delegation.street.code,
            "federation": delegation.federation_id,
            "valid_until": {
                "before": before.isoformat() if before else None,
                "after": valid_until.isoformat(),
            },
        },
        organization_id=delegation.federation_id,
        region_code=delegation.street.code,
    )
    return delegation


# ---------------------------------------------------------------------------------------------
# Sealing the certificate under a suspension order (called by the enforcement app, rule 44)


def _certificate_seal_set(
    *, actor: Any, organization: Organization, on: dt.date, reason: str, sealed: bool
) -> int:
    """Set or lift the seal on the organisation's current certificate; audit when it changed."""
    updated = (
        Certificate.objects.filter(organization=organization, voided_on__isnull=True)
        .filter(sealed_on__isnull=sealed)
        .update(sealed_on=on if sealed else None)
    )
    if updated:
        audit_record(
            actor=actor,
            kind="registration.certificate_sealed"
            if sealed
            else "registration.certificate_unsealed",
            target=organization,
            payload={"on": on.isoformat(), "reason": reason},
            organization_id=organization.pk,
            region_code=organization.address_code,
        )
    return updated


@transaction.atomic
def certificate_seal(*, actor: Any, organization: Organization, on: dt.date, reason: str) -> int:
    """Seal (封存) the organisation's current certificate while it must suspend its activities."""
    return _certificate_seal_set(
        actor=actor, organization=organization, on=on, reason=reason, sealed=True
    )


@transaction.atomic
def certificate_unseal(*, actor: Any, organization: Organization, on: dt.date, reason: str) -> int:
    """Lift the seal when the suspension ends (the certificate is valid again)."""
    return _certificate_seal_set(
        actor=actor, organization=organization, on=on, reason=reason, sealed=False
    )


APPLICATION_WORKFLOW: Engine[Application] = register(
    Engine(
        key="registration.application",
        label=gettext_lazy("申请"),
        model=Application,
        states=ApplicationState,
        table=_table,
        resolver=_resolve,
        guards=GUARDS,
        effects=EFFECTS,
        on_move=_on_move,
        notify=lambda ctx: _notify_transition(ctx.obj, ctx.move, ctx.actor),
        audit_prefix="registration.",
        organization_id=lambda app: app.organization_id,
        region_code=lambda app: app.address_code,
        refusals={
            **_CAPACITY_REFUSAL,
            "system": lambda: _("该步骤由系统在联审意见齐备后自动完成"),
        },
        lock_related=("authority_region", "organization", "category", "supervisory_department"),
    ),
    extra_moves=every_move(),
)
