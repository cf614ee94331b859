"""/api/v1/public/inspections/: published spot-check results and the draw's verification."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from npohub.inspections.models import RECTIFICATION_LABELS, SpotCheckPlan
from npohub.inspections.selectors import public_checks_of, public_plan_get, public_plans
from npohub.inspections.services import plan_verify

from ..pagination import Page, PageParams, paginate
from .schemas import ErrorOut, PublicPlanOut, VerifyOut

router = Router(auth=None, tags=["public"])
ERRORS: dict[int, Any] = dict.fromkeys((404, 422), ErrorOut)


def public_plan_of(plan: SpotCheckPlan, *, with_checks: bool) -> dict[str, Any]:
    today = timezone.localdate()
    out: dict[str, Any] = {
        "id": plan.pk,
        "title": plan.title,
        "year": plan.year,
        "authority_region": {
            "code": plan.authority_region.code,
            "name": plan.authority_region.name,
        },
        "kind": plan.kind,
        "method": plan.method,
        "state": plan.state,
        "seed_hash": plan.seed_hash,
        "seed": plan.seed_hex if plan.seed_is_public else None,
        "ratios": plan.ratios,
        "fee": 0,
        "checks": [],
    }
    if with_checks:
        out["checks"] = [
            {
                "number": c.number,
                "organization": {
                    "id": c.organization_id,
                    "name": c.organization.name,
                    "uscc": c.organization.uscc,
                },
                "conclusion": c.conclusion,
                "conclusion_label": c.get_conclusion_display() if c.conclusion else "",
                "findings": [f.get_type_display() for f in c.findings.all()],
                "rectification": [
                    str(RECTIFICATION_LABELS[o.status_on(today)]) for o in c.orders.all()
                ],
            }
            for c in public_checks_of(plan)
        ]
    return out


@router.get(
    "/plans", response={200: Page[PublicPlanOut]}, operation_id="public_inspections_plans_list"
)
def plan_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Plans whose seed hash is public (committed or later), newest first."""
    return paginate(
        request, public_plans(), page, render=lambda p: public_plan_of(p, with_checks=False)
    )


@router.get(
    "/plans/{int:plan_id}",
    response={200: PublicPlanOut, **ERRORS},
    operation_id="public_inspections_plans_detail",
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """The drawn organisations, conclusions, findings and rectification status (rule 38)."""
    return public_plan_of(public_plan_get(plan_id), with_checks=True)


@router.get(
    "/plans/{int:plan_id}/verify",
    response={200: VerifyOut, **ERRORS},
    operation_id="public_inspections_plans_verify",
)
def plan_verify_endpoint(request: HttpRequest, plan_id: int, seed: str = "") -> dict[str, Any]:
    """Recompute the draw from a seed (default: the published one) and the stored snapshots."""
    plan = public_plan_get(plan_id)
    result = plan_verify(plan, seed_hex=seed.strip() or None)
    return {
        "ok": result.ok,
        "hash_ok": result.hash_ok,
        "lists_ok": result.lists_ok,
        "seed": result.seed_hex,
        "seed_hash": result.seed_hash,
        "committed_hash": result.committed_hash,
        "error": result.error,
        "strata": [
            {
                "key": s.key,
                "population": s.population,
                "ratio": s.ratio,
                "expected": s.expected,
                "recorded": s.recorded,
                "ok": s.ok,
            }
            for s in result.strata
        ],
        "inspectors_ok": all(i.ok for i in result.inspectors),
    }
