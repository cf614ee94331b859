"""Reads of grade assessment, each starting from what the user may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.core.errors import NotFound
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_visible_to
from npohub.regions.models import Region

from .models import (
    Application,
    ApplicationState,
    Assignment,
    Expert,
    Grade,
    Indicator,
    Objection,
    Round,
    Score,
)
from .permissions import Viewer
from .policy import level_rank, policy_for
from .workflows import RESULTS_VISIBLE, RS

# The states of an application the committee looks at (checked eligible, and after).
COMMITTEE_STATES = (
    ApplicationState.ELIGIBLE,
    ApplicationState.FINALISED,
    ApplicationState.AWARDED,
    ApplicationState.NOT_AWARDED,
)


def _own_org_ids(user: Viewer) -> QuerySet[Any]:
    """Ids of the organisations whose own account the user is (grants valid today)."""
    return scope_of(user).granted_ids(reason=AccessReason.OWN)


def _covering_codes(user: Viewer) -> set[str]:
    """Codes of every region containing one of the user's own organisations."""
    codes: set[str] = set()
    addresses = Organization.objects.filter(pk__in=_own_org_ids(user)).values_list(
        "address_code", flat=True
    )
    for address in addresses:
        for length in (2, 4, 6, 9, 12):
            codes.add(address[:length].ljust(12, "0"))
    return codes


def round_list_for(user: Viewer) -> QuerySet[Round]:
    """Bureaus: rounds of their region; experts: rounds they score in; organisations: rounds
    open for applications and rounds they applied to."""
    qs = Round.objects.select_related("region")
    scope = scope_of(user)
    if scope.user is None:
        return qs.none()
    if scope.everything:
        return qs.order_by("-year", "-id")
    if scope.is_bureau:
        q = Q(region__code__startswith=scope.prefix)
    elif scope.role == Role.EXPERT:
        q = Q(applications__assignments__expert__user_id=scope.user.pk)
    elif scope.role == Role.ORG_USER:
        q = Q(state=RS.APPLICATIONS, region__code__in=_covering_codes(user)) | Q(
            applications__organization_id__in=_own_org_ids(user)
        )
    else:
        return qs.none()
    ids = Round.objects.filter(q).values("pk")
    return qs.filter(pk__in=ids).order_by("-year", "-id")


def round_get_for(user: Viewer, pk: int) -> Round:
    round = round_list_for(user).filter(pk=pk).first()
    if round is None:
        raise NotFound("评估轮次不存在")
    return round


def round_regions_for(user: Viewer) -> list[Region]:
    """The regions a bureau may run a round for: its own and those inside it (provinces,
    cities, counties; every one for the superuser)."""
    prefix = scope_of(user).bureau_prefix
    if prefix is None:
        return []
    qs = Region.objects.filter(level__lte=3).order_by("code")
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    return list(qs[:200])


def pool_city_for(user: Viewer) -> Region:
    """The city whose expert pool a bureau user adds to: the city of the user's region (the
    demo's 济南 for a user without a region)."""
    me = scope_of(user).user
    region = (me.region if me is not None else None) or Region.objects.get(code="370100000000")
    city = Region.objects.filter(code=region.code[:4].ljust(12, "0")).first()
    return city or region


