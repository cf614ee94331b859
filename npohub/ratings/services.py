"""Writes of grade assessment: rounds and their trees, applications and eligibility, the expert
pool, panels with conflict checks, scores, outliers, the committee, objections, grades (award,
tracking, downgrade, lapse, reminders). Each write is one transaction with one audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.credit.eligibility import is_eligible
from npohub.credit.policy import add_years
from npohub.credit.registry import Reason
from npohub.notifications.services import notify
from npohub.orgs.models import AccessReason, Kind, Officer, Organization, OrganizationAccess

from . import selectors
from .indicators import TREES, Node
from .models import (
    Affiliation,
    Application,
    ApplicationState,
    Assignment,
    ConflictDeclaration,
    Expert,
    Grade,
    GradeState,
    Indicator,
    Level,
    Objection,
    ObjectionState,
    Round,
    RoundStateChange,
    Score,
)
from .permissions import (
    can_apply,
    can_assign_expert,
    can_create_round,
    can_decide_objection,
    can_declare_conflict,
    can_edit_tree,
    can_file_objection,
    can_finalise,
    can_manage_experts,
    can_manage_grade,
    can_manage_round,
    can_score,
)
from .policy import LEVELS, level_for, policy_for
from .workflows import RS, available, state_label, transition_for

PURPOSE = "rating"
RATED_KINDS = (Kind.ASSOCIATION, Kind.SOCIAL_SERVICE, Kind.FOUNDATION)


class RatingError(DomainError):
    code = "ratings.error"


class ExpertConflict(Conflict):
    """An expert with a conflict of interest can never sit on that organisation's panel."""

    code = "ratings.expert_conflict"


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
    actor: Any,
    name: str,
    year: int,
    region: Any,
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
    actor: Any,
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
    *, actor: Any, indicator: Indicator, code: str, name: str, max_points: Any, guidance: str = ""
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


def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
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


# ---------------------------------------------------------------------------------------------
# The round workflow


def _guard_tree_valid(round: Round) -> list[str]:
    return tree_problems(round)


def _guard_has_applications(round: Round) -> list[str]:
    return [] if round.applications.exists() else [_("本轮还没有申报")]


def _guard_panels_complete(round: Round) -> list[str]:
    need = int(policy_for(round.region.code)["panel_min_experts"])
    eligible = list(
        round.applications.filter(state=ApplicationState.ELIGIBLE)
        .select_related("organization")
        .annotate(panel_size=Count("assignments"))
    )
    if not eligible:
        return [_("本轮没有符合参评条件的申报")]
    return [
        _("%(org)s的评审组不足%(n)s名专家") % {"org": app.organization.name, "n": need}
        for app in eligible
        if app.panel_size < need
    ]


def _guard_scores_submitted(round: Round) -> list[str]:
    open_tasks = Assignment.objects.filter(
        application__round=round,
        application__state=ApplicationState.ELIGIBLE,
        submitted_at__isnull=True,
    ).select_related("expert__user", "application__organization")
    return [
        _("%(expert)s尚未提交对%(org)s的评分")
        % {"expert": a.expert.user, "org": a.application.organization.name}
        for a in open_tasks
    ]


def _guard_all_finalised(round: Round) -> list[str]:
    return [
        _("%(org)s的结果尚未审定") % {"org": app.organization.name}
        for app in round.applications.filter(state=ApplicationState.ELIGIBLE).select_related(
            "organization"
        )
    ]


def _guard_objections_decided(round: Round) -> list[str]:
    pending = Objection.objects.filter(application__round=round, state=ObjectionState.FILED)
    return [
        _("%(org)s的异议尚未复核") % {"org": o.application.organization.name}
        for o in pending.select_related("application__organization")
    ]


GUARDS = {
    "tree_valid": _guard_tree_valid,
    "has_applications": _guard_has_applications,
    "panels_complete": _guard_panels_complete,
    "scores_submitted": _guard_scores_submitted,
    "all_finalised": _guard_all_finalised,
    "objections_decided": _guard_objections_decided,
}


def _effect_check_eligibility(round: Round, actor: Any, today: dt.date) -> None:
    for app in round.applications.select_related("organization"):
        _apply_eligibility(app, today)


def _effect_compute_results(round: Round, actor: Any, today: dt.date) -> None:
    policy = policy_for(round.region.code)
    for app in round.applications.filter(state=ApplicationState.ELIGIBLE):
        compute_panel(app, policy)


