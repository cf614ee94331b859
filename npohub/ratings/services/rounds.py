"""Rounds and their indicator trees: a round copies its region's thresholds and a tree per kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import Kind
from npohub.regions.models import Region

from .. import selectors
from ..indicators import TREES, Node
from ..models import Indicator, Round
from ..permissions import can_create_round, can_edit_tree
from ..policy import policy_for

# ---------------------------------------------------------------------------------------------
# Rounds and their indicator trees


def _copy_defaults(round: Round, kind: str) -> None:
    def add(node: Node, parent: Indicator | None, order: int) -> None:
        code, name, points, children = node
        made = Indicator.objects.create(
            round=round,
            kind=kind,
            parent=parent,
            code=code,
            name=name,
            max_points=points,
            order=order,
        )
        for i, child in enumerate(children):
            add(child, made, i)

    for i, node in enumerate(TREES[kind]):
        add(node, None, i)


def _copy_round_tree(round: Round, source: Round, kind: str) -> None:
    made: dict[int, Indicator] = {}
    pending = list(Indicator.objects.filter(round=source, kind=kind).order_by("id"))
    while pending:
        rest = []
        for node in pending:
            if node.parent_id is not None and node.parent_id not in made:
                rest.append(node)
                continue
            made[node.pk] = Indicator.objects.create(
                round=round,
                kind=kind,
                parent=made[node.parent_id] if node.parent_id else None,
                code=node.code,
                name=node.name,
                max_points=node.max_points,
                guidance=node.guidance,
                order=node.order,
            )
        if len(rest) == len(pending):
            break
        pending = rest


def round_create(
    *,
    actor: User,
    name: str,
    year: int,
    region: Region,
    kinds: list[str],
    applications_until: dt.date | None = None,
    copy_from: Round | None = None,
) -> Round:
    """A round copies its region's thresholds and a tree per kind (defaults or a past round)."""
    require(can_create_round(actor, region))
    name = (name or "").strip()
    kinds = [k for k in dict.fromkeys(kinds or []) if k in TREES]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写轮次名称")
    if not kinds:
        errors["kinds"] = _("请至少选择一种参评组织类型")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    policy = policy_for(region.code)
    with transaction.atomic():
        round = Round.objects.create(
            name=name[:200],
            year=year,
            region=region,
            kinds=kinds,
            thresholds=dict(policy["thresholds"]),
            validity_years=int(policy["validity_years"]),
            applications_until=applications_until,
            created_by=actor,
        )
        for kind in kinds:
            if copy_from is not None and copy_from.indicators.filter(kind=kind).exists():
                _copy_round_tree(round, copy_from, kind)
            else:
                _copy_defaults(round, kind)
        audit_record(
            actor=actor,
            kind="ratings.round_created",
            target=round,
            region_code=region.code,
            payload={
                "kinds": kinds,
                "thresholds": round.thresholds,
                "copy_from": getattr(copy_from, "pk", None),
            },
        )
    return round


def tree_problems(round: Round) -> list[str]:
    """Why a round's trees cannot be used: totals not 1000, a parent not the sum of children."""
    total_points = int(policy_for(round.region.code)["total_points"])
    problems: list[str] = []
    for kind in round.kinds:
        label = Kind(kind).label if kind in Kind.values else kind
        tree = selectors.indicator_tree(round, kind)
        if not tree:
            problems.append(_("%(kind)s没有评估指标") % {"kind": label})
            continue
        top = sum(item["node"].max_points for item in tree)
        if top != total_points:
            problems.append(
                _("%(kind)s指标总分为%(got)s分，应为%(want)s分")
                % {"kind": label, "got": top, "want": total_points}
            )

        def check(items: list[dict[str, Any]], label: str = str(label)) -> None:
            for item in items:
                children = item["children"]
                if children:
                    below = sum(c["node"].max_points for c in children)
                    if below != item["node"].max_points:
                        problems.append(
                            _(
                                "%(kind)s指标“%(code)s %(name)s”分值%(points)s分，下级合计%(below)s分"
                            )
                            % {
                                "kind": label,
                                "code": item["node"].code,
                                "name": item["node"].name,
                                "points": item["node"].max_points,
                                "below": below,
                            }
                        )
                    check(children, label)

        check(tree)
    return problems


