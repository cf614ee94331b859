"""Helpers for spot-check tests: a district population and an inspector pool."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.inspections import services
from npohub.inspections.models import Inspector, SpotCheckPlan
from npohub.orgs.models import Kind
from npohub.orgs.tests.factories import OrganizationFactory, make_uscc


def population(
    regions: dict[str, Any], n: int, *, kind: str = Kind.ASSOCIATION, start: int = 1000
) -> list[Any]:
    digit = {"association": "1", "social_service": "2", "foundation": "3"}[kind]
    return [
        OrganizationFactory(
            name=f"历下区抽查测试组织{start + i}",
            kind=kind,
            uscc=make_uscc(digit, "370102", start + i),
            community=regions["c_jfq1"],
            authority_region=regions["lixia"],
            supervisory_unit="",
        )
        for i in range(n)
    ]


def pool(
    regions: dict[str, Any], n: int, *, region: str = "lixia", prefix: str = "insp"
) -> list[Inspector]:
    entries = []
    for i in range(n):
        user = UserFactory(username=f"{prefix}{i}", role=Role.INSPECTOR, region=regions["jinan"])
        entries.append(
            Inspector.objects.create(user=user, region=regions[region], department=f"检查科{i}")
        )
    return entries


def district_plan(
    actor: Any,
    regions: dict[str, Any],
    *,
    ratio: str = "0.05",
    method: str = "on_site",
    **extra: Any,
) -> SpotCheckPlan:
    data = services.PlanInput(
        title="2026年历下区社会组织双随机抽查",
        year=2026,
        kind="regular",
        method=method,
        ratios={
            "association": Decimal(ratio),
            "social_service": Decimal(ratio),
            "foundation": Decimal(ratio),
        },
        **extra,
    )
    return services.plan_create(actor=actor, authority_region=regions["lixia"], data=data)


def drawn_plan(actor: Any, regions: dict[str, Any], **extra: Any) -> SpotCheckPlan:
    plan = district_plan(actor, regions, **extra)
    plan = services.plan_transition(actor=actor, plan=plan, transition="commit")
    return services.plan_transition(actor=actor, plan=plan, transition="draw")
