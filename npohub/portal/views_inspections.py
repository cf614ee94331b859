"""Public spot-check pages (rule 38): per plan, the drawn organisations, conclusions, findings
summary and rectification status, and the verification of the draw from the published seed.
No fee is charged for any check; nothing here needs signing in."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from npohub.inspections.models import RECTIFICATION_LABELS
from npohub.inspections.selectors import public_checks_of, public_plan_get, public_plans
from npohub.inspections.services import plan_verify
from npohub.inspections.workflows import state_label

PAGE_SIZE = 20


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_plans(), PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.state_text = state_label(plan.state)
    return render(request, "portal/inspections/plan_list.html", {"page": page})


@require_GET
def plan_results(request: HttpRequest, pk: int) -> HttpResponse:
    plan = public_plan_get(pk)  # NotFound → 404 (core.http)
    today = timezone.localdate()
    checks = list(public_checks_of(plan))
    for check in checks:
        shown: Any = check
        shown.order_texts = [
            str(RECTIFICATION_LABELS[o.status_on(today)]) for o in check.orders.all()
        ]
        shown.finding_summary = "；".join(f.get_type_display() for f in check.findings.all())
    seed = request.GET.get("seed", "").strip()
    verification = None
    if plan.seed_is_public:
        verification = plan_verify(plan, seed_hex=seed or None)
    return render(
        request,
        "portal/inspections/plan_results.html",
        {
            "plan": plan,
            "state_text": state_label(plan.state),
            "checks": checks,
            "verification": verification,
            "seed": seed,
        },
    )
