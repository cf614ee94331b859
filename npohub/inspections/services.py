"""Spot-check services: plans and their one transition path, the verifiable draw, the
inspector pool and conflicts, inspection records, findings, rectification orders.

Every write runs in one transaction, checks ``permissions.py``, writes one audit event and
notifies after the rows are written. The draw algorithm itself is in ``draw.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.i18n import enumeration
from npohub.core.permissions import require
from npohub.core.validators import IdentifierError, id_number_validate
from npohub.notifications.services import notify
from npohub.orgs.models import (
    AccessReason,
    Category,
    Kind,
    Officer,
    Organization,
    OrganizationAccess,
)
from npohub.regions.models import Level, Region

from . import draw as drawing
from .models import (
    Assignment,
    AssignmentSource,
    AuthorityLevel,
    CheckStatus,
    Conclusion,
    ConflictDeclaration,
    DrawLog,
    Finding,
    FindingType,
    Inspector,
    LogKind,
    Method,
    PlanKind,
    RectificationOrder,
    SpotCheck,
    SpotCheckPlan,
)
from .permissions import (
    POOL_ROLES,
    can_declare_conflict,
    can_manage_plan,
    can_manage_plans,
    can_manage_pool,
    can_report_rectification,
    can_verify_rectification,
    can_work_on_check,
)
from .policy import policy_for, ratio_floor
from .selectors import eligible_pool, eligible_population
from .workflows import PlanState, move_named, state_label

# Stratum kinds a plan may give a ratio, in stratum order; "charity" draws charities apart.
STRATUM_KINDS = ("association", "social_service", "foundation", "charity")
STRATUM_LABELS = {
    "association": _("社会团体"),
    "social_service": _("社会服务机构"),
    "foundation": _("基金会"),
    "charity": _("慈善组织"),
}
LEVEL_OF_REGION = {
    Level.PROVINCE: AuthorityLevel.PROVINCE,
    Level.CITY: AuthorityLevel.CITY,
    Level.COUNTY: AuthorityLevel.COUNTY,
}


def stratum_label(kind: str) -> str:
    return str(STRATUM_LABELS.get(kind, kind))


def percent(value: Decimal) -> str:
    """0.05 → "5%", 0.125 → "12.5%"."""
    number = (Decimal(value) * 100).normalize()
    return f"{number:f}%"


def _actor_user(actor: Any) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


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
def plan_create(*, actor: Any, authority_region: Region, data: PlanInput) -> SpotCheckPlan:
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
def plan_update(*, actor: Any, plan: SpotCheckPlan, data: PlanInput) -> SpotCheckPlan:
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


def _lock(plan: SpotCheckPlan) -> SpotCheckPlan:
    return (
        SpotCheckPlan.objects.select_for_update(of=("self",))
        .select_related("authority_region", "category")
        .get(pk=plan.pk)
    )


class _Log:
    """Numbers the draw-log rows of one plan in order and writes them at once."""

    def __init__(self, plan: SpotCheckPlan) -> None:
        self.plan = plan
        last = DrawLog.objects.filter(plan=plan).aggregate(m=Max("sequence"))["m"]
        self.next = (last or 0) + 1
        self.rows: list[DrawLog] = []

    def add(self, kind: str, message: str, **extra: Any) -> DrawLog:
        row = DrawLog(plan=self.plan, sequence=self.next, kind=kind, message=message[:500], **extra)
        self.next += 1
        self.rows.append(row)
        return row

    def save(self) -> None:
        DrawLog.objects.bulk_create(self.rows)
        self.rows = []


@transaction.atomic
def plan_transition(
    *, actor: Any, plan: SpotCheckPlan, transition: str, today: dt.date | None = None
) -> SpotCheckPlan:
    """Move a plan along ``workflows.MOVES`` (the only path that changes its state)."""
    plan = _lock(plan)
    require(can_manage_plan(actor, plan))
    move = move_named(transition)
    if move is None:
        raise InvalidTransition(
            _("抽查计划没有“%(move)s”这一步") % {"move": transition},
            details={"transition": transition},
        )
    if plan.state != move.source:
        raise InvalidTransition(
            _("计划处于“%(state)s”状态，不能“%(move)s”")
            % {"state": state_label(plan.state), "move": move.label},
            details={"state": plan.state, "transition": transition},
        )
    from_state = plan.state
    payload: dict[str, Any] = {}
    log = _Log(plan)
    if move.effect == "commit":
        seed = drawing.new_seed()
        plan.seed_hex = seed.hex()
        plan.seed_hash = drawing.seed_hash(seed)
        plan.committed_at = timezone.now()
        log.add(
            LogKind.SEED_COMMITTED,
            _("随机种子已生成，公开其SHA-256：%(h)s") % {"h": plan.seed_hash},
        )
        payload["seed_hash"] = plan.seed_hash
    elif move.effect == "draw":
        payload.update(_draw(plan, log))
        plan.drawn_at = timezone.now()
    elif move.effect == "publish":
        plan.published_at = timezone.now()
        log.add(LogKind.SEED_PUBLISHED, _("公开随机种子：%(seed)s") % {"seed": plan.seed_hex})
        payload["seed"] = plan.seed_hex
    elif move.effect == "close":
        open_checks = plan.checks.exclude(status=CheckStatus.CONCLUDED).count()
        if open_checks:
            raise InvalidTransition(
                _("还有%(n)s个检查对象未作出检查结论，不能结束本轮抽查") % {"n": open_checks},
                code="inspections.checks_open",
            )
        plan.closed_at = timezone.now()
    plan.state = move.target
    plan.save()
    log.save()
    audit_record(
        actor=actor,
        kind=f"inspections.plan_{move.name}",
        target=plan,
        payload={"from": from_state, "to": plan.state, **payload},
        region_code=plan.authority_region.code,
    )
    if move.effect == "publish":
        _notify_published(plan, actor)
    return plan


# ---------------------------------------------------------------------------------------------
# The draw


def _stratum_kind(plan: SpotCheckPlan, org: Organization) -> str | None:
    if "charity" in plan.ratios and org.is_charity:
        return "charity"
    return org.kind if org.kind in plan.ratios else None


def _strata(plan: SpotCheckPlan, population: list[Organization]) -> list[dict[str, Any]]:
    """The population snapshot: strata in a fixed order, keys sorted as text in each."""
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for org in population:
        kind = _stratum_kind(plan, org)
        if kind is None:
            continue
        district = org.address_code[:6] if plan.by_district else ""
        key = f"{kind}:{district}" if district else kind
        group = groups.setdefault(
            (STRATUM_KINDS.index(kind), district),
            {
                "key": key,
                "kind": kind,
                "district": district,
                "ratio": plan.ratios[kind],
                "keys": {},
            },
        )
        group["keys"][drawing.organization_key(org.uscc, org.pk)] = org
    strata = []
    for _order, group in sorted(groups.items()):
        keys = sorted(group.pop("keys").items())
        group["population"] = [k for k, _org in keys]
        group["orgs"] = dict(keys)
        strata.append(group)
    return strata


@dataclass
class _Conflicts:
    """Why each pool user must withdraw from each organisation: {(user id, org id): (code, text)}."""

    reasons: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)

    def add(self, user_id: int, org_id: int, code: str, text: str) -> None:
        self.reasons.setdefault((user_id, org_id), (code, text))

    def of(self, user_id: int, org_id: int) -> tuple[str, str] | None:
        return self.reasons.get((user_id, org_id))


def conflicts_between(pool: list[Inspector], orgs: list[Organization]) -> _Conflicts:
    """Rule 37 回避: a declared conflict; the inspector's ID number among the organisation's
    officers (past or present) or its legal representative (worked at or for it); the
    inspector's department is the organisation's supervisory unit."""
    found = _Conflicts()
    if not pool or not orgs:
        return found
    org_ids = [o.pk for o in orgs]
    by_entry = {e.pk: e for e in pool}
    for row in ConflictDeclaration.objects.filter(
        inspector_id__in=list(by_entry), organization_id__in=org_ids, withdrawn_at__isnull=True
    ).values("inspector_id", "organization_id", "reason"):
        entry = by_entry[row["inspector_id"]]
        found.add(
            entry.user_id,
            row["organization_id"],
            "declared",
            _("%(name)s已申报回避：%(reason)s") % {"name": entry.user, "reason": row["reason"]},
        )
    by_id_number = {e.id_number: e for e in pool if e.id_number}
    if by_id_number:
        officers = Officer.objects.filter(
            organization_id__in=org_ids, person__id_number__in=list(by_id_number)
        ).values_list("organization_id", "person__id_number")
        for org_id, number in officers:
            entry = by_id_number[number]
            found.add(
                entry.user_id,
                org_id,
                "officer",
                _("%(name)s曾在或正在该组织任职") % {"name": entry.user},
            )
        for org in orgs:
            lr = org.legal_representative
            if lr is not None and lr.id_number in by_id_number:
                entry = by_id_number[lr.id_number]
                found.add(
                    entry.user_id,
                    org.pk,
                    "legal_representative",
                    _("%(name)s是该组织的法定代表人") % {"name": entry.user},
                )
    for org in orgs:
        unit = (org.supervisory_unit or "").strip()
        if not unit:
            continue
        for entry in pool:
            if entry.department.strip() == unit:
                found.add(
                    entry.user_id,
                    org.pk,
                    "supervisory_unit",
                    _("%(name)s所在单位是该组织的业务主管单位（%(unit)s）")
                    % {"name": entry.user, "unit": unit},
                )
    return found


def _not_enough(plan: SpotCheckPlan, available: int, org: Organization | None = None) -> Conflict:
    need = plan.inspectors_per_check
    if org is None:
        message = _(
            "检查人员名录库中可抽取的在岗检查人员只有%(n)s名，每个检查对象需要%(need)s名，不能抽取"
        ) % {"n": available, "need": need}
    else:
        message = _(
            "检查人员不足：%(org)s回避后可抽取的检查人员只有%(n)s名，每个检查对象需要%(need)s名，不能抽取"
        ) % {"org": org.name, "n": available, "need": need}
    return Conflict(
        message,
        code="inspections.not_enough_inspectors",
        details={"available": available, "needed": need},
    )


def _draw(plan: SpotCheckPlan, log: _Log) -> dict[str, Any]:
    """Draw the objects of every stratum and the inspectors of every check (see draw.py)."""
    seed = drawing.seed_from_hex(plan.seed_hex)
    pool = eligible_pool(plan)
    if len(pool) < plan.inspectors_per_check:
        raise _not_enough(plan, len(pool))
    strata = _strata(plan, eligible_population(plan))
    drawn: list[tuple[dict[str, Any], int, str, str, Organization]] = []
    for stratum in strata:
        ratio = Decimal(stratum["ratio"])
        ranked = drawing.rank(seed, stratum["population"])
        count = drawing.draw_count(ratio, len(ranked))
        stratum["drawn"] = count
        log.add(
            LogKind.STRATUM,
            _("%(label)s%(district)s：名录%(n)s个，比例%(ratio)s，抽取%(k)s个")
            % {
                "label": stratum_label(stratum["kind"]),
                "district": f"（{stratum['district']}）" if stratum["district"] else "",
                "n": len(ranked),
                "ratio": percent(ratio),
                "k": count,
            },
            data={"stratum": stratum["key"], "population": len(ranked), "drawn": count},
        )
        for position, (key, hexscore) in enumerate(ranked[:count], start=1):
            drawn.append((stratum, position, key, hexscore, stratum["orgs"][key]))
    conflicts = conflicts_between(pool, [d[4] for d in drawn])
    by_user = {e.user_id: e for e in pool}
    user_ids = sorted(by_user)
    checks: list[SpotCheck] = []
    for number, (stratum, position, key, hexscore, org) in enumerate(drawn, start=1):
        checks.append(
            SpotCheck(
                plan=plan,
                number=number,
                organization=org,
                org_key=key,
                stratum=stratum["key"],
                rank=position,
                score=hexscore,
            )
        )
    SpotCheck.objects.bulk_create(checks)
    checks = list(plan.checks.order_by("number"))
    assignments: list[Assignment] = []
    excluded_total = 0
    for check, (_stratum, _pos, key, hexscore, org) in zip(checks, drawn, strict=True):
        log.add(
            LogKind.DRAWN,
            _("第%(no)s号：%(org)s（%(key)s，HMAC %(score)s…）")
            % {"no": check.number, "org": org.name, "key": key, "score": hexscore[:12]},
            spot_check=check,
            data={"key": key, "score": hexscore, "stratum": check.stratum},
        )
        chosen = 0
        replacing: list[str] = []
        for user_id, hexscore_u in drawing.rank_inspectors(seed, plan.pk, check.number, user_ids):
            if chosen >= plan.inspectors_per_check:
                break
            entry = by_user[user_id]
            conflict = conflicts.of(user_id, org.pk)
            if conflict is not None:
                code, text = conflict
                excluded_total += 1
                replacing.append(str(entry.user))
                log.add(
                    LogKind.EXCLUDED,
                    text,
                    spot_check=check,
                    user=entry.user,
                    reason=code,
                    data={"score": hexscore_u},
                )
                continue
            chosen += 1
            source = AssignmentSource.REDRAW if replacing else AssignmentSource.DRAW
            assignments.append(
                Assignment(
                    spot_check=check,
                    inspector=entry,
                    user=entry.user,
                    position=chosen,
                    source=source,
                )
            )
            if replacing:
                log.add(
                    LogKind.REDRAW,
                    _("重新抽取：%(name)s替换回避的%(others)s")
                    % {"name": entry.user, "others": enumeration(replacing)},
                    spot_check=check,
                    user=entry.user,
                    reason="redraw",
                    data={"score": hexscore_u},
                )
                replacing = []
            else:
                log.add(
                    LogKind.INSPECTOR,
                    _("抽中检查人员：%(name)s") % {"name": entry.user},
                    spot_check=check,
                    user=entry.user,
                    data={"score": hexscore_u},
                )
        if chosen < plan.inspectors_per_check:
            raise _not_enough(plan, chosen, org)
    Assignment.objects.bulk_create(assignments)
    plan.population_snapshot = [
        {k: s[k] for k in ("key", "kind", "district", "ratio", "population", "drawn")}
        for s in strata
    ]
    plan.pool_snapshot = user_ids
    return {
        "population": sum(len(s["population"]) for s in strata),
        "drawn": len(checks),
        "excluded": excluded_total,
    }


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass
class StratumCheck:
    key: str
    kind: str
    district: str
    ratio: str
    population: int
    expected: list[str]
    recorded: list[str]

    @property
    def ok(self) -> bool:
        return self.expected == self.recorded


@dataclass
class InspectorCheck:
    number: int
    organization: str
    expected: list[int]
    recorded: list[int]

    @property
    def ok(self) -> bool:
        return self.expected == self.recorded


@dataclass
class Verification:
    """The outcome of recomputing a draw from a seed and the stored snapshots."""

    seed_hex: str
    seed_hash: str
    committed_hash: str
    strata: list[StratumCheck]
    inspectors: list[InspectorCheck]
    error: str = ""

    @property
    def hash_ok(self) -> bool:
        return bool(self.seed_hex) and self.seed_hash == self.committed_hash

    @property
    def lists_ok(self) -> bool:
        return all(s.ok for s in self.strata) and all(i.ok for i in self.inspectors)

    @property
    def inspectors_agreeing(self) -> int:
        """How many checks got the inspectors the recomputation gives."""
        return sum(1 for i in self.inspectors if i.ok)

    @property
    def ok(self) -> bool:
        return not self.error and self.hash_ok and self.lists_ok


def plan_verify(plan: SpotCheckPlan, *, seed_hex: str | None = None) -> Verification:
    """Recompute the draw of ``plan`` from ``seed_hex`` (default: the published seed) and the
    stored population and pool snapshots, and compare with what was recorded."""
    text = (
        seed_hex if seed_hex is not None else plan.seed_hex if plan.seed_is_public else ""
    ) or ""
    try:
        seed = drawing.seed_from_hex(text)
    except ValueError:
        return Verification(
            text, "", plan.seed_hash, [], [], error=_("随机种子应为64位十六进制数字")
        )
    checks = list(
        plan.checks.select_related("organization")
        .prefetch_related("assignments")
        .order_by("number")
    )
    recorded_by_stratum: dict[str, list[str]] = {}
    for check in checks:
        recorded_by_stratum.setdefault(check.stratum, []).append(check.org_key)
    strata = [
        StratumCheck(
            key=s["key"],
            kind=s["kind"],
            district=s["district"],
            ratio=s["ratio"],
            population=len(s["population"]),
            expected=drawing.draw_stratum(seed, s["population"], Decimal(s["ratio"])),
            recorded=recorded_by_stratum.get(s["key"], []),
        )
        for s in plan.population_snapshot
    ]
    excluded: dict[int, set[int]] = {}
    for row in plan.log.filter(kind=LogKind.EXCLUDED, spot_check__isnull=False).values(
        "spot_check_id", "user_id"
    ):
        excluded.setdefault(row["spot_check_id"], set()).add(row["user_id"])
    inspectors = []
    for check in checks:
        drawn_at_draw = [
            a.user_id
            for a in sorted(check.assignments.all(), key=lambda a: (a.position, a.pk))
            if a.source in (AssignmentSource.DRAW, AssignmentSource.REDRAW)
        ]
        inspectors.append(
            InspectorCheck(
                number=check.number,
                organization=check.organization.name,
                expected=drawing.draw_inspectors(
                    seed,
                    plan.pk,
                    check.number,
                    plan.pool_snapshot,
                    excluded.get(check.pk, set()),
                    plan.inspectors_per_check,
                ),
                recorded=drawn_at_draw[: plan.inspectors_per_check],
            )
        )
    return Verification(seed.hex(), drawing.seed_hash(seed), plan.seed_hash, strata, inspectors)


# ---------------------------------------------------------------------------------------------
# Notifications


def _owners(org_id: int) -> list[User]:
    return [
        g.user
        for g in OrganizationAccess.objects.filter(
            organization_id=org_id, reason=AccessReason.OWN
        ).select_related("user")
    ]


def _notify_published(plan: SpotCheckPlan, actor: Any) -> None:
    """Tell every drawn organisation it was drawn, and every inspector their checks."""
    checks = plan.checks.select_related("organization").prefetch_related("assignments__user")
    for check in checks:
        notify(
            recipients=_owners(check.organization_id),
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


# ---------------------------------------------------------------------------------------------
# Inspection records


def _lock_check(check: SpotCheck) -> SpotCheck:
    return (
        SpotCheck.objects.select_for_update(of=("self",))
        .select_related("plan__authority_region", "organization")
        .get(pk=check.pk)
    )


def _audit_check(
    actor: Any, kind: str, check: SpotCheck, payload: dict[str, Any], target: Any = None
) -> None:
    audit_record(
        actor=actor,
        kind=f"inspections.{kind}",
        target=target if target is not None else check,
        payload={"check": check.pk, **payload},
        organization_id=check.organization_id,
        region_code=check.organization.address_code,
    )


@transaction.atomic
def check_notify(
    *,
    actor: Any,
    check: SpotCheck,
    scope_notice: str,
    scheduled_on: dt.date | None = None,
    today: dt.date | None = None,
) -> SpotCheck:
    """Tell the organisation the scope of the check beforehand (CC45)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("该检查已作出结论"))
    notice = (scope_notice or "").strip()
    if not notice:
        raise ValidationFailed(_("请填写检查告知内容"), details={"scope_notice": _("必填")})
    today = today or timezone.localdate()
    if scheduled_on is not None and scheduled_on < today:
        raise ValidationFailed(
            _("计划检查日期不能早于告知日期"), details={"scheduled_on": _("无效")}
        )
    check.scope_notice = notice
    check.scheduled_on = scheduled_on
    check.notified_on = today
    check.status = CheckStatus.NOTIFIED
    check.save()
    _audit_check(actor, "check_notified", check, {"scheduled_on": str(scheduled_on or "")})
    notify(
        recipients=_owners(check.organization_id),
        kind="inspections.notice",
        title=_("检查告知：%(plan)s") % {"plan": check.plan.title},
        body=notice,
        url=reverse("portal:inspection-plan", args=[check.plan_id]),
        actor=_actor_user(actor),
    )
    return check


