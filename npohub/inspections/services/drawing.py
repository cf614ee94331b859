"""The verifiable draw (rule 37): strata, conflicts of interest, objects and inspectors (the ranking itself is ``inspections.draw``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from npohub.core.errors import Conflict
from npohub.core.i18n import enumeration
from npohub.orgs.conflicts import LEGAL_REPRESENTATIVE, ties_between
from npohub.orgs.models import Organization

from .. import draw as drawing
from ..models import (
    Assignment,
    AssignmentSource,
    ConflictDeclaration,
    Inspector,
    LogKind,
    SpotCheck,
    SpotCheckPlan,
)
from ..selectors import eligible_pool, eligible_population
from .common import STRATUM_KINDS, _Log, percent, stratum_label

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
    for tie in ties_between(by_id_number, orgs):
        entry = by_id_number[tie.id_number]
        if tie.kind == LEGAL_REPRESENTATIVE:
            text = _("%(name)s是该组织的法定代表人") % {"name": entry.user}
        else:
            text = _("%(name)s曾在或正在该组织任职") % {"name": entry.user}
        found.add(entry.user_id, tie.organization_id, tie.kind, text)
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