def _indicator_values(code: str, name: str, max_points: Any) -> tuple[str, str, int]:
    code, name = (code or "").strip(), (name or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("请填写指标编号")
    if not name:
        errors["name"] = _("请填写指标名称")
    try:
        points = int(max_points)
    except (TypeError, ValueError):
        points = -1
    if points <= 0 or points > 1000:
        errors["max_points"] = _("分值应为1至1000之间的整数")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    return code, name, points


def indicator_add(
    *,
    actor: User,
    round: Round,
    kind: str,
    code: str,
    name: str,
    max_points: Any,
    parent: Indicator | None = None,
    guidance: str = "",
) -> Indicator:
    """Add a node to the round's tree for a kind (only before scoring starts)."""
    require(can_edit_tree(actor, round))
    if kind not in round.kinds:
        raise ValidationFailed(_("本轮评估不包括该组织类型"), details={"kind": _("无效")})
    code, name, points = _indicator_values(code, name, max_points)
    if parent is not None and (parent.round_id != round.pk or parent.kind != kind):
        raise ValidationFailed(_("上级指标不属于本轮同类指标"), details={"parent": _("无效")})
    if Indicator.objects.filter(round=round, kind=kind, code=code).exists():
        raise ValidationFailed(
            _("指标编号%(code)s已存在") % {"code": code}, details={"code": _("已存在")}
        )
    with transaction.atomic():
        last = Indicator.objects.filter(round=round, kind=kind, parent=parent).aggregate(
            m=Max("order")
        )["m"]
        indicator = Indicator.objects.create(
            round=round,
            kind=kind,
            parent=parent,
            code=code,
            name=name,
            max_points=points,
            guidance=guidance or "",
            order=(last or 0) + 1,
        )
        audit_record(
            actor=actor,
            kind="ratings.indicator_added",
            target=indicator,
            region_code=round.region.code,
            payload={"round": round.pk, "kind": kind, "code": code, "max_points": points},
        )
    return indicator


def indicator_update(
    *, actor: User, indicator: Indicator, code: str, name: str, max_points: Any, guidance: str = ""
) -> Indicator:
    """Rename or re-weight a node of one round's tree; other rounds keep their own copy."""
    round = indicator.round
    require(can_edit_tree(actor, round))
    code, name, points = _indicator_values(code, name, max_points)
    if (
        Indicator.objects.filter(round=round, kind=indicator.kind, code=code)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        raise ValidationFailed(
            _("指标编号%(code)s已存在") % {"code": code}, details={"code": _("已存在")}
        )
    with transaction.atomic():
        before = {
            "code": indicator.code,
            "name": indicator.name,
            "max_points": indicator.max_points,
        }
        indicator.code, indicator.name, indicator.max_points = code, name, points
        indicator.guidance = guidance or ""
        indicator.save(update_fields=["code", "name", "max_points", "guidance"])
        audit_record(
            actor=actor,
            kind="ratings.indicator_updated",
            target=indicator,
            region_code=round.region.code,
            payload={"before": before, "after": {"code": code, "name": name, "max_points": points}},
        )
    return indicator


def indicator_delete(*, actor: User, indicator: Indicator) -> None:
    """Remove a node (and its children) from one round's tree."""
    round = indicator.round
    require(can_edit_tree(actor, round))
    with transaction.atomic():
        audit_record(
            actor=actor,
            kind="ratings.indicator_deleted",
            target=indicator,
            region_code=round.region.code,
            payload={"round": round.pk, "code": indicator.code},
        )
        indicator.delete()