@transaction.atomic
def finding_add(
    *, actor: Any, check: SpotCheck, type: str, description: str, legal_basis: str = ""
) -> Finding:
    """Record a problem found in the check (before its conclusion)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("检查结论已作出，不能再添加检查发现"))
    if type not in FindingType.values:
        raise ValidationFailed(_("请选择问题类型"), details={"type": _("无效")})
    text = (description or "").strip()
    if not text:
        raise ValidationFailed(_("请填写问题描述"), details={"description": _("必填")})
    finding = Finding.objects.create(
        spot_check=check,
        type=type,
        description=text,
        legal_basis=(legal_basis or "").strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    _audit_check(actor, "finding_added", check, {"type": type}, target=finding)
    return finding


@transaction.atomic
def check_conclude(
    *,
    actor: Any,
    check: SpotCheck,
    checked_on: dt.date,
    conclusion: str,
    note: str = "",
    today: dt.date | None = None,
) -> SpotCheck:
    """Conclude the check; the organisation is told the findings (rule 38)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    today = today or timezone.localdate()
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("该检查已作出结论"))
    if check.status != CheckStatus.NOTIFIED:
        raise InvalidTransition(
            _("请先向组织送达检查告知，再作出检查结论"), code="inspections.not_notified"
        )
    if conclusion not in Conclusion.values:
        raise ValidationFailed(_("请选择检查结论"), details={"conclusion": _("无效")})
    if (
        checked_on is None
        or checked_on > today
        or (check.notified_on and checked_on < check.notified_on)
    ):
        raise ValidationFailed(
            _("检查日期应在告知日期之后、不晚于今天"), details={"checked_on": _("无效")}
        )
    findings = list(check.findings.all())
    if conclusion in (Conclusion.RECTIFY, Conclusion.REFERRED) and not findings:
        raise ValidationFailed(
            _("结论为“%(c)s”时须先记录检查发现") % {"c": Conclusion(conclusion).label},
            details={"conclusion": _("无效")},
        )
    if conclusion == Conclusion.RECTIFY and not check.orders.exists():
        raise ValidationFailed(
            _("结论为“责令整改”时须先下达整改通知"), details={"conclusion": _("无效")}
        )
    check.checked_on = checked_on
    check.conclusion = conclusion
    check.conclusion_note = (note or "").strip()
    check.concluded_on = today
    check.status = CheckStatus.CONCLUDED
    check.save()
    _audit_check(
        actor, "check_concluded", check, {"conclusion": conclusion, "findings": len(findings)}
    )
    summary = "；".join(f"{f.get_type_display()}：{f.description}" for f in findings)
    notify(
        recipients=_owners(check.organization_id),
        kind="inspections.findings",
        title=_("抽查结论：%(c)s") % {"c": Conclusion(conclusion).label},
        body=summary or str(Conclusion(conclusion).label),
        url=reverse("portal:inspection-plan", args=[check.plan_id]),
        actor=_actor_user(actor),
    )
    return check