def indicator_tree(round: Round, kind: str) -> list[dict[str, Any]]:
    """The round's tree for a kind: nested dicts {node, children, depth} in order."""
    nodes = list(Indicator.objects.filter(round=round, kind=kind).order_by("order", "id"))
    by_parent: dict[int | None, list[Indicator]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(parent: int | None, depth: int) -> list[dict[str, Any]]:
        return [
            {"node": n, "depth": depth, "children": build(n.pk, depth + 1)}
            for n in by_parent.get(parent, [])
        ]

    return build(None, 0)


def leaves_of(round: Round, kind: str) -> list[Indicator]:
    """The indicators experts score (nodes without children), in tree order."""
    ordered: list[Indicator] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item["children"]:
                walk(item["children"])
            else:
                ordered.append(item["node"])

    walk(indicator_tree(round, kind))
    return ordered


def indicator_get_for(user: Viewer, pk: int) -> Indicator:
    indicator = Indicator.objects.select_related("round__region").filter(pk=pk).first()
    if indicator is None or not scope_of(user).is_bureau_for(indicator.round.region.code):
        raise NotFound("指标不存在")
    return indicator


def application_list(round: Round, user: Viewer) -> QuerySet[Application]:
    """A round's applications as this user may see them (the bureau: all; others: their own)."""
    qs = Application.objects.filter(round=round).select_related("organization", "round__region")
    scope = scope_of(user)
    if scope.is_bureau_for(round.region.code):
        return qs.order_by("organization__name", "id")
    if scope.user is not None and scope.role == Role.EXPERT:
        return qs.filter(assignments__expert__user_id=scope.user.pk).order_by("organization__name")
    return qs.filter(organization_id__in=_own_org_ids(user)).order_by("organization__name")


def application_get_for(user: Viewer, pk: int) -> Application:
    """One application: for the bureau running the round, its assigned experts, the applicant."""
    app = Application.objects.select_related("round__region", "organization").filter(pk=pk).first()
    scope = scope_of(user)
    if app is None or scope.user is None:
        raise NotFound("评估申报不存在")
    if scope.is_bureau_for(app.round.region.code):
        return app
    if app.assignments.filter(expert__user_id=scope.user.pk).exists():
        return app
    if scope.role == Role.ORG_USER and scope.owns(app.organization_id):
        return app
    raise NotFound("评估申报不存在")


def applicable_organizations(user: Viewer, round: Round) -> QuerySet[Organization]:
    """Organisations the user may apply for in this round (in its region, of its kinds)."""
    qs = organization_visible_to(user).filter(
        address_code__startswith=round.region.prefix, kind__in=round.kinds
    )
    if not scope_of(user).is_bureau_for(round.region.code):
        qs = qs.filter(pk__in=_own_org_ids(user))
    return qs.exclude(rating_applications__round=round).order_by("name")


def assignment_list_for(user: Viewer) -> QuerySet[Assignment]:
    """An expert's scoring tasks, open rounds first."""
    me = scope_of(user).user
    return (
        Assignment.objects.filter(expert__user_id=me.pk if me is not None else 0)
        .select_related("application__organization", "application__round")
        .order_by("submitted_at", "-application__round__year", "application__organization__name")
    )


def assignment_get_for(user: Viewer, pk: int) -> Assignment:
    """The expert's own task, or any task of a round the bureau runs."""
    assignment = (
        Assignment.objects.select_related(
            "expert__user", "application__round__region", "application__organization"
        )
        .filter(pk=pk)
        .first()
    )
    scope = scope_of(user)
    if assignment is None or scope.user is None:
        raise NotFound("评分任务不存在")
    if assignment.expert.user_id == scope.user.pk or scope.is_bureau_for(
        assignment.application.round.region.code
    ):
        return assignment
    raise NotFound("评分任务不存在")


def scores_of(assignment: Assignment) -> dict[int, Score]:
    return {s.indicator_id: s for s in assignment.scores.all()}


def panel_of(application: Application) -> QuerySet[Assignment]:
    return application.assignments.select_related("expert__user").order_by("id")


def committee_list(round: Round, user: Viewer) -> QuerySet[Application]:
    """Applications before the committee, each with its panel as ``panel`` (one extra query)."""
    panel = Assignment.objects.select_related("expert__user").order_by("id")
    return (
        application_list(round, user)
        .filter(state__in=COMMITTEE_STATES)
        .prefetch_related(Prefetch("assignments", queryset=panel, to_attr="panel"))
    )


def objection_list(round: Round) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(application__round=round)
        .select_related("application__organization")
        .order_by("state", "filed_on", "id")
    )


