"""Plans: drafts checked against rule 36, and the plan's moves on the one workflow engine (``inspections.plan``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import InvalidTransition, ValidationFailed
from npohub.core.i18n import enumeration
from npohub.core.permissions import require
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    register,
    run_move,
)
from npohub.notifications.services import notify
from npohub.orgs.models import Category
from npohub.orgs.scope import organization_accounts
from npohub.regions.models import Level, Region

from .. import draw as drawing
from ..models import AuthorityLevel, CheckStatus, LogKind, Method, PlanKind, SpotCheckPlan
from ..permissions import can_manage_plan, can_manage_plans, plan_capacities, plan_refusal
from ..policy import policy_for, ratio_floor
from ..workflows import MANAGER, MOVES, PLAN_KEY, PlanState, state_label
from .common import (
    LEVEL_OF_REGION,
    STRATUM_KINDS,
    _actor_user,
    _lock,
    _Log,
    percent,
    stratum_label,
)
from .drawing import _draw

# ---------------------------------------------------------------------------------------------
# Plans


@dataclass
class PlanInput:
    title: str
    year: int
    kind: str
    method: str
    ratios: dict[str, Any] = field(default_factory=dict)
    by_district: bool = False
    category: Category | None = None
    topic: str = ""
    scope: str = ""
    inspectors_per_check: int | None = None


def _clean_ratios(raw: dict[str, Any]) -> dict[str, Decimal]:
    if not isinstance(raw, dict):
        raise ValidationFailed(_("抽查比例格式错误"), details={"ratios": _("应为对象")})
    unknown = sorted(set(raw) - set(STRATUM_KINDS))
    if unknown:
        raise ValidationFailed(
            _("未知的抽查对象类型：%(kinds)s") % {"kinds": enumeration(unknown)},
            details={"ratios": _("无效")},
        )
    ratios: dict[str, Decimal] = {}
    for kind, value in raw.items():
        if value in (None, ""):
            continue
        try:
            ratio = Decimal(str(value))
        except InvalidOperation:
            ratio = Decimal(-1)
        if not (Decimal(0) < ratio <= Decimal(1)):
            raise ValidationFailed(
                _("%(kind)s的抽查比例应大于0且不超过100%%") % {"kind": stratum_label(kind)},
                details={"ratios": _("无效")},
            )
        ratios[kind] = ratio
    return ratios


def _validated(data: PlanInput, region: Region) -> dict[str, Any]:
    """The plan's fields after the rules (rule 36 floors, ad-hoc scope, rule 37 inspectors)."""
    level = LEVEL_OF_REGION.get(Level(region.level))
    if level is None:
        raise ValidationFailed(
            _("抽查计划须由县级以上登记管理机关制定"), details={"authority_region": _("无效")}
        )
    title = (data.title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写计划名称"), details={"title": _("必填")})
    if not 2000 <= int(data.year) <= 2100:
        raise ValidationFailed(_("年度无效"), details={"year": _("无效")})
    if data.kind not in PlanKind.values:
        raise ValidationFailed(_("请选择抽查类型"), details={"kind": _("无效")})
    if data.method not in Method.values:
        raise ValidationFailed(_("请选择检查方式"), details={"method": _("无效")})
    ratios = _clean_ratios(data.ratios)
    policy = policy_for(region.code)
    if data.kind == PlanKind.REGULAR:
        floor = ratio_floor(level, region.code)
        for kind in ("association", "social_service", "foundation"):
            ratios.setdefault(kind, floor)
        low = [k for k in STRATUM_KINDS if k in ratios and ratios[k] < floor]
        if low:
            raise ValidationFailed(
                _("定期抽查比例不得低于%(level)s登记管理机关的下限%(floor)s：%(items)s")
                % {
                    "level": AuthorityLevel(level).label,
                    "floor": percent(floor),
                    "items": enumeration(f"{stratum_label(k)} {percent(ratios[k])}" for k in low),
                },
                code="inspections.ratio_below_floor",
                details={"ratios": _("低于下限")},
            )
    else:
        if data.category is None and not (data.topic or "").strip():
            raise ValidationFailed(
                _("不定期抽查须指明类别（行业）或专项主题"), details={"topic": _("必填")}
            )
        if not ratios:
            raise ValidationFailed(_("请至少为一类组织设定抽查比例"), details={"ratios": _("必填")})
    minimum = int(policy["min_inspectors_onsite"])
    per_check = data.inspectors_per_check
    if per_check is None:
        per_check = (
            minimum if data.method == Method.ON_SITE else int(policy["default_inspectors_desk"])
        )
    if data.method == Method.ON_SITE and per_check < minimum:
        raise ValidationFailed(
            _("实地检查每个检查对象至少需要%(n)s名检查人员") % {"n": minimum},
            code="inspections.too_few_inspectors",
            details={"inspectors_per_check": _("无效")},
        )
    if per_check < 1:
        raise ValidationFailed(
            _("每个检查对象至少需要1名检查人员"), details={"inspectors_per_check": _("无效")}
        )
    return {
        "title": title,
        "year": int(data.year),
        "level": level,
        "kind": data.kind,
        "method": data.method,
        "ratios": {
            k: str(v) for k, v in sorted(ratios.items(), key=lambda i: STRATUM_KINDS.index(i[0]))
        },
        "by_district": bool(data.by_district),
        "category": data.category,
        "topic": (data.topic or "").strip(),
        "scope": (data.scope or "").strip(),
        "inspectors_per_check": per_check,
    }


@transaction.atomic
def plan_create(*, actor: User, authority_region: Region, data: PlanInput) -> SpotCheckPlan:
    """A draft plan of the authority (rule 36: regular ratios at least the level's floor)."""
    require(can_manage_plans(actor, authority_region.code))
    values = _validated(data, authority_region)
    plan = SpotCheckPlan.objects.create(
        authority_region=authority_region, created_by=_actor_user(actor), **values
    )
    audit_record(
        actor=actor,
        kind="inspections.plan_created",
        target=plan,
        payload={"year": plan.year, "kind": plan.kind, "ratios": plan.ratios},
        region_code=authority_region.code,
    )
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: SpotCheckPlan, data: PlanInput) -> SpotCheckPlan:
    """Only a draft may change: once the seed is committed the plan is fixed."""
    plan = _lock(plan)
    require(can_manage_plan(actor, plan))
    if plan.state != PlanState.DRAFT:
        raise InvalidTransition(
            _("计划处于“%(state)s”状态，只有草稿可以修改") % {"state": state_label(plan.state)}
        )
    values = _validated(data, plan.authority_region)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    audit_record(
        actor=actor,
        kind="inspections.plan_updated",
        target=plan,
        payload={"ratios": plan.ratios, "method": plan.method},
        region_code=plan.authority_region.code,
    )
    return plan