@transaction.atomic
def rectification_order_issue(
    *,
    actor: Any,
    check: SpotCheck,
    requirement: str,
    deadline: dt.date,
    finding: Finding | None = None,
    today: dt.date | None = None,
) -> RectificationOrder:
    """Order the organisation to rectify by a deadline (overdue → credit fact, rule 29)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    today = today or timezone.localdate()
    text = (requirement or "").strip()
    if not text:
        raise ValidationFailed(_("请填写整改要求"), details={"requirement": _("必填")})
    if deadline is None or deadline <= today:
        raise ValidationFailed(_("整改期限应晚于下达日期"), details={"deadline": _("无效")})
    if finding is not None and finding.spot_check_id != check.pk:
        raise ValidationFailed(_("该检查发现不属于此检查对象"), details={"finding_id": _("无效")})
    order = RectificationOrder.objects.create(
        spot_check=check,
        finding=finding,
        requirement=text,
        issued_on=today,
        deadline=deadline,
        issued_by=actor,
    )
    _audit_check(actor, "rectification_ordered", check, {"deadline": str(deadline)}, target=order)
    notify(
        recipients=_owners(check.organization_id),
        kind="inspections.rectification",
        title=_("整改通知：请于%(d)s前完成整改") % {"d": deadline.isoformat()},
        body=text,
        url=reverse("portal:inspection-plan", args=[check.plan_id]),
        actor=_actor_user(actor),
    )
    return order


def _lock_order(order: RectificationOrder) -> RectificationOrder:
    return (
        RectificationOrder.objects.select_for_update(of=("self",))
        .select_related("spot_check__plan__authority_region", "spot_check__organization")
        .get(pk=order.pk)
    )


@transaction.atomic
def rectification_report(
    *,
    actor: Any,
    order: RectificationOrder,
    rectified_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> RectificationOrder:
    """The organisation (or the inspector for it) reports the rectification done."""
    order = _lock_order(order)
    require(can_report_rectification(actor, order))
    today = today or timezone.localdate()
    if order.verified_on is not None:
        raise InvalidTransition(_("整改已核查，不能再修改"))
    if rectified_on is None or rectified_on > today or rectified_on < order.issued_on:
        raise ValidationFailed(
            _("整改完成日期应在下达日期之后、不晚于今天"), details={"rectified_on": _("无效")}
        )
    order.rectified_on = rectified_on
    order.rectification_note = (note or "").strip()
    order.save(update_fields=["rectified_on", "rectification_note"])
    _audit_check(
        actor,
        "rectification_reported",
        order.spot_check,
        {"rectified_on": str(rectified_on)},
        target=order,
    )
    return order


@transaction.atomic
def rectification_verify(
    *, actor: Any, order: RectificationOrder, verified_on: dt.date | None = None
) -> RectificationOrder:
    """Verify the rectification; a credit fact recorded for it being overdue is resolved."""
    order = _lock_order(order)
    require(can_verify_rectification(actor, order))
    verified_on = verified_on or timezone.localdate()
    if order.verified_on is not None:
        raise InvalidTransition(_("整改已核查"))
    if order.rectified_on is None:
        raise InvalidTransition(
            _("组织尚未报告整改情况，不能核查"), code="inspections.not_rectified"
        )
    if verified_on < order.rectified_on:
        raise ValidationFailed(
            _("核查日期不能早于整改完成日期"), details={"verified_on": _("无效")}
        )
    order.verified_on = verified_on
    order.verified_by = actor
    order.save(update_fields=["verified_on", "verified_by"])
    _audit_check(actor, "rectification_verified", order.spot_check, {}, target=order)
    from . import credit_hooks

    credit_hooks.resolve_overdue(order=order, actor=actor, on=verified_on)
    return order


# ---------------------------------------------------------------------------------------------
# The inspector pool and conflicts


def _clean_id_number(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return id_number_validate(value)
    except IdentifierError as exc:
        raise ValidationFailed(exc.message, details={"id_number": exc.message}) from exc


@transaction.atomic
def inspector_add(
    *, actor: Any, user: User, region: Region, department: str = "", id_number: str = ""
) -> Inspector:
    """Enter an inspector or bureau staff member in the authority's pool (rule 37)."""
    require(can_manage_pool(actor, region.code))
    if user.role not in POOL_ROLES or not user.is_active:
        raise ValidationFailed(
            _("只有检查人员或民政部门工作人员可以列入检查人员名录"), details={"user": _("无效")}
        )
    if Inspector.objects.filter(user=user, region=region).exists():
        raise Conflict(_("%(name)s已在该名录中") % {"name": user}, details={"user": _("已存在")})
    entry = Inspector.objects.create(
        user=user,
        region=region,
        department=(department or "").strip(),
        id_number=_clean_id_number(id_number),
    )
    audit_record(
        actor=actor,
        kind="inspections.inspector_added",
        target=entry,
        payload={"user": user.pk, "department": entry.department},
        region_code=region.code,
    )
    return entry


