"""Reads on spot checks, each starting from what the user may see.

**The eligible population** of a plan (``eligible_population``): registered organisations
(社会团体, 社会服务机构, 基金会; never filed community groups) whose registration authority is
the plan's authority region (``authority_region`` = the plan's region: "registered at that
level in the region"), whose status is 正常 or 活动异常 (not suspended, deregistered or
revoked), and, for an ad-hoc plan, of the plan's category; only the kinds the plan gives a
ratio are drawn. Within a stratum the keys are sorted as text.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound
from npohub.orgs.models import REGISTERED_KINDS, AccessReason, Organization, Status
from npohub.orgs.scope import scope_of
from npohub.regions.models import Region

from .models import (
    Assignment,
    ConflictDeclaration,
    DrawLog,
    Inspector,
    RectificationOrder,
    SpotCheck,
    SpotCheckPlan,
)
from .permissions import Viewer
from .workflows import PUBLIC_STATES, PlanState

ELIGIBLE_STATUSES = (Status.ACTIVE, Status.ABNORMAL)


def authority_region_of(user: Viewer) -> Region:
    """The region of the registration authority a bureau user works for: where its plans are
    made and its inspector pool kept (``NotFound`` for a user without a region)."""
    me = scope_of(user).user
    if me is None or me.region is None:
        raise NotFound(_("页面不存在"))
    return me.region


def plans_visible_to(user: Viewer) -> QuerySet[SpotCheckPlan]:
    """Plans of the bureau's region, and plans with a check assigned to the user."""
    scope = scope_of(user)
    if scope.user is None:
        return SpotCheckPlan.objects.none()
    prefix = scope.bureau_prefix
    if prefix == "":
        return SpotCheckPlan.objects.all()
    q = Q(
        pk__in=Assignment.objects.filter(user_id=scope.user.pk, is_active=True).values(
            "spot_check__plan_id"
        )
    )
    if prefix:
        q |= Q(authority_region__code__startswith=prefix)
    return SpotCheckPlan.objects.filter(q)


def plan_list_for(
    user: Viewer, *, year: int | None = None, state: str = "", kind: str = ""
) -> QuerySet[SpotCheckPlan]:
    qs = plans_visible_to(user).select_related("authority_region", "category")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "-id")


def plan_get_for(user: Viewer, pk: int) -> SpotCheckPlan:
    plan = (
        plans_visible_to(user).select_related("authority_region", "category").filter(pk=pk).first()
    )
    if plan is None:
        raise NotFound("抽查计划不存在")
    return plan


def checks_visible_to(user: Viewer) -> QuerySet[SpotCheck]:
    """The bureau sees every check of its plans; an inspector only the checks assigned to them."""
    scope = scope_of(user)
    if scope.user is None:
        return SpotCheck.objects.none()
    prefix = scope.bureau_prefix
    if prefix == "":
        return SpotCheck.objects.all()
    mine = Assignment.objects.filter(user_id=scope.user.pk, is_active=True)
    q = Q(pk__in=mine.values("spot_check_id"))
    if prefix:
        q |= Q(plan__authority_region__code__startswith=prefix)
    return SpotCheck.objects.filter(q)


def _with_people(qs: QuerySet[SpotCheck]) -> QuerySet[SpotCheck]:
    active = Assignment.objects.filter(is_active=True).select_related("user").order_by("position")
    return qs.select_related("organization", "plan__authority_region").prefetch_related(
        Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        "orders",
        "findings",
    )


def checks_of_plan_for(user: Viewer, plan: SpotCheckPlan) -> QuerySet[SpotCheck]:
    return _with_people(checks_visible_to(user).filter(plan=plan)).order_by("number")


def check_list_for(
    user: Viewer, *, plan_id: int | None = None, status: str = ""
) -> QuerySet[SpotCheck]:
    qs = checks_visible_to(user)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if status:
        qs = qs.filter(status=status)
    return _with_people(qs).order_by("-plan__year", "plan_id", "number")


def sees_check(user: Viewer, pk: int) -> bool:
    """Whether the check is among those the user sees (its page would open)."""
    return checks_visible_to(user).filter(pk=pk).exists()


def check_get_for(user: Viewer, pk: int) -> SpotCheck:
    check = _with_people(checks_visible_to(user).filter(pk=pk)).first()
    if check is None:
        raise NotFound("检查对象不存在")
    return check