PlanContext = MoveContext[SpotCheckPlan]


def _guard_checks_concluded(ctx: PlanContext) -> None:
    open_checks = ctx.obj.checks.exclude(status=CheckStatus.CONCLUDED).count()
    if open_checks:
        raise InvalidTransition(
            _("还有%(n)s个检查对象未作出检查结论，不能结束本轮抽查") % {"n": open_checks},
            code="inspections.checks_open",
        )


def _effect_commit(ctx: PlanContext) -> None:
    plan, log = ctx.obj, _Log(ctx.obj)
    seed = drawing.new_seed()
    plan.seed_hex = seed.hex()
    plan.seed_hash = drawing.seed_hash(seed)
    plan.committed_at = timezone.now()
    log.add(
        LogKind.SEED_COMMITTED,
        _("随机种子已生成，公开其SHA-256：%(h)s") % {"h": plan.seed_hash},
    )
    log.save()
    ctx.payload["seed_hash"] = plan.seed_hash


def _effect_draw(ctx: PlanContext) -> None:
    log = _Log(ctx.obj)
    ctx.payload.update(_draw(ctx.obj, log))
    ctx.obj.drawn_at = timezone.now()
    log.save()


def _effect_publish(ctx: PlanContext) -> None:
    plan, log = ctx.obj, _Log(ctx.obj)
    plan.published_at = timezone.now()
    log.add(LogKind.SEED_PUBLISHED, _("公开随机种子：%(seed)s") % {"seed": plan.seed_hex})
    log.save()
    ctx.payload["seed"] = plan.seed_hex


def _effect_close(ctx: PlanContext) -> None:
    ctx.obj.closed_at = timezone.now()


def _notify(ctx: PlanContext) -> None:
    if ctx.move.effect == "publish":
        _notify_published(ctx.obj, ctx.actor)


PLAN_WORKFLOW: Workflow[SpotCheckPlan] = register(
    Workflow(
        key=PLAN_KEY,
        label=_("抽查计划"),
        model=SpotCheckPlan,
        states=PlanState,
        moves=MOVES,
        resolver=plan_capacities,
        guards={"checks_concluded": _guard_checks_concluded},
        effects={
            "commit": _effect_commit,
            "draw": _effect_draw,
            "publish": _effect_publish,
            "close": _effect_close,
        },
        notify=_notify,
        audit_prefix="inspections.plan_",
        region_code=lambda plan: plan.authority_region.code,
        refusals={MANAGER: plan_refusal},
        lock_related=("authority_region", "category"),
    )
)


def plan_transition(
    *, actor: User, plan: SpotCheckPlan, transition: str, today: dt.date | None = None
) -> SpotCheckPlan:
    """Move a plan along ``workflows.MOVES`` (the only path that changes its state)."""
    return run_move(PLAN_WORKFLOW, plan, transition, actor=actor, today=today)


def plan_moves_for(actor: User, plan: SpotCheckPlan) -> list[Transition]:
    """The moves ``actor`` may make on the plan now (the buttons to show)."""
    return PLAN_WORKFLOW.moves_for(actor, plan)


def plan_history(plan: SpotCheckPlan) -> list[HistoryRow]:
    return history_for(PLAN_WORKFLOW, plan)


def _notify_published(plan: SpotCheckPlan, actor: User) -> None:
    """Tell every drawn organisation it was drawn, and every inspector their checks."""
    checks = plan.checks.select_related("organization").prefetch_related("assignments__user")
    for check in checks:
        notify(
            recipients=organization_accounts(check.organization_id),
            kind="inspections.notice",
            title=_("%(org)s被抽取为“%(plan)s”的检查对象")
            % {"org": check.organization.name, "plan": plan.title},
            body=_("检查方式：%(method)s。检查内容将另行告知，检查不收取任何费用。")
            % {"method": plan.get_method_display()},
            url=reverse("portal:inspection-plan", args=[plan.pk]),
            actor=_actor_user(actor),
        )
        notify(
            recipients=[a.user for a in check.assignments.all() if a.is_active],
            kind="inspections.task",
            title=_("抽查任务：%(org)s") % {"org": check.organization.name},
            body=plan.title,
            url=reverse("inspections:check-detail", args=[check.pk]),
            actor=_actor_user(actor),
        )