def objection_get_for(user: Viewer, pk: int) -> Objection:
    objection = (
        Objection.objects.select_related("application__round__region", "application__organization")
        .filter(pk=pk)
        .first()
    )
    if objection is None:
        raise NotFound("异议不存在")
    application_get_for(user, objection.application_id)
    return objection


def expert_list_for(user: Viewer) -> QuerySet[Expert]:
    """The pool of the bureau's city (every pool for the superuser)."""
    qs = Expert.objects.select_related("user", "region")
    scope = scope_of(user)
    if not scope.is_bureau:
        return qs.none()
    if scope.everything:
        return qs
    return qs.filter(region__code__startswith=scope.prefix[:4])


def expert_get_for(user: Viewer, pk: int) -> Expert:
    """The bureau sees the pool of its city; an expert sees their own entry."""
    expert = Expert.objects.select_related("user", "region").filter(pk=pk).first()
    me = scope_of(user).user
    if expert is None or me is None:
        raise NotFound("专家不存在")
    if expert.user_id == me.pk or expert_list_for(user).filter(pk=pk).exists():
        return expert
    raise NotFound("专家不存在")


def available_experts(application: Application) -> QuerySet[Expert]:
    """Active pool entries of the round's city not yet on this panel."""
    return (
        Expert.objects.filter(
            is_active=True, region__code__startswith=application.round.region.code[:4]
        )
        .exclude(assignments__application=application)
        .select_related("user")
        .order_by("id")
    )


def grade_list_for(user: Viewer) -> QuerySet[Grade]:
    """Grades of the organisations the user may see."""
    return (
        Grade.objects.filter(organization__in=organization_visible_to(user))
        .select_related("organization")
        .order_by("-awarded_on", "-id")
    )


def grade_get_for(user: Viewer, pk: int) -> Grade:
    grade = Grade.objects.select_related("organization").filter(pk=pk).first()
    if grade is None or not grade_list_for(user).filter(pk=pk).exists():
        raise NotFound("评估等级不存在")
    return grade


def _valid_on_q(on: dt.date) -> Q:
    return Q(awarded_on__lte=on, valid_until__gte=on) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def grade_on(org: Any, on: dt.date | None = None) -> Grade | None:
    """The grade the organisation held on the date (valid, not ended), if any."""
    day = on or timezone.localdate()
    return (
        Grade.objects.filter(_valid_on_q(day), organization_id=org.pk)
        .order_by("-awarded_on", "-id")
        .first()
    )


def has_priority_grade(org: Any, on: dt.date | None = None) -> bool:
    """Rule 42: a valid grade of 3A or above (the policy's level) on the date."""
    grade = grade_on(org, on)
    if grade is None:
        return False
    floor = policy_for(org.address_code)["priority_level"]
    return level_rank(grade.level) >= level_rank(str(floor))


def public_grade_list(
    *, search: str = "", level: str = "", region_prefix: str = "", on: dt.date | None = None
) -> QuerySet[Grade]:
    """Grades valid on the date, for the public list (highest level first)."""
    day = on or timezone.localdate()
    qs = Grade.objects.filter(_valid_on_q(day)).select_related("organization")
    if search:
        qs = qs.filter(Q(organization__name__icontains=search) | Q(organization__uscc=search))
    if level:
        qs = qs.filter(level=level)
    if region_prefix:
        qs = qs.filter(organization__address_code__startswith=region_prefix)
    return qs.order_by("-level", "organization__name", "id")


def results_visible(application: Application) -> bool:
    return application.round.state in RESULTS_VISIBLE


def level_counts(round: Round) -> dict[str, int]:
    counts: dict[str, int] = {}
    for level in (
        Application.objects.filter(round=round).exclude(level="").values_list("level", flat=True)
    ):
        counts[level] = counts.get(level, 0) + 1
    return counts


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return Decimal(0)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