def _effect_open_comment(round: Round, actor: Any, today: dt.date) -> None:
    days = int(policy_for(round.region.code)["comment_days"])
    round.comment_from = today
    round.comment_until = today + dt.timedelta(days=days)
    round.save(update_fields=["comment_from", "comment_until", "updated_at"])


def _effect_award_grades(round: Round, actor: Any, today: dt.date) -> None:
    round.finalised_on = today
    round.save(update_fields=["finalised_on", "updated_at"])
    serial = Grade.objects.filter(application__round=round).count()
    apps = round.applications.filter(state=ApplicationState.FINALISED).select_related(
        "organization"
    )
    for app in apps.order_by("organization__name", "id"):
        if not app.level:
            app.state = ApplicationState.NOT_AWARDED
            app.save(update_fields=["state", "updated_at"])
            continue
        serial += 1
        _award(round, app, today, serial)


EFFECTS = {
    "check_eligibility": _effect_check_eligibility,
    "compute_results": _effect_compute_results,
    "open_comment": _effect_open_comment,
    "award_grades": _effect_award_grades,
}


def round_transition(
    *, actor: Any, round: Round, transition: str, note: str = "", today: dt.date | None = None
) -> Round:
    """The only path that moves a round: table, actor, guards, effect, history, audit."""
    today = today or timezone.localdate()
    require(can_manage_round(actor, round))
    with transaction.atomic():
        round = Round.objects.select_for_update().select_related("region").get(pk=round.pk)
        step = transition_for(transition)
        if step is None or step.source != round.state:
            raise InvalidTransition(
                _("本轮评估处于“%(state)s”，不能执行该操作") % {"state": state_label(round.state)},
                code="ratings.invalid_transition",
            )
        problems = [p for guard in step.guards for p in GUARDS[guard](round)]
        if problems:
            raise InvalidTransition(
                problems[0], code="ratings.guard_failed", details={"problems": problems}
            )
        source = round.state
        round.state = step.target
        round.save(update_fields=["state", "updated_at"])
        if step.effect:
            EFFECTS[step.effect](round, actor, today)
        RoundStateChange.objects.create(
            round=round,
            transition=step.name,
            source=source,
            target=step.target,
            actor_label=str(actor)[:150],
            note=(note or "")[:500],
        )
        audit_record(
            actor=actor,
            kind="ratings.round_transitioned",
            target=round,
            region_code=round.region.code,
            payload={
                "transition": step.name,
                "from": source,
                "to": step.target,
                "on": today.isoformat(),
            },
        )
    return round


def transitions_for(round: Round) -> list[Any]:
    return available(round.state)


# ---------------------------------------------------------------------------------------------
# Applications and eligibility (rules 39–40)


def seniority_reasons(org: Any, purpose: str, on: dt.date) -> list[Reason]:
    """Rule 39 (registered in apps.ready for "rating"): a registered legal person, registered
    two full years, and not holding a grade still valid (unless promotion is allowed)."""
    if org.kind not in RATED_KINDS:
        return [
            Reason(
                code="ratings.not_legal_person",
                message=_("备案的社区社会组织不参加等级评估"),
                source="ratings",
            )
        ]
    policy = policy_for(org.address_code)
    reasons: list[Reason] = []
    years = int(policy["seniority_years"])
    if org.registration_date is None or add_years(org.registration_date, years) > on:
        reasons.append(
            Reason(
                code="ratings.registered_under_two_years",
                message=_("登记未满%(years)s个整年（登记日期%(date)s）")
                % {
                    "years": years,
                    "date": org.registration_date.isoformat() if org.registration_date else "—",
                },
                source="ratings",
            )
        )
    grade = selectors.grade_on(org, on)
    if grade is not None:
        promotion = policy.get("promotion_after_years")
        if not promotion or add_years(grade.awarded_on, int(promotion)) > on:
            reasons.append(
                Reason(
                    code="ratings.grade_still_valid",
                    message=_("已获评%(level)s，有效期至%(until)s，尚未到期")
                    % {"level": grade.level, "until": grade.valid_until.isoformat()},
                    source="ratings",
                    ref=f"grade:{grade.pk}",
                )
            )
    return reasons


def eligibility_of(org: Organization, on: dt.date) -> list[dict[str, str]]:
    """Every reason (from every app) that bars the organisation from a rating on the date."""
    result = is_eligible(org, PURPOSE, on=on)
    return [
        {"code": r.code, "message": str(r.message), "source": r.source, "ref": r.ref}
        for r in result.reasons
    ]


