"""Grade-assessment demo: a finished Jinan city round (grades awarded, about six in ten at 3A or
above, one objection decided) and a 历下区 round open for scoring by the demo ``expert`` account,
all made through the services.

Run after ``load_demo`` and ``demo_accounts``; running it again changes nothing (it stops if the
finished round exists).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.orgs.access import organization_account_grant
from npohub.orgs.models import Organization, Status
from npohub.ratings import selectors, services
from npohub.ratings.models import Application, Assignment, Expert, Round
from npohub.regions.models import Region

from .accounts import DEMO_PASSWORD

CITY = "370100000000"
DISTRICT = "370102000000"
KINDS = ["association", "social_service", "foundation"]
POOL = (
    ("expert", "社会组织管理", "山东大学"),
    ("expert_zhang", "财务审计", "济南某会计师事务所"),
    ("expert_li", "法律", "济南某律师事务所"),
    ("expert_wang", "社会工作", "济南大学"),
    ("expert_zhao", "公益慈善", "济南市慈善总会"),
)
NAMES = {
    "expert_zhang": "张会计师",
    "expert_li": "李律师",
    "expert_wang": "王教授",
    "expert_zhao": "赵秘书长",
}


@dataclass
class Summary:
    finished: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    ineligible: int = 0
    open_tasks: int = 0


def _pool() -> list[Expert]:
    city = Region.objects.get(code=CITY)
    experts = []
    for username, expertise, employer in POOL:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                role=Role.EXPERT,
                display_name=NAMES.get(username, username),
                region=city,
                organization_label=employer,
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        entry = Expert.objects.filter(user=user).first()
        if entry is None:
            entry = Expert.objects.create(
                user=user, region=city, field=expertise, employer=employer
            )
        experts.append(entry)
    return experts


def _candidates(prefix: str, on: dt.date, want: int, skip: set[int]) -> tuple[list, list]:
    eligible, barred = [], []
    qs = (
        Organization.objects.registered()
        .filter(
            address_code__startswith=prefix,
            status=Status.ACTIVE,
            registration_date__lte=on - dt.timedelta(days=800),
        )
        .exclude(pk__in=skip)
        .order_by("pk")
    )
    for org in qs[: want * 6]:
        if services.eligibility_of(org, on):
            if len(barred) < 3:
                barred.append(org)
        else:
            eligible.append(org)
        if len(eligible) >= want and len(barred) >= 3:
            break
    return eligible[:want], barred


def _score(task: Assignment, share: float, rng: random.Random) -> None:
    app = task.application
    entries = []
    for leaf in selectors.leaves_of(app.round, app.organization.kind):
        jitter = rng.uniform(-0.04, 0.04)
        points = Decimal(str(round(leaf.max_points * min(1.0, max(0.3, share + jitter)), 1)))
        entries.append(
            services.ScoreEntry(
                indicator_id=leaf.pk,
                points=points,
                comment="材料齐全，符合要求" if share > 0.8 else "部分材料不完整",
            )
        )
    services.scores_save(actor=task.expert.user, assignment=task, entries=entries)
    services.assignment_submit(actor=task.expert.user, assignment=task)


def _finished_round(bureau: User, pool: list[Expert], rng: random.Random, summary: Summary) -> None:
    year = timezone.localdate().year - 1
    day = dt.date(year, 6, 1)
    round = services.round_create(
        actor=bureau,
        name=f"{year}年度济南市社会组织等级评估",
        year=year,
        region=Region.objects.get(code=CITY),
        kinds=KINDS,
        applications_until=dt.date(year, 7, 31),
    )
    round = services.round_transition(
        actor=bureau, round=round, transition="open_applications", today=day
    )
    eligible, barred = _candidates("3701", dt.date(year, 8, 1), 40, set())
    # Two recently registered organisations apply too: refused for rule 39, with the reason.
    young = (
        Organization.objects.registered()
        .filter(
            address_code__startswith="3701",
            status=Status.ACTIVE,
            registration_date__gt=dt.date(year - 2, 8, 1),
            registration_date__lte=dt.date(year, 7, 1),
        )
        .exclude(pk__in=[o.pk for o in eligible + barred])
        .order_by("pk")[:2]
    )
    barred += list(young)
    for org in eligible + barred:
        services.application_submit(
            actor=bureau, round=round, organization=org, today=dt.date(year, 7, 15)
        )
    round = services.round_transition(
        actor=bureau, round=round, transition="close_applications", today=dt.date(year, 8, 1)
    )
    apps = list(round.applications.filter(state="eligible").select_related("organization"))
    summary.ineligible = round.applications.filter(state="ineligible").count()
    for i, app in enumerate(apps):
        for expert in pool[1:4] if i % 2 else [pool[0], pool[3], pool[4]]:
            try:
                services.panel_assign(
                    actor=bureau, application=app, expert=expert, today=dt.date(year, 8, 10)
                )
            except services.ExpertConflict:
                services.panel_assign(
                    actor=bureau, application=app, expert=pool[2], today=dt.date(year, 8, 10)
                )
    round = services.round_transition(
        actor=bureau, round=round, transition="start_scoring", today=dt.date(year, 8, 15)
    )
    for i, app in enumerate(apps):
        share = rng.choice([0.95, 0.91, 0.86, 0.83, 0.78, 0.74, 0.72, 0.66, 0.62, 0.55])
        tasks = list(Assignment.objects.filter(application=app).select_related("expert__user"))
        for j, task in enumerate(tasks):
            outlier = i % 9 == 4 and j == 2
            _score(Assignment.objects.get(pk=task.pk), share - (0.25 if outlier else 0), rng)
    round = services.round_transition(
        actor=bureau, round=round, transition="close_scoring", today=dt.date(year, 10, 10)
    )
    for app in Application.objects.filter(round=round, state="eligible"):
        services.application_finalise(actor=bureau, application=app)
    round = services.round_transition(
        actor=bureau, round=round, transition="publish", today=dt.date(year, 10, 20)
    )
    disputed = Application.objects.filter(round=round, level="2A").select_related("round").first()
    if disputed is not None:
        objection = services.objection_file(
            actor=_owner_or(bureau, disputed),
            application=disputed,
            reasons="本组织获市级优秀社会组织表彰，社会评价未计分。",
            today=dt.date(year, 10, 22),
        )
        round = services.round_transition(
            actor=bureau, round=round, transition="close_comment", today=dt.date(year, 10, 28)
        )
        services.objection_decide(
            actor=bureau,
            objection=objection,
            upheld=False,
            decision="经复核委员会记名表决，该表彰已在4.3项计分，原评估结果维持不变。",
            votes_for=2,
            votes_against=7,
            today=dt.date(year, 11, 5),
        )
    else:
        round = services.round_transition(
            actor=bureau, round=round, transition="close_comment", today=dt.date(year, 10, 28)
        )
    services.round_transition(
        actor=bureau, round=round, transition="finalise", today=dt.date(year, 11, 20)
    )
    for level in Application.objects.filter(round=round, state="awarded").values_list(
        "level", flat=True
    ):
        summary.levels[level] = summary.levels.get(level, 0) + 1
    summary.finished = round.pk


def _owner_or(bureau: User, app: Application) -> User:
    """The organisation's own account when it has one (else the objection is skipped)."""
    from npohub.orgs.models import OrganizationAccess

    grant = (
        OrganizationAccess.objects.filter(organization=app.organization, reason="own")
        .select_related("user")
        .first()
    )
    if grant is not None:
        return grant.user
    user = User.objects.create(
        username=f"org_{app.organization_id}",
        role=Role.ORG_USER,
        display_name=app.organization.name,
    )
    organization_account_grant(actor=None, user=user, organization=app.organization)
    return user