@transaction.atomic
def inspector_update(
    *, actor: Any, entry: Inspector, department: str, id_number: str, is_active: bool
) -> Inspector:
    entry = (
        Inspector.objects.select_for_update(of=("self",))
        .select_related("region", "user")
        .get(pk=entry.pk)
    )
    require(can_manage_pool(actor, entry.region.code))
    before = {"department": entry.department, "is_active": entry.is_active}
    entry.department = (department or "").strip()
    entry.id_number = _clean_id_number(id_number)
    entry.is_active = bool(is_active)
    entry.save()
    audit_record(
        actor=actor,
        kind="inspections.inspector_updated",
        target=entry,
        payload={"before": before, "department": entry.department, "is_active": entry.is_active},
        region_code=entry.region.code,
    )
    return entry


@transaction.atomic
def conflict_declare(
    *, actor: Any, entry: Inspector, organization: Organization, reason: str
) -> ConflictDeclaration:
    """Declare that the inspector must withdraw from checks of the organisation."""
    require(can_declare_conflict(actor, entry))
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    if organization.kind == Kind.COMMUNITY_GROUP:
        raise ValidationFailed(
            _("备案社区社会组织不在抽查范围内"), details={"organization": _("无效")}
        )
    if ConflictDeclaration.objects.filter(
        inspector=entry, organization=organization, withdrawn_at__isnull=True
    ).exists():
        raise Conflict(_("已申报过对该组织的回避"), details={"organization": _("已存在")})
    conflict = ConflictDeclaration.objects.create(
        inspector=entry,
        organization=organization,
        reason=text[:300],
        declared_by=actor,
        declared_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind="inspections.conflict_declared",
        target=conflict,
        payload={"inspector": entry.pk, "reason": conflict.reason},
        organization_id=organization.pk,
        region_code=entry.region.code,
    )
    return conflict


