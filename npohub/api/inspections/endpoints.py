"""/api/v1/inspections/: one operation per endpoint; thin (selector or one service, render).

Every refusal is a ``DomainError`` from the services (``{code, message, details}``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import NotFound, PermissionDenied, ValidationFailed
from npohub.core.validators import mask_id_number
from npohub.inspections import selectors, services
from npohub.inspections.models import (
    DRAW_REASON_LABELS,
    ConflictDeclaration,
    DrawLog,
    Inspector,
    RectificationOrder,
    SpotCheck,
    SpotCheckPlan,
)
from npohub.inspections.permissions import inspector_view, manages_region
from npohub.inspections.workflows import moves_from, state_label
from npohub.orgs.models import Category, Organization
from npohub.regions.models import Region

from ..history import history_out, move_out
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    CheckDetailOut,
    CheckFilterIn,
    CheckOut,
    ConcludeIn,
    ErrorOut,
    FindingIn,
    InspectionNoticeIn,
    InspectionTransitionIn,
    InspectorConflictIn,
    InspectorConflictOut,
    InspectorIn,
    InspectorOut,
    InspectorUpdateIn,
    LogOut,
    OrderIn,
    OrderOut,
    PlanDetailOut,
    PlanIn,
    PlanListFilterIn,
    PlanOut,
    ReplaceIn,
    ReportIn,
    VerifyIn,
)

router = Router(tags=["inspections"])
ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


# --- rendering ---------------------------------------------------------------------------------


def plan_of(plan: SpotCheckPlan, user: User | None = None) -> dict[str, Any]:
    manages = user is not None and manages_region(user, plan.authority_region.code)
    return {
        "id": plan.pk,
        "title": plan.title,
        "year": plan.year,
        "authority_region": {
            "code": plan.authority_region.code,
            "name": plan.authority_region.name,
        },
        "level": plan.level,
        "kind": plan.kind,
        "method": plan.method,
        "ratios": plan.ratios,
        "by_district": plan.by_district,
        "category": plan.category.code if plan.category else None,
        "topic": plan.topic,
        "scope": plan.scope,
        "inspectors_per_check": plan.inspectors_per_check,
        "state": plan.state,
        "state_label": state_label(plan.state),
        "seed_hash": plan.seed_hash,
        "seed": plan.seed_hex if plan.seed_is_public else None,
        "committed_at": plan.committed_at,
        "drawn_at": plan.drawn_at,
        "published_at": plan.published_at,
        "closed_at": plan.closed_at,
        "checks": getattr(plan, "check_count", None)
        if hasattr(plan, "check_count")
        else plan.checks.count(),
        "transitions": [m.name for m in moves_from(plan.state)] if manages else [],
        "moves": [move_out(m) for m in moves_from(plan.state)] if manages else [],
    }


def order_of(order: RectificationOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "requirement": order.requirement,
        "issued_on": order.issued_on,
        "deadline": order.deadline,
        "finding_id": order.finding_id,
        "rectified_on": order.rectified_on,
        "rectification_note": order.rectification_note,
        "verified_on": order.verified_on,
        "status": order.status_on(timezone.localdate()),
    }


def check_of(check: SpotCheck) -> dict[str, Any]:
    """Reads the prefetched ``active_assignments``, findings and orders (``selectors._with_people``)."""
    org = check.organization
    return {
        "id": check.pk,
        "plan_id": check.plan_id,
        "number": check.number,
        "organization": {"id": org.pk, "name": org.name, "uscc": org.uscc},
        "org_key": check.org_key,
        "stratum": check.stratum,
        "rank": check.rank,
        "score": check.score,
        "status": check.status,
        "status_label": check.get_status_display(),
        "scope_notice": check.scope_notice,
        "notified_on": check.notified_on,
        "scheduled_on": check.scheduled_on,
        "checked_on": check.checked_on,
        "conclusion": check.conclusion,
        "conclusion_label": check.get_conclusion_display() if check.conclusion else "",
        "conclusion_note": check.conclusion_note,
        "inspectors": [
            {"user_id": a.user_id, "name": str(a.user), "source": a.source}
            for a in getattr(check, "active_assignments", [])
        ],
        "findings": [
            {
                "id": f.pk,
                "type": f.type,
                "type_label": f.get_type_display(),
                "description": f.description,
                "legal_basis": f.legal_basis,
            }
            for f in check.findings.all()
        ],
        "orders": [order_of(o) for o in check.orders.all()],
    }


def log_of(row: DrawLog) -> dict[str, Any]:
    return {
        "sequence": row.sequence,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "check_id": row.spot_check_id,
        "user_id": row.user_id,
        "reason": row.reason,
        "reason_label": str(DRAW_REASON_LABELS.get(row.reason, "")),
        "message": row.message,
        "data": row.data,
    }


def inspector_of(entry: Inspector, user: User) -> dict[str, Any]:
    """The entry as ``permissions.inspector_view`` shows it to the caller (the page does too)."""
    shows = inspector_view(user, entry).sees_personal_data
    return {
        "id": entry.pk,
        "user_id": entry.user_id,
        "name": str(entry.user),
        "region": {"code": entry.region.code, "name": entry.region.name},
        "department": entry.department,
        "id_number": entry.id_number if shows else mask_id_number(entry.id_number),
        "personal_data_masked": not shows,
        "is_active": entry.is_active,
    }


def conflict_of(conflict: ConflictDeclaration) -> dict[str, Any]:
    return {
        "id": conflict.pk,
        "inspector_id": conflict.inspector_id,
        "organization_id": conflict.organization_id,
        "reason": conflict.reason,
        "declared_at": conflict.declared_at,
        "withdrawn_at": conflict.withdrawn_at,
    }


# --- input helpers -----------------------------------------------------------------------------


def _region(user: User, code: str) -> Region:
    if not code:
        if user.region is None:
            raise PermissionDenied(_("只有登记管理机关可以执行此操作"))
        return user.region
    region = Region.objects.filter(code=code.ljust(12, "0"), is_active=True).first()
    if region is None:
        raise ValidationFailed(_("区划代码不存在"), details={"authority_code": _("无效")})
    return region


def _plan_input(payload: PlanIn) -> services.PlanInput:
    category = None
    if payload.category_code:
        category = Category.objects.filter(code=payload.category_code).first()
        if category is None:
            raise ValidationFailed(_("类别不存在"), details={"category_code": _("无效")})
    return services.PlanInput(
        title=payload.title,
        year=payload.year,
        kind=payload.kind,
        method=payload.method,
        ratios=dict(payload.ratios),
        by_district=payload.by_district,
        category=category,
        topic=payload.topic,
        scope=payload.scope,
        inspectors_per_check=payload.inspectors_per_check,
    )


def _check(user: User, check_id: int) -> SpotCheck:
    return selectors.check_get_for(user, check_id)


def _fresh(user: User, check: SpotCheck) -> dict[str, Any]:
    return check_of(selectors.check_get_for(user, check.pk))


# --- plans -------------------------------------------------------------------------------------


@router.get(
    "/plans", response={200: Page[PlanOut], **ERRORS}, operation_id="inspections_plans_list"
)
def plan_list(
    request: HttpRequest, filters: Query[PlanListFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Plans of the caller's region, and plans with a check assigned to the caller."""
    user = api_user(request)
    from django.db.models import Count

    qs = selectors.plan_list_for(user, year=filters.year, state=filters.state, kind=filters.kind)
    return paginate(
        request,
        qs.annotate(check_count=Count("checks")),
        page,
        render=lambda p: plan_of(p, user),
    )


