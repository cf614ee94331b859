"""Verifying a plan's draw again from its published seed and frozen snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .. import draw as drawing
from ..models import AssignmentSource, LogKind, SpotCheckPlan

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