def order_get_for(user: Viewer, pk: int) -> RectificationOrder:
    """An order of a check the user sees, or of the user's own organisation."""
    scope = scope_of(user)
    if scope.user is None:
        raise NotFound("整改通知不存在")
    qs = RectificationOrder.objects.select_related(
        "spot_check__plan__authority_region", "spot_check__organization"
    )
    order = (
        qs.filter(pk=pk)
        .filter(
            Q(spot_check__in=checks_visible_to(user))
            | Q(spot_check__organization_id__in=scope.granted_ids(reason=AccessReason.OWN))
        )
        .first()
    )
    if order is None:
        raise NotFound("整改通知不存在")
    return order


def draw_log_of(plan: SpotCheckPlan) -> QuerySet[DrawLog]:
    return plan.log.select_related("user", "spot_check__organization").order_by("sequence")


# --- population and pool ------------------------------------------------------------------------


def eligible_population(plan: SpotCheckPlan) -> list[Organization]:
    """The organisations the plan draws from (see the module docstring), in pk order."""
    kinds = [k for k in REGISTERED_KINDS if k in plan.ratios or "charity" in plan.ratios]
    qs = Organization.objects.filter(
        authority_region_id=plan.authority_region_id,
        kind__in=kinds,
        status__in=ELIGIBLE_STATUSES,
    )
    if plan.category_id:
        qs = qs.filter(category_id=plan.category_id)
    return list(
        qs.select_related("legal_representative")
        .only(
            "id",
            "uscc",
            "kind",
            "name",
            "is_charity",
            "address_code",
            "supervisory_unit",
            "legal_representative__id_number",
        )
        .order_by("pk")
    )


def _ancestor_codes(region: Region) -> list[str]:
    code = region.code
    return sorted({code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12) if n <= len(region.prefix)})


def eligible_pool(plan: SpotCheckPlan) -> list[Inspector]:
    """Active pool entries of the plan's authority or an authority above it (a city's inspectors
    may check a district's organisations), one per user (the nearest authority's entry)."""
    entries = (
        Inspector.objects.filter(
            is_active=True,
            user__is_active=True,
            region__code__in=_ancestor_codes(plan.authority_region),
        )
        .select_related("user", "region")
        .order_by("user_id", "-region__code")
    )
    chosen: dict[int, Inspector] = {}
    for entry in entries:
        chosen.setdefault(entry.user_id, entry)
    return [chosen[uid] for uid in sorted(chosen)]


def pool_visible_to(user: Viewer) -> QuerySet[Inspector]:
    """Bureaus see the pool entries of their region; an inspector sees their own entries."""
    scope = scope_of(user)
    if scope.user is None:
        return Inspector.objects.none()
    prefix = scope.bureau_prefix
    if prefix == "":
        return Inspector.objects.all()
    q = Q(user_id=scope.user.pk)
    if prefix:
        q |= Q(region__code__startswith=prefix)
    return Inspector.objects.filter(q)


def pool_list_for(user: Viewer, *, active: bool | None = None, q: str = "") -> QuerySet[Inspector]:
    qs = pool_visible_to(user).select_related("user", "region")
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(
            Q(user__display_name__contains=q)
            | Q(user__username__contains=q)
            | Q(department__contains=q)
        )
    return qs.order_by("region__code", "user__username", "id")


def inspector_get_for(user: Viewer, pk: int) -> Inspector:
    entry = pool_visible_to(user).select_related("user", "region").filter(pk=pk).first()
    if entry is None:
        raise NotFound("检查人员不存在")
    return entry


def conflicts_of(entry: Inspector) -> QuerySet[ConflictDeclaration]:
    return entry.conflicts.select_related("organization", "declared_by").order_by("-declared_at")


def conflict_get_for(user: Viewer, pk: int) -> ConflictDeclaration:
    conflict = (
        ConflictDeclaration.objects.select_related(
            "inspector__region", "inspector__user", "organization"
        )
        .filter(pk=pk, inspector__in=pool_visible_to(user))
        .first()
    )
    if conflict is None:
        raise NotFound("回避申报不存在")
    return conflict


# --- public -------------------------------------------------------------------------------------


def public_plans() -> QuerySet[SpotCheckPlan]:
    """Plans whose seed hash is public (committed or later); lists only from publication on."""
    return (
        SpotCheckPlan.objects.exclude(state=PlanState.DRAFT)
        .select_related("authority_region", "category")
        .order_by("-year", "-id")
    )


def public_plan_get(pk: int) -> SpotCheckPlan:
    plan = public_plans().filter(pk=pk).first()
    if plan is None:
        raise NotFound("抽查计划不存在")
    return plan


def public_checks_of(plan: SpotCheckPlan) -> QuerySet[SpotCheck]:
    """The published results (rule 38): empty until the seed and the lists are public."""
    if plan.state not in PUBLIC_STATES:
        return SpotCheck.objects.none()
    return (
        plan.checks.select_related("organization")
        .prefetch_related("findings", "orders")
        .order_by("number")
    )