def _open_round(bureau: User, pool: list[Expert], summary: Summary, skip: set[int]) -> None:
    today = timezone.localdate()
    round = services.round_create(
        actor=bureau,
        name=f"{today.year}年度历下区社会组织等级评估",
        year=today.year,
        region=Region.objects.get(code=DISTRICT),
        kinds=KINDS,
    )
    round = services.round_transition(actor=bureau, round=round, transition="open_applications")
    eligible, _barred = _candidates("370102", today, 4, skip)
    for org in eligible:
        services.application_submit(actor=bureau, round=round, organization=org)
    round = services.round_transition(actor=bureau, round=round, transition="close_applications")
    for app in round.applications.filter(state="eligible"):
        for expert in pool[:3]:
            services.panel_assign(actor=bureau, application=app, expert=expert)
    if round.applications.filter(state="eligible").exists():
        services.round_transition(actor=bureau, round=round, transition="start_scoring")
    summary.open_tasks = Assignment.objects.filter(
        application__round=round, expert=pool[0], submitted_at__isnull=True
    ).count()


@transaction.atomic
def load_ratings_demo(seed: int = 7) -> Summary:
    summary = Summary()
    year = timezone.localdate().year - 1
    if Round.objects.filter(name=f"{year}年度济南市社会组织等级评估").exists():
        return summary
    city_bureau = User.objects.get(username="city")
    district_bureau = User.objects.get(username="district")
    pool = _pool()
    rng = random.Random(seed)
    _finished_round(city_bureau, pool, rng, summary)
    rated = set(Application.objects.values_list("organization_id", flat=True))
    _open_round(district_bureau, pool, summary, rated)
    return summary


def describe(summary: Summary) -> dict[str, int]:
    figures = {f"{level}": n for level, n in sorted(summary.levels.items())}
    figures["3A以上"] = sum(n for level, n in summary.levels.items() if level in ("5A", "4A", "3A"))
    figures["不符合参评条件"] = summary.ineligible
    figures["演示专家待评分"] = summary.open_tasks
    return figures