def _apply_eligibility(app: Application, today: dt.date) -> None:
    reasons = eligibility_of(app.organization, today)
    app.eligibility_reasons = reasons
    app.eligibility_checked_on = today
    app.state = ApplicationState.INELIGIBLE if reasons else ApplicationState.ELIGIBLE
    app.save(update_fields=["eligibility_reasons", "eligibility_checked_on", "state", "updated_at"])


def application_submit(
    *,
    actor: Any,
    round: Round,
    organization: Organization,
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """The organisation (or the bureau for it) applies while applications are open."""
    today = today or timezone.localdate()
    require(can_apply(actor, round, organization))
    if organization.kind not in round.kinds:
        raise ValidationFailed(
            _("本轮评估不包括%(kind)s") % {"kind": organization.get_kind_display()},
            details={"organization": _("无效")},
        )
    if round.applications_until and today > round.applications_until:
        raise RatingError(
            _("申报已于%(date)s截止") % {"date": round.applications_until.isoformat()},
            code="ratings.applications_closed",
        )
    if Application.objects.filter(round=round, organization=organization).exists():
        raise Conflict(
            _("%(org)s已申报本轮评估") % {"org": organization.name},
            details={"organization": _("已存在")},
        )
    with transaction.atomic():
        app = Application.objects.create(
            round=round,
            organization=organization,
            applied_on=today,
            note=(note or "").strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            kind="ratings.application_submitted",
            target=app,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"round": round.pk},
        )
    return app


def application_check(
    *, actor: Any, application: Application, today: dt.date | None = None
) -> Application:
    """Re-run the eligibility check of one application (before scoring starts)."""
    today = today or timezone.localdate()
    require(can_manage_round(actor, application.round))
    if application.round.state not in (RS.APPLICATIONS, RS.ELIGIBILITY):
        raise RatingError(_("评分开始后不再审查资格"), code="ratings.check_closed")
    if application.assignments.exists():
        raise RatingError(_("已组建评审组的申报不再重新审查"), code="ratings.check_closed")
    with transaction.atomic():
        _apply_eligibility(application, today)
        audit_record(
            actor=actor,
            kind="ratings.eligibility_checked",
            target=application,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"reasons": [r["code"] for r in application.eligibility_reasons]},
        )
    return application


# ---------------------------------------------------------------------------------------------
# The expert pool and conflicts (PG39 art. 19)


def expert_add(
    *,
    actor: Any,
    user: Any,
    region: Any,
    id_number: str = "",
    field: str = "",
    employer: str = "",
) -> Expert:
    """Add a user with the expert role to the pool of the bureau's region."""
    require(can_manage_experts(actor, region))
    if getattr(user, "role", "") != "expert":
        raise ValidationFailed(_("只有“评估专家”角色的用户可以入库"), details={"user": _("无效")})
    if Expert.objects.filter(user=user).exists():
        raise Conflict(_("%(name)s已在专家库中") % {"name": user}, details={"user": _("已存在")})
    with transaction.atomic():
        expert = Expert.objects.create(
            user=user,
            region=region,
            id_number=(id_number or "").strip().upper(),
            field=(field or "").strip(),
            employer=(employer or "").strip(),
        )
        audit_record(
            actor=actor,
            kind="ratings.expert_added",
            target=expert,
            region_code=region.code,
            payload={"user": user.pk},
        )
    return expert


def affiliation_add(
    *,
    actor: Any,
    expert: Expert,
    organization: Organization,
    position: str = "",
    left_on: dt.date | None = None,
) -> Affiliation:
    """Record where the expert worked; leaving less than two years ago is a conflict."""
    require(can_declare_conflict(actor, expert))
    with transaction.atomic():
        row = Affiliation.objects.create(
            expert=expert,
            organization=organization,
            position=(position or "")[:100],
            left_on=left_on,
        )
        audit_record(
            actor=actor,
            kind="ratings.affiliation_added",
            target=row,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"expert": expert.pk, "left_on": left_on.isoformat() if left_on else None},
        )
    return row