@router.post("/plans", response={201: PlanOut, **ERRORS}, operation_id="inspections_plans_create")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[Any]:
    """A draft plan (regular ratios at least 3 % county / 4 % city / 5 % province / 10 % MCA)."""
    user = api_user(request)
    region = _region(user, payload.authority_code)
    plan = services.plan_create(actor=user, authority_region=region, data=_plan_input(payload))
    return Status(201, plan_of(plan, user))


@router.get(
    "/plans/{int:plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    operation_id="inspections_plans_detail",
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    user = api_user(request)
    plan = selectors.plan_get_for(user, plan_id)
    manages = manages_region(user, plan.authority_region.code)
    history = [history_out(r) for r in services.plan_history(plan)] if manages else []
    return {**plan_of(plan, user), "history": history}


@router.put(
    "/plans/{int:plan_id}",
    response={200: PlanOut, **ERRORS},
    operation_id="inspections_plans_update",
)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanIn) -> dict[str, Any]:
    """Replace a draft plan's settings (a committed plan is fixed)."""
    user = api_user(request)
    plan = selectors.plan_get_for(user, plan_id)
    plan = services.plan_update(actor=user, plan=plan, data=_plan_input(payload))
    return plan_of(plan, user)


@router.post(
    "/plans/{int:plan_id}/transition",
    response={200: PlanOut, **ERRORS},
    operation_id="inspections_plans_transition",
)
def plan_transition(
    request: HttpRequest, plan_id: int, payload: InspectionTransitionIn
) -> dict[str, Any]:
    """commit (seed hash published) → draw → publish (seed revealed) → start → close."""
    user = api_user(request)
    plan = selectors.plan_get_for(user, plan_id)
    plan = services.plan_transition(actor=user, plan=plan, transition=payload.transition)
    return plan_of(plan, user)