@transaction.atomic
def conflict_withdraw(*, actor: Any, conflict: ConflictDeclaration) -> ConflictDeclaration:
    conflict = (
        ConflictDeclaration.objects.select_for_update(of=("self",))
        .select_related("inspector__region", "inspector__user")
        .get(pk=conflict.pk)
    )
    require(can_declare_conflict(actor, conflict.inspector))
    if conflict.withdrawn_at is not None:
        raise InvalidTransition(_("该回避申报已撤回"))
    conflict.withdrawn_at = timezone.now()
    conflict.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=actor,
        kind="inspections.conflict_withdrawn",
        target=conflict,
        organization_id=conflict.organization_id,
        region_code=conflict.inspector.region.code,
    )
    return conflict


@transaction.atomic
def check_replace_inspector(
    *, actor: Any, check: SpotCheck, user_id: int, reason: str
) -> Assignment:
    """An assigned inspector withdraws after the draw (回避): the conflict is recorded, and the
    next inspector of the check's HMAC ranking without a conflict is drawn in their place."""
    check = _lock_check(check)
    plan = check.plan
    require(can_manage_plan(actor, plan))
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("该检查已作出结论"))
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    current = (
        check.assignments.filter(user_id=user_id, is_active=True)
        .select_related("inspector")
        .first()
    )
    if current is None:
        raise ValidationFailed(_("该检查人员未被分派到此检查对象"), details={"user_id": _("无效")})
    current.is_active = False
    current.ended_reason = text[:300]
    current.save(update_fields=["is_active", "ended_reason"])
    ConflictDeclaration.objects.get_or_create(
        inspector=current.inspector,
        organization=check.organization,
        withdrawn_at=None,
        defaults={"reason": text[:300], "declared_by": actor, "declared_at": timezone.now()},
    )
    log = _Log(plan)
    log.add(
        LogKind.WITHDRAWN,
        _("%(name)s回避：%(reason)s") % {"name": current.user, "reason": text},
        spot_check=check,
        user=current.user,
        reason="declared",
    )
    pool = {e.user_id: e for e in eligible_pool(plan)}
    taken = set(check.assignments.values_list("user_id", flat=True))
    org = Organization.objects.select_related("legal_representative").get(pk=check.organization_id)
    conflicts = conflicts_between(list(pool.values()), [org])
    seed = drawing.seed_from_hex(plan.seed_hex)
    for uid, _score in drawing.rank_inspectors(seed, plan.pk, check.number, sorted(pool)):
        if uid in taken:
            continue
        found = conflicts.of(uid, org.pk)
        if found is not None:
            log.add(
                LogKind.WITHDRAWN, found[1], spot_check=check, user=pool[uid].user, reason=found[0]
            )
            continue
        position = (check.assignments.aggregate(m=Max("position"))["m"] or 0) + 1
        assignment = Assignment.objects.create(
            spot_check=check,
            inspector=pool[uid],
            user=pool[uid].user,
            position=position,
            source=AssignmentSource.REPLACEMENT,
        )
        log.add(
            LogKind.REDRAW,
            _("重新抽取：%(name)s替换回避的%(old)s")
            % {"name": pool[uid].user, "old": current.user},
            spot_check=check,
            user=pool[uid].user,
            reason="redraw",
        )
        log.save()
        _audit_check(
            actor, "inspector_replaced", check, {"out": user_id, "in": uid, "reason": text}
        )
        return assignment
    raise _not_enough(plan, check.assignments.filter(is_active=True).count(), org)