def conflict_declare(
    *, actor: Any, expert: Expert, organization: Organization, reason: str
) -> ConflictDeclaration:
    """The expert (or the bureau) declares a conflict: that panel is closed to them for good."""
    require(can_declare_conflict(actor, expert))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    if ConflictDeclaration.objects.filter(expert=expert, organization=organization).exists():
        raise Conflict(_("已申报过对该组织的回避"), details={"organization": _("已存在")})
    with transaction.atomic():
        row = ConflictDeclaration.objects.create(
            expert=expert,
            organization=organization,
            reason=reason[:300],
            declared_by=actor,
            declared_at=timezone.now(),
        )
        removed = list(
            Assignment.objects.filter(
                expert=expert, application__organization=organization, submitted_at__isnull=True
            ).values_list("pk", flat=True)
        )
        Assignment.objects.filter(pk__in=removed).delete()
        audit_record(
            actor=actor,
            kind="ratings.conflict_declared",
            target=row,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"expert": expert.pk, "reason": row.reason, "assignments_removed": removed},
        )
    return row


def conflicts_of(expert: Expert, org: Organization, on: dt.date) -> list[tuple[str, str]]:
    """Why the expert must withdraw from the organisation's panel: a declared conflict; worked
    there (recorded affiliation or an officer with the same ID number) and left less than two
    years before the date, or still there."""
    years = int(policy_for(org.address_code)["conflict_years"])
    cutoff = add_years(on, -years)
    found: list[tuple[str, str]] = []
    for row in ConflictDeclaration.objects.filter(expert=expert, organization=org):
        found.append(("declared", _("已申报回避：%(reason)s") % {"reason": row.reason}))
    for aff in Affiliation.objects.filter(expert=expert, organization=org):
        if aff.left_on is None or aff.left_on > cutoff:
            found.append(
                (
                    "recent_affiliation",
                    _("曾在该组织任职，离开未满%(years)s年") % {"years": years}
                    if aff.left_on
                    else _("正在该组织任职"),
                )
            )
    if expert.id_number:
        officers = Officer.objects.filter(organization=org, person__id_number=expert.id_number)
        for officer in officers:
            if officer.end_date is None or officer.end_date > cutoff:
                found.append(
                    (
                        "officer",
                        _("曾在该组织担任%(position)s，离任未满%(years)s年")
                        % {"position": officer.get_position_display(), "years": years},
                    )
                )
        lr = org.legal_representative
        if lr is not None and lr.id_number == expert.id_number:
            found.append(("legal_representative", _("是该组织的法定代表人")))
    return found


def panel_assign(
    *, actor: Any, application: Application, expert: Expert, today: dt.date | None = None
) -> Assignment:
    """Put an expert on an application's panel; a conflicted expert is refused, always."""
    today = today or timezone.localdate()
    require(can_assign_expert(actor, application))
    if not expert.is_active:
        raise ValidationFailed(_("该专家已不在库"), details={"expert": _("无效")})
    if getattr(expert.user, "role", "") != "expert":
        raise ValidationFailed(_("该用户不是评估专家"), details={"expert": _("无效")})
    conflicts = conflicts_of(expert, application.organization, today)
    if conflicts:
        raise ExpertConflict(
            _("%(name)s须回避%(org)s：%(why)s")
            % {
                "name": expert.user,
                "org": application.organization.name,
                "why": "；".join(text for _code, text in conflicts),
            },
            details={"expert": [code for code, _text in conflicts]},
        )
    if Assignment.objects.filter(application=application, expert=expert).exists():
        raise Conflict(_("该专家已在评审组中"), details={"expert": _("已存在")})
    with transaction.atomic():
        assignment = Assignment.objects.create(
            application=application, expert=expert, assigned_by=actor, assigned_at=timezone.now()
        )
        audit_record(
            actor=actor,
            kind="ratings.expert_assigned",
            target=assignment,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"expert": expert.pk, "application": application.pk},
        )
    return assignment


# ---------------------------------------------------------------------------------------------
# Scores


@dataclass
class ScoreEntry:
    indicator_id: int
    points: Any
    comment: str = ""
    evidence_ref: str = ""
    evidence_file: UploadedFile | None = None