@router.get(
    "/plans/{int:plan_id}/log",
    response={200: list[LogOut], **ERRORS},
    operation_id="inspections_plans_log",
)
def plan_log(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Every step of the draw in order: strata, drawn objects and inspectors, exclusions, redraws."""
    user = api_user(request)
    plan = selectors.plan_get_for(user, plan_id)
    if not manages_region(user, plan.authority_region.code):
        raise NotFound("抽查计划不存在")
    return [log_of(r) for r in selectors.draw_log_of(plan)]


# --- checks ------------------------------------------------------------------------------------


@router.get(
    "/checks", response={200: Page[CheckOut], **ERRORS}, operation_id="inspections_checks_list"
)
def check_list(
    request: HttpRequest, filters: Query[CheckFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """The bureau's checks; an inspector's own assigned checks only."""
    qs = selectors.check_list_for(api_user(request), plan_id=filters.plan_id, status=filters.status)
    return paginate(request, qs, page, render=check_of)


@router.get(
    "/checks/{int:check_id}",
    response={200: CheckDetailOut, **ERRORS},
    operation_id="inspections_checks_detail",
)
def check_detail(request: HttpRequest, check_id: int) -> dict[str, Any]:
    check = _check(api_user(request), check_id)
    return {**check_of(check), "history": [history_out(r) for r in services.check_history(check)]}


@router.post(
    "/checks/{int:check_id}/notice",
    response={200: CheckOut, **ERRORS},
    operation_id="inspections_checks_notice",
)
def check_notice(
    request: HttpRequest, check_id: int, payload: InspectionNoticeIn
) -> dict[str, Any]:
    user = api_user(request)
    check = services.check_notify(
        actor=user,
        check=_check(user, check_id),
        scope_notice=payload.scope_notice,
        scheduled_on=payload.scheduled_on,
    )
    return _fresh(user, check)


@router.post(
    "/checks/{int:check_id}/findings",
    response={201: CheckOut, **ERRORS},
    operation_id="inspections_checks_findings_create",
)
def finding_create(request: HttpRequest, check_id: int, payload: FindingIn) -> Status[Any]:
    user = api_user(request)
    check = _check(user, check_id)
    services.finding_add(
        actor=user,
        check=check,
        type=payload.type,
        description=payload.description,
        legal_basis=payload.legal_basis,
    )
    return Status(201, _fresh(user, check))


@router.post(
    "/checks/{int:check_id}/conclude",
    response={200: CheckOut, **ERRORS},
    operation_id="inspections_checks_conclude",
)
def check_conclude(request: HttpRequest, check_id: int, payload: ConcludeIn) -> dict[str, Any]:
    user = api_user(request)
    check = services.check_conclude(
        actor=user,
        check=_check(user, check_id),
        checked_on=payload.checked_on,
        conclusion=payload.conclusion,
        note=payload.note,
    )
    return _fresh(user, check)


@router.post(
    "/checks/{int:check_id}/orders",
    response={201: CheckOut, **ERRORS},
    operation_id="inspections_checks_orders_create",
)
def order_create(request: HttpRequest, check_id: int, payload: OrderIn) -> Status[Any]:
    user = api_user(request)
    check = _check(user, check_id)
    finding = None
    if payload.finding_id is not None:
        finding = check.findings.filter(pk=payload.finding_id).first()
        if finding is None:
            raise ValidationFailed(
                _("该检查发现不属于此检查对象"), details={"finding_id": _("无效")}
            )
    services.rectification_order_issue(
        actor=user,
        check=check,
        requirement=payload.requirement,
        deadline=payload.deadline,
        finding=finding,
    )
    return Status(201, _fresh(user, check))


@router.post(
    "/checks/{int:check_id}/replace-inspector",
    response={200: CheckOut, **ERRORS},
    operation_id="inspections_checks_replace_inspector",
)
def check_replace(request: HttpRequest, check_id: int, payload: ReplaceIn) -> dict[str, Any]:
    """An assigned inspector withdraws (回避); the next one in the check's HMAC order is drawn."""
    user = api_user(request)
    check = _check(user, check_id)
    services.check_replace_inspector(
        actor=user, check=check, user_id=payload.user_id, reason=payload.reason
    )
    return _fresh(user, check)


@router.post(
    "/orders/{int:order_id}/report",
    response={200: OrderOut, **ERRORS},
    operation_id="inspections_orders_report",
)
def order_report(request: HttpRequest, order_id: int, payload: ReportIn) -> dict[str, Any]:
    user = api_user(request)
    order = selectors.order_get_for(user, order_id)
    order = services.rectification_report(
        actor=user, order=order, rectified_on=payload.rectified_on, note=payload.note
    )
    return order_of(order)


@router.post(
    "/orders/{int:order_id}/verify",
    response={200: OrderOut, **ERRORS},
    operation_id="inspections_orders_verify",
)
def order_verify(request: HttpRequest, order_id: int, payload: VerifyIn) -> dict[str, Any]:
    user = api_user(request)
    order = selectors.order_get_for(user, order_id)
    return order_of(
        services.rectification_verify(actor=user, order=order, verified_on=payload.verified_on)
    )


# --- the pool ----------------------------------------------------------------------------------


@router.get(
    "/inspectors",
    response={200: Page[InspectorOut], **ERRORS},
    operation_id="inspections_inspectors_list",
)
def inspector_list(request: HttpRequest, page: Query[PageParams], q: str = "") -> dict[str, Any]:
    user = api_user(request)
    return paginate(
        request,
        selectors.pool_list_for(user, q=q.strip()),
        page,
        render=lambda e: inspector_of(e, user),
    )


@router.post(
    "/inspectors",
    response={201: InspectorOut, **ERRORS},
    operation_id="inspections_inspectors_create",
)
def inspector_create(request: HttpRequest, payload: InspectorIn) -> Status[Any]:
    caller = api_user(request)
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise ValidationFailed(_("没有这个用户"), details={"username": _("无效")})
    entry = services.inspector_add(
        actor=caller,
        user=user,
        region=_region(caller, payload.region_code),
        department=payload.department,
        id_number=payload.id_number,
    )
    return Status(201, inspector_of(entry, caller))


@router.put(
    "/inspectors/{int:inspector_id}",
    response={200: InspectorOut, **ERRORS},
    operation_id="inspections_inspectors_update",
)
def inspector_update(
    request: HttpRequest, inspector_id: int, payload: InspectorUpdateIn
) -> dict[str, Any]:
    user = api_user(request)
    entry = selectors.inspector_get_for(user, inspector_id)
    entry = services.inspector_update(
        actor=user,
        entry=entry,
        department=payload.department,
        id_number=payload.id_number,
        is_active=payload.is_active,
    )
    return inspector_of(entry, user)


@router.post(
    "/inspectors/{int:inspector_id}/conflicts",
    response={201: InspectorConflictOut, **ERRORS},
    operation_id="inspections_conflicts_create",
)
def conflict_create(
    request: HttpRequest, inspector_id: int, payload: InspectorConflictIn
) -> Status[Any]:
    user = api_user(request)
    entry = selectors.inspector_get_for(user, inspector_id)
    org = Organization.objects.filter(pk=payload.organization_id).first()
    if org is None:
        raise ValidationFailed(_("组织不存在"), details={"organization_id": _("无效")})
    conflict = services.conflict_declare(
        actor=user, entry=entry, organization=org, reason=payload.reason
    )
    return Status(201, conflict_of(conflict))


@router.post(
    "/conflicts/{int:conflict_id}/withdraw",
    response={200: InspectorConflictOut, **ERRORS},
    operation_id="inspections_conflicts_withdraw",
)
def conflict_withdraw(request: HttpRequest, conflict_id: int) -> dict[str, Any]:
    user = api_user(request)
    conflict = selectors.conflict_get_for(user, conflict_id)
    return conflict_of(services.conflict_withdraw(actor=user, conflict=conflict))
