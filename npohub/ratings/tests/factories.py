"""Helpers for grade-assessment tests: clean organisations, the pool, a round in any state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.models import Organization
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.ratings import selectors, services
from npohub.ratings.models import Application, Assignment, Expert, Round
from npohub.supervision.models import AnnualReport

ON = dt.date(2025, 9, 1)


def report(org: Organization, year: int, conclusion: str = "pass", user: Any = None) -> Any:
    """An annual report that reached the bureau on time, with its conclusion."""
    return AnnualReport.objects.create(
        organization=org,
        year=year,
        org_kind=org.kind,
        address_code=org.address_code,
        bureau_deadline=dt.date(year + 1, 5, 31),
        bureau_received_on=dt.date(year + 1, 4, 1),
        conclusion=conclusion,
        state="concluded" if conclusion else "submitted",
        concluded_on=dt.date(year + 1, 5, 1) if conclusion else None,
        created_by=user,
    )


def clean_org(regions: dict[str, Any], name: str = "", **extra: Any) -> Organization:
    """An association in 解放桥 registered 2020, inspected 合格 for 2023 and 2024."""
    values: dict[str, Any] = {
        "community": regions["c_jfq1"],
        "authority_region": regions["lixia"],
        "registration_date": dt.date(2020, 5, 1),
    }
    if name:
        values["name"] = name
    values.update(extra)
    org = OrganizationFactory(**values)
    report(org, 2023)
    report(org, 2024)
    return org


def expert(regions: dict[str, Any], username: str, user: Any = None, **extra: Any) -> Expert:
    user = user or UserFactory(
        username=username, display_name=username, role=Role.EXPERT, region=regions["jinan"]
    )
    return Expert.objects.create(user=user, region=regions["jinan"], **extra)


def make_round(actor: Any, regions: dict[str, Any], **extra: Any) -> Round:
    values: dict[str, Any] = {
        "name": "2025年度历下区社会组织等级评估",
        "year": 2025,
        "region": regions["lixia"],
        "kinds": ["association", "social_service", "foundation"],
    }
    values.update(extra)
    return services.round_create(actor=actor, **values)


def advance(actor: Any, round: Round, *names: str, today: dt.date = ON) -> Round:
    for name in names:
        round = services.round_transition(actor=actor, round=round, transition=name, today=today)
    return round


def score_all(assignment: Assignment, share: Decimal, *, submit: bool = True) -> Assignment:
    """Score every leaf at ``share`` of its maximum (as the expert), optionally submit."""
    app = assignment.application
    user = assignment.expert.user
    entries = [
        services.ScoreEntry(
            indicator_id=i.pk,
            points=(Decimal(i.max_points) * share).quantize(Decimal("0.1")),
            comment="材料齐全",
        )
        for i in selectors.leaves_of(app.round, app.organization.kind)
    ]
    assignment = services.scores_save(actor=user, assignment=assignment, entries=entries)
    if submit:
        assignment = services.assignment_submit(actor=user, assignment=assignment)
    return assignment


def round_in_scoring(
    actor: Any, regions: dict[str, Any], orgs: list[Organization], experts: list[Expert]
) -> tuple[Round, list[Application]]:
    """A round with the organisations applied, checked eligible and panels formed."""
    round = make_round(actor, regions)
    round = advance(actor, round, "open_applications", today=dt.date(2025, 8, 1))
    apps = [
        services.application_submit(
            actor=actor, round=round, organization=org, today=dt.date(2025, 8, 5)
        )
        for org in orgs
    ]
    round = advance(actor, round, "close_applications")
    for app in apps:
        app.refresh_from_db()
        for e in experts:
            services.panel_assign(actor=actor, application=app, expert=e, today=ON)
    round = advance(actor, round, "start_scoring")
    return round, [Application.objects.get(pk=app.pk) for app in apps]


def owner(cast: dict[str, Any], org: Organization) -> Any:
    grant(cast["org_user"], org, "own")
    return cast["org_user"]