def scores_save(*, actor: Any, assignment: Assignment, entries: list[ScoreEntry]) -> Assignment:
    """Save the expert's draft: each point within 0 and the indicator's maximum."""
    require(can_score(actor, assignment))
    app = assignment.application
    leaves = {i.pk: i for i in selectors.leaves_of(app.round, app.organization.kind)}
    errors: dict[str, str] = {}
    clean: list[tuple[Indicator, Decimal | None, ScoreEntry]] = []
    for entry in entries:
        indicator = leaves.get(int(entry.indicator_id))
        if indicator is None:
            errors[f"indicator_{entry.indicator_id}"] = _("不是本申报可评分的指标")
            continue
        raw = "" if entry.points is None else str(entry.points).strip()
        if raw == "":
            clean.append((indicator, None, entry))
            continue
        try:
            points = Decimal(raw).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors[f"indicator_{indicator.pk}"] = _("%(code)s的得分不是数字") % {
                "code": indicator.code
            }
            continue
        if points < 0 or points > indicator.max_points:
            errors[f"indicator_{indicator.pk}"] = _("%(code)s的得分应在0至%(max)s分之间") % {
                "code": indicator.code,
                "max": indicator.max_points,
            }
            continue
        clean.append((indicator, points, entry))
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    with transaction.atomic():
        for indicator, value, entry in clean:
            if value is None:
                Score.objects.filter(assignment=assignment, indicator=indicator).delete()
                continue
            score, _created = Score.objects.update_or_create(
                assignment=assignment,
                indicator=indicator,
                defaults={
                    "points": value,
                    "comment": (entry.comment or "").strip()[:500],
                    "evidence_ref": (entry.evidence_ref or "").strip()[:200],
                },
            )
            if entry.evidence_file is not None:
                score.evidence_file = entry.evidence_file
                score.save(update_fields=["evidence_file"])
        total = sum((s.points for s in assignment.scores.all()), Decimal(0))
        assignment.total = total
        assignment.save(update_fields=["total"])
        audit_record(
            actor=actor,
            kind="ratings.scores_saved",
            target=assignment,
            organization_id=app.organization_id,
            region_code=app.organization.address_code,
            payload={"total": str(total), "count": len(clean)},
        )
    return assignment


def assignment_submit(*, actor: Any, assignment: Assignment) -> Assignment:
    """Submit the scores: every leaf indicator scored; no change afterwards."""
    require(can_score(actor, assignment))
    app = assignment.application
    leaves = selectors.leaves_of(app.round, app.organization.kind)
    scored = set(assignment.scores.values_list("indicator_id", flat=True))
    missing = [i for i in leaves if i.pk not in scored]
    if missing:
        raise ValidationFailed(
            _("还有%(n)s项指标未评分（%(codes)s）")
            % {"n": len(missing), "codes": "、".join(i.code for i in missing[:5])},
            details={f"indicator_{i.pk}": _("必填") for i in missing},
        )
    with transaction.atomic():
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
        audit_record(
            actor=actor,
            kind="ratings.scores_submitted",
            target=assignment,
            organization_id=app.organization_id,
            region_code=app.organization.address_code,
            payload={"total": str(assignment.total)},
        )
    return assignment


# ---------------------------------------------------------------------------------------------
# Outliers and the committee


def outliers(totals: dict[int, Decimal], policy: dict[str, Any]) -> dict[int, str]:
    """The documented outlier rule (see policy.py): {key: why} for totals far from the median."""
    if len(totals) < int(policy["outlier_min_panel"]):
        return {}
    values = list(totals.values())
    mid = selectors.median(values)
    mad = selectors.median([abs(v - mid) for v in values])
    share = Decimal(str(policy["outlier_median_share"]))
    k = Decimal(str(policy["outlier_mad_k"]))
    floor = Decimal(str(policy["outlier_min_points"]))
    found: dict[int, str] = {}
    for key, value in totals.items():
        gap = abs(value - mid)
        if mid and gap > share * mid:
            found[key] = _("与评审组中位数%(median)s相差%(gap)s分，超过中位数的%(pct)s%%") % {
                "median": mid.quantize(Decimal("0.1")),
                "gap": gap.quantize(Decimal("0.1")),
                "pct": (share * 100).normalize(),
            }
        elif mad and gap > k * mad and gap >= floor:
            found[key] = _(
                "与评审组中位数%(median)s相差%(gap)s分，超过%(k)s倍绝对中位差（%(mad)s）"
            ) % {
                "median": mid.quantize(Decimal("0.1")),
                "gap": gap.quantize(Decimal("0.1")),
                "k": k.normalize(),
                "mad": mad.quantize(Decimal("0.1")),
            }
    return found


def compute_panel(application: Application, policy: dict[str, Any]) -> Application:
    """Flag outliers; the panel total is the mean of the other experts' totals."""
    tasks = list(application.assignments.filter(submitted_at__isnull=False))
    flagged = outliers({a.pk: a.total for a in tasks}, policy)
    for a in tasks:
        a.is_outlier = a.pk in flagged
        a.outlier_note = flagged.get(a.pk, "")[:300]
        a.save(update_fields=["is_outlier", "outlier_note"])
    counted = [a.total for a in tasks if not a.is_outlier] or [a.total for a in tasks]
    if counted:
        mean = (sum(counted, Decimal(0)) / len(counted)).quantize(Decimal("0.1"))
        application.panel_total = mean
        application.final_total = mean
        application.level = level_for(mean, application.round.thresholds)
        application.save(update_fields=["panel_total", "final_total", "level", "updated_at"])
    return application


def application_finalise(
    *, actor: Any, application: Application, final_total: Any = None, note: str = ""
) -> Application:
    """The committee settles the total (the panel mean unless it records why not) and the
    level it earns under the round's thresholds."""
    require(can_finalise(actor, application))
    total = application.panel_total if final_total in (None, "") else final_total
    try:
        value = Decimal(str(total)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("审定得分不是数字"), details={"final_total": _("无效")}) from None
    if value < 0 or value > 1000:
        raise ValidationFailed(_("审定得分应在0至1000分之间"), details={"final_total": _("无效")})
    note = (note or "").strip()
    if application.panel_total is not None and value != application.panel_total and not note:
        raise ValidationFailed(
            _("审定得分与专家平均分不同，须写明委员会意见"), details={"note": _("必填")}
        )
    with transaction.atomic():
        application.final_total = value
        application.level = level_for(value, application.round.thresholds)
        application.committee_note = note
        application.state = ApplicationState.FINALISED
        application.save(
            update_fields=["final_total", "level", "committee_note", "state", "updated_at"]
        )
        audit_record(
            actor=actor,
            kind="ratings.result_finalised",
            target=application,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"total": str(value), "level": application.level},
        )
    return application


# ---------------------------------------------------------------------------------------------
# Objections (PG39 art. 20–23)


def objection_file(
    *, actor: Any, application: Application, reasons: str, today: dt.date | None = None
) -> Objection:
    """The organisation objects in writing during the comment period."""
    today = today or timezone.localdate()
    require(can_file_objection(actor, application))
    round = application.round
    if round.comment_until and today > round.comment_until:
        raise RatingError(
            _("公示期已于%(date)s结束") % {"date": round.comment_until.isoformat()},
            code="ratings.comment_closed",
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationFailed(_("请写明异议理由"), details={"reasons": _("必填")})
    days = int(policy_for(round.region.code)["objection_decision_days"])
    with transaction.atomic():
        objection = Objection.objects.create(
            application=application,
            filed_by=actor,
            filed_on=today,
            reasons=reasons,
            due_on=today + dt.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            kind="ratings.objection_filed",
            target=objection,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"due_on": objection.due_on.isoformat()},
        )
    return objection


def objection_decide(
    *,
    actor: Any,
    objection: Objection,
    upheld: bool,
    decision: str,
    votes_for: int,
    votes_against: int,
    new_total: Any = None,
    today: dt.date | None = None,
) -> Objection:
    """A written review decision taken by named vote: upheld only with a majority for it; an
    upheld objection may set a new total (and so a new level)."""
    today = today or timezone.localdate()
    require(can_decide_objection(actor, objection))
    decision = (decision or "").strip()
    errors: dict[str, str] = {}
    if not decision:
        errors["decision"] = _("请填写书面复核决定")
    if votes_for < 0 or votes_against < 0 or votes_for + votes_against == 0:
        errors["votes_for"] = _("请填写表决票数")
    elif upheld and votes_for <= votes_against:
        errors["votes_for"] = _("赞成票未过半数，异议不能认定为成立")
    elif not upheld and votes_for > votes_against:
        errors["votes_for"] = _("赞成票已过半数，异议应认定为成立")
    application = objection.application
    value: Decimal | None = None
    if upheld and new_total not in (None, ""):
        try:
            value = Decimal(str(new_total)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors["new_total"] = _("复核后得分不是数字")
        else:
            if value < 0 or value > 1000:
                errors["new_total"] = _("复核后得分应在0至1000分之间")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    with transaction.atomic():
        objection.state = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
        objection.decision = decision
        objection.votes_for, objection.votes_against = votes_for, votes_against
        objection.decided_by = actor
        objection.decided_on = today
        if value is not None:
            application.final_total = value
            application.level = level_for(value, application.round.thresholds)
            application.save(update_fields=["final_total", "level", "updated_at"])
            objection.new_level = application.level
        objection.save(
            update_fields=[
                "state",
                "decision",
                "votes_for",
                "votes_against",
                "decided_by",
                "decided_on",
                "new_level",
            ]
        )
        audit_record(
            actor=actor,
            kind="ratings.objection_decided",
            target=objection,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={
                "upheld": upheld,
                "votes": [votes_for, votes_against],
                "level": application.level,
            },
        )
    return objection


# ---------------------------------------------------------------------------------------------
# Grades: award, tracking, downgrade, lapse, reminders


def _end_current(org_id: int, on: dt.date, state: str, reason: str) -> None:
    Grade.objects.filter(organization_id=org_id, state=GradeState.VALID).update(
        state=state, ended_on=on, reason=reason[:300]
    )


def _award(round: Round, app: Application, today: dt.date, serial: int) -> Grade:
    _end_current(app.organization_id, today, GradeState.EXPIRED, str(_("被新一轮评估等级取代")))
    grade = Grade.objects.create(
        organization=app.organization,
        application=app,
        level=app.level,
        total=app.final_total,
        awarded_on=today,
        valid_until=add_years(today, round.validity_years) - dt.timedelta(days=1),
        certificate_number=f"PG{round.year}{round.region.prefix}{serial:04d}",
    )
    app.state = ApplicationState.AWARDED
    app.save(update_fields=["state", "updated_at"])
    return grade


def grade_track(
    *,
    actor: Any,
    grade: Grade,
    certificate_issued_on: dt.date | None = None,
    plaque_issued_on: dt.date | None = None,
    certificate_returned_on: dt.date | None = None,
    plaque_returned_on: dt.date | None = None,
) -> Grade:
    """Record the certificate and plaque being handed out or returned."""
    require(can_manage_grade(actor, grade))
    values = {
        "certificate_issued_on": certificate_issued_on,
        "plaque_issued_on": plaque_issued_on,
        "certificate_returned_on": certificate_returned_on,
        "plaque_returned_on": plaque_returned_on,
    }
    changed = {k: v for k, v in values.items() if v is not None and getattr(grade, k) != v}
    for key in ("certificate_returned_on", "plaque_returned_on"):
        if key in changed and grade.state == GradeState.VALID:
            raise ValidationFailed(_("有效的等级无需交回证书和牌匾"), details={key: _("无效")})
    for key, value in changed.items():
        if value < grade.awarded_on:
            raise ValidationFailed(_("日期不能早于授予日期"), details={key: _("无效")})
    if not changed:
        raise ValidationFailed(
            _("没有需要记录的日期"), details={"certificate_issued_on": _("必填")}
        )
    with transaction.atomic():
        for key, value in changed.items():
            setattr(grade, key, value)
        grade.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            kind="ratings.grade_tracked",
            target=grade,
            organization_id=grade.organization_id,
            region_code=grade.organization.address_code,
            payload={k: v.isoformat() for k, v in changed.items()},
        )
    return grade


def _org_users(org_id: int) -> list[Any]:
    ids = OrganizationAccess.objects.filter(organization_id=org_id, reason=AccessReason.OWN).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _downgrade(
    actor: Any, grade: Grade, on: dt.date, reason: str, code: str, ref: str
) -> Grade | None:
    days = int(policy_for(grade.organization.address_code)["return_days"])
    index = LEVELS.index(grade.level)
    lower = LEVELS[index + 1] if index + 1 < len(LEVELS) else ""
    grade.state = GradeState.DOWNGRADED if lower else GradeState.CANCELLED
    grade.ended_on = on
    grade.return_due_on = on + dt.timedelta(days=days)
    grade.trigger_code, grade.trigger_ref, grade.reason = code[:64], ref[:100], reason[:300]
    grade.save(
        update_fields=[
            "state",
            "ended_on",
            "return_due_on",
            "trigger_code",
            "trigger_ref",
            "reason",
            "updated_at",
        ]
    )
    new = None
    if lower:
        new = Grade.objects.create(
            organization=grade.organization,
            application=grade.application,
            level=lower,
            total=grade.total,
            awarded_on=on,
            valid_until=grade.valid_until,
            previous=grade,
            trigger_code=code[:64],
            trigger_ref=ref[:100],
            reason=reason[:300],
        )
    audit_record(
        actor=actor,
        kind="ratings.grade_downgraded",
        target=grade,
        organization_id=grade.organization_id,
        region_code=grade.organization.address_code,
        payload={
            "from": grade.level,
            "to": lower,
            "trigger": code,
            "ref": ref,
            "return_due_on": grade.return_due_on.isoformat(),
        },
    )
    notify(
        recipients=_org_users(grade.organization_id),
        kind="ratings.grade_changed",
        title=str(
            _("评估等级由%(old)s降为%(new)s，请于%(date)s前交回原证书和牌匾")
            % {"old": grade.level, "new": lower or _("无等级"), "date": grade.return_due_on}
        ),
        body=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return new


def grade_downgrade(
    *, actor: Any, grade: Grade, reason: str, on: dt.date | None = None
) -> Grade | None:
    """Rule 43 by hand: one level down (1A is cancelled); the old certificate and plaque go back
    within 15 days. Returns the new grade (None when cancelled)."""
    on = on or timezone.localdate()
    require(can_manage_grade(actor, grade))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明降级事由"), details={"reason": _("必填")})
    if grade.state != GradeState.VALID:
        raise RatingError(
            _("该等级当前为“%(state)s”，不能降级") % {"state": grade.get_state_display()},
            code="ratings.grade_not_valid",
        )
    with transaction.atomic():
        return _downgrade(actor, grade, on, reason, "manual", "")


@dataclass
class ReviewResult:
    lapsed: int = 0
    downgraded: int = 0
    reminded: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"lapsed": self.lapsed, "downgraded": self.downgraded, "reminded": self.reminded}


def grades_review(*, on: dt.date, actor: Any = None) -> ReviewResult:
    """The daily job, as of a date and idempotent: lapse grades past their validity, downgrade
    on the triggers of rule 43 (each trigger once), and send expiry reminders."""
    result = ReviewResult()
    with transaction.atomic():
        for grade in Grade.objects.filter(
            state=GradeState.VALID, valid_until__lt=on
        ).select_related("organization"):
            grade.state = GradeState.EXPIRED
            grade.ended_on = grade.valid_until + dt.timedelta(days=1)
            grade.reason = str(_("有效期届满"))
            grade.save(update_fields=["state", "ended_on", "reason", "updated_at"])
            audit_record(
                actor=actor,
                kind="ratings.grade_lapsed",
                target=grade,
                organization_id=grade.organization_id,
                region_code=grade.organization.address_code,
                payload={"valid_until": grade.valid_until.isoformat()},
            )
            result.lapsed += 1
        result.downgraded = _review_downgrades(on, actor)
        result.reminded = _send_reminders(on, actor)
    return result


def _review_downgrades(on: dt.date, actor: Any) -> int:
    count = 0
    valid = Grade.objects.filter(state=GradeState.VALID, awarded_on__lte=on).select_related(
        "organization"
    )
    for grade in valid:
        codes = set(policy_for(grade.organization.address_code)["downgrade_reason_codes"])
        result = is_eligible(grade.organization, PURPOSE, on=on)
        for reason in result.reasons:
            if reason.code not in codes:
                continue
            ref = f"{reason.code}:{reason.ref}"[:100]
            seen = Grade.objects.filter(
                organization_id=grade.organization_id, trigger_ref=ref
            ).exists()
            if seen:
                continue
            _downgrade(actor, grade, on, str(reason.message), reason.code, ref)
            count += 1
            break
    return count


def _send_reminders(on: dt.date, actor: Any) -> int:
    count = 0
    for grade in Grade.objects.filter(state=GradeState.VALID, valid_until__gte=on).select_related(
        "organization"
    ):
        days_left = (grade.valid_until - on).days
        steps = sorted(int(d) for d in policy_for(grade.organization.address_code)["reminder_days"])
        due = [d for d in steps if days_left <= d]
        if not due:
            continue
        step = due[0]
        if grade.last_reminder_days is not None and grade.last_reminder_days <= step:
            continue
        grade.last_reminder_days = step
        grade.save(update_fields=["last_reminder_days", "updated_at"])
        notify(
            recipients=_org_users(grade.organization_id),
            kind="ratings.grade_expiring",
            title=str(
                _("评估等级%(level)s将于%(date)s到期，可申请重新评估")
                % {"level": grade.level, "date": grade.valid_until.isoformat()}
            ),
            url="/ratings/rounds/",
            dedupe_key=f"grade:{grade.pk}:{step}",
        )
        audit_record(
            actor=actor,
            kind="ratings.grade_reminded",
            target=grade,
            organization_id=grade.organization_id,
            region_code=grade.organization.address_code,
            payload={"days": step},
        )
        count += 1
    return count


def level_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Level.choices]
