"""/api/v1/ratings/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.permissions import require
from npohub.core.validators import mask_id_number
from npohub.core.workflows import HistoryRow
from npohub.orgs.selectors import organization_get_for, public_organization_get
from npohub.ratings import selectors, services
from npohub.ratings.models import (
    Application,
    Assignment,
    Expert,
    Grade,
    Indicator,
    Objection,
    Round,
)
from npohub.ratings.permissions import (
    application_view,
    can_edit_tree,
    can_manage_round,
    can_review_grades,
    expert_view,
    sees_bureau_pages,
    sees_results,
)
from npohub.ratings.workflows import available, state_label
from npohub.regions.models import Region

from ..history import history_out, move_out
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    AffiliationIn,
    AffiliationOut,
    ApplicationIn,
    ApplicationOut,
    AssignmentDetailOut,
    AssignmentOut,
    ConflictIn,
    ConflictOut,
    DecisionIn,
    DowngradeIn,
    ErrorOut,
    ExpertIn,
    ExpertOut,
    FinaliseIn,
    GradeOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorUpdateIn,
    ObjectionIn,
    ObjectionOut,
    PanelIn,
    RatingApplicationDetailOut,
    RatingTransitionIn,
    ReviewIn,
    ReviewOut,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    ScoresIn,
    TrackIn,
)

router = Router(tags=["ratings"])
ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def round_out(round: Round) -> dict[str, Any]:
    return {
        "id": round.pk,
        "name": round.name,
        "year": round.year,
        "region_code": round.region.code,
        "region_name": round.region.name,
        "kinds": round.kinds,
        "state": round.state,
        "state_label": state_label(round.state),
        "thresholds": round.thresholds,
        "validity_years": round.validity_years,
        "applications_until": round.applications_until,
        "comment_from": round.comment_from,
        "comment_until": round.comment_until,
        "finalised_on": round.finalised_on,
    }


def indicator_out(node: Indicator, leaves: set[int] | None = None) -> dict[str, Any]:
    return {
        "id": node.pk,
        "kind": node.kind,
        "parent_id": node.parent_id,
        "code": node.code,
        "name": node.name,
        "max_points": node.max_points,
        "guidance": node.guidance,
        "is_leaf": leaves is None or node.pk in leaves,
    }


def application_out(app: Application, user: User) -> dict[str, Any]:
    shows = sees_results(user, app)
    return {
        "id": app.pk,
        "round_id": app.round_id,
        "organization_id": app.organization_id,
        "organization_name": app.organization.name,
        "state": app.state,
        "applied_on": app.applied_on,
        "eligibility_checked_on": app.eligibility_checked_on,
        "eligibility_reasons": app.eligibility_reasons,
        "panel_total": app.panel_total if shows else None,
        "final_total": app.final_total if shows else None,
        "level": app.level if shows else "",
        "committee_note": app.committee_note if shows else "",
    }


def assignment_out(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "application_id": a.application_id,
        "round_id": a.application.round_id,
        "organization_name": a.application.organization.name,
        "organization_kind": a.application.organization.kind,
        "submitted_at": a.submitted_at,
        "total": a.total,
        "is_outlier": a.is_outlier,
    }


def objection_out(o: Objection) -> dict[str, Any]:
    """The objection with its history (filed, decided), as labels."""
    return {
        "history": [history_out(row) for row in services.objection_history(o)],
        "id": o.pk,
        "application_id": o.application_id,
        "state": o.state,
        "filed_on": o.filed_on,
        "due_on": o.due_on,
        "reasons": o.reasons,
        "decision": o.decision,
        "votes_for": o.votes_for,
        "votes_against": o.votes_against,
        "new_level": o.new_level,
        "decided_on": o.decided_on,
    }


def expert_out(e: Expert, user: User) -> dict[str, Any]:
    """The entry as ``permissions.expert_view`` shows it to the caller (the page does too)."""
    sees = expert_view(user, e).sees_personal_data
    return {
        "id": e.pk,
        "user_id": e.user_id,
        "name": str(e.user),
        "region_code": e.region.code,
        "id_number": e.id_number if sees else mask_id_number(e.id_number),
        "personal_data_masked": not sees,
        "field": e.field,
        "employer": e.employer,
        "is_active": e.is_active,
    }


def grade_out(g: Grade, history: list[HistoryRow] | None = None) -> dict[str, Any]:
    """The grade with its history (awarded, downgraded, lapsed …); lists pass theirs in."""
    rows = services.grade_history(g) if history is None else history
    return {
        "history": [history_out(row) for row in rows],
        "id": g.pk,
        "organization_id": g.organization_id,
        "organization_name": g.organization.name,
        "level": g.level,
        "total": g.total,
        "awarded_on": g.awarded_on,
        "valid_until": g.valid_until,
        "state": g.state,
        "ended_on": g.ended_on,
        "certificate_number": g.certificate_number,
        "certificate_issued_on": g.certificate_issued_on,
        "plaque_issued_on": g.plaque_issued_on,
        "return_due_on": g.return_due_on,
        "certificate_returned_on": g.certificate_returned_on,
        "plaque_returned_on": g.plaque_returned_on,
        "reason": g.reason,
    }


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(_("区划代码不存在"), details={"region_code": _("无效")})
    return region


def _managed_round(user: User, round_id: int) -> Round:
    round = selectors.round_get_for(user, round_id)
    require(can_manage_round(user, round))
    return round


# --- rounds and trees --------------------------------------------------------------------------


@router.get("/rounds", response={200: Page[RoundOut], **ERRORS}, operation_id="ratings_rounds_list")
def round_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Rounds the caller may see, newest first."""
    return paginate(request, selectors.round_list_for(api_user(request)), page, render=round_out)


@router.post("/rounds", response={201: RoundOut, **ERRORS}, operation_id="ratings_rounds_create")
def round_create(request: HttpRequest, data: RoundIn) -> Status[Any]:
    user = api_user(request)
    copy_from = selectors.round_get_for(user, data.copy_from) if data.copy_from else None
    round = services.round_create(
        actor=user,
        name=data.name,
        year=data.year,
        region=_region(data.region_code),
        kinds=data.kinds,
        applications_until=data.applications_until,
        copy_from=copy_from,
    )
    return Status(201, round_out(round))


@router.get(
    "/rounds/{int:round_id}",
    response={200: RoundDetailOut, **ERRORS},
    operation_id="ratings_rounds_detail",
)
def round_detail(request: HttpRequest, round_id: int) -> dict[str, Any]:
    round = _managed_round(api_user(request), round_id)
    return {
        **round_out(round),
        "transitions": [t.name for t in available(round.state)],
        "moves": [move_out(t) for t in available(round.state)],
        "history": [history_out(row) for row in services.round_history(round)],
        "tree_problems": services.tree_problems(round),
        "level_counts": selectors.level_counts(round),
    }


@router.post(
    "/rounds/{int:round_id}/transition",
    response={200: RoundOut, **ERRORS},
    operation_id="ratings_rounds_transition",
)
def round_transition(
    request: HttpRequest, round_id: int, data: RatingTransitionIn
) -> dict[str, Any]:
    user = api_user(request)
    round = selectors.round_get_for(user, round_id)
    round = services.round_transition(
        actor=user, round=round, transition=data.transition, note=data.note
    )
    return round_out(round)


@router.get(
    "/rounds/{int:round_id}/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    operation_id="ratings_indicators_list",
)
def indicator_list(request: HttpRequest, round_id: int, kind: str = "") -> list[dict[str, Any]]:
    round = _managed_round(api_user(request), round_id)
    out: list[dict[str, Any]] = []
    for k in [kind] if kind else round.kinds:
        leaves = {i.pk for i in selectors.leaves_of(round, k)}
        out.extend(
            indicator_out(i, leaves)
            for i in round.indicators.filter(kind=k).order_by("parent_id", "order", "id")
        )
    return out


@router.post(
    "/rounds/{int:round_id}/indicators",
    response={201: IndicatorOut, **ERRORS},
    operation_id="ratings_indicators_create",
)
def indicator_create(request: HttpRequest, round_id: int, data: IndicatorIn) -> Status[Any]:
    user = api_user(request)
    round = _managed_round(user, round_id)
    parent = None
    if data.parent_id is not None:
        parent = round.indicators.filter(pk=data.parent_id).first()
        if parent is None:
            raise ValidationFailed(_("上级指标不存在"), details={"parent_id": _("无效")})
    node = services.indicator_add(
        actor=user,
        round=round,
        kind=data.kind,
        code=data.code,
        name=data.name,
        max_points=data.max_points,
        parent=parent,
        guidance=data.guidance,
    )
    return Status(201, indicator_out(node))


@router.put(
    "/indicators/{int:indicator_id}",
    response={200: IndicatorOut, **ERRORS},
    operation_id="ratings_indicators_update",
)
def indicator_update(
    request: HttpRequest, indicator_id: int, data: IndicatorUpdateIn
) -> dict[str, Any]:
    user = api_user(request)
    node = selectors.indicator_get_for(user, indicator_id)
    node = services.indicator_update(
        actor=user,
        indicator=node,
        code=data.code,
        name=data.name,
        max_points=data.max_points,
        guidance=data.guidance,
    )
    return indicator_out(node)


@router.delete(
    "/indicators/{int:indicator_id}",
    response={204: None, **ERRORS},
    operation_id="ratings_indicators_delete",
)
def indicator_delete(request: HttpRequest, indicator_id: int) -> Status[Any]:
    user = api_user(request)
    node = selectors.indicator_get_for(user, indicator_id)
    require(can_edit_tree(user, node.round))
    services.indicator_delete(actor=user, indicator=node)
    return Status(204, None)


# --- applications ------------------------------------------------------------------------------


@router.get(
    "/rounds/{int:round_id}/applications",
    response={200: Page[ApplicationOut], **ERRORS},
    operation_id="ratings_applications_list",
)
def application_list(
    request: HttpRequest, round_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    user = api_user(request)
    round = selectors.round_get_for(user, round_id)
    return paginate(
        request,
        selectors.application_list(round, user),
        page,
        render=lambda a: application_out(a, user),
    )


@router.post(
    "/rounds/{int:round_id}/applications",
    response={201: ApplicationOut, **ERRORS},
    operation_id="ratings_applications_create",
)
def application_create(request: HttpRequest, round_id: int, data: ApplicationIn) -> Status[Any]:
    user = api_user(request)
    round = selectors.round_get_for(user, round_id)
    org = organization_get_for(user, data.organization_id)
    app = services.application_submit(actor=user, round=round, organization=org, note=data.note)
    return Status(201, application_out(app, user))


def _detail(app: Application, user: User) -> dict[str, Any]:
    panel = []
    if application_view(user, app).manages:
        panel = [
            {
                "assignment_id": a.pk,
                "expert_id": a.expert_id,
                "expert_name": str(a.expert.user),
                "submitted": a.submitted_at is not None,
                "total": a.total,
                "is_outlier": a.is_outlier,
                "outlier_note": a.outlier_note,
            }
            for a in selectors.panel_of(app)
        ]
    return {**application_out(app, user), "panel": panel}


@router.get(
    "/applications/{int:application_id}",
    response={200: RatingApplicationDetailOut, **ERRORS},
    operation_id="ratings_applications_detail",
)
def application_detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    """Eligibility reasons; the panel with totals and outliers for the bureau."""
    user = api_user(request)
    return _detail(selectors.application_get_for(user, application_id), user)


@router.post(
    "/applications/{int:application_id}/eligibility",
    response={200: ApplicationOut, **ERRORS},
    operation_id="ratings_applications_check",
)
def application_check(request: HttpRequest, application_id: int) -> dict[str, Any]:
    user = api_user(request)
    app = selectors.application_get_for(user, application_id)
    app = services.application_check(actor=user, application=app)
    return application_out(app, user)


@router.post(
    "/applications/{int:application_id}/panel",
    response={201: RatingApplicationDetailOut, **ERRORS},
    operation_id="ratings_panel_assign",
)
def panel_assign(request: HttpRequest, application_id: int, data: PanelIn) -> Status[Any]:
    """Refused with ``ratings.expert_conflict`` for an expert who must withdraw."""
    caller = api_user(request)
    app = selectors.application_get_for(caller, application_id)
    expert = Expert.objects.select_related("user").filter(pk=data.expert_id).first()
    if expert is None:
        raise ValidationFailed(_("专家不存在"), details={"expert_id": _("无效")})
    services.panel_assign(actor=caller, application=app, expert=expert)
    return Status(201, _detail(app, caller))


@router.post(
    "/applications/{int:application_id}/finalise",
    response={200: ApplicationOut, **ERRORS},
    operation_id="ratings_applications_finalise",
)
def application_finalise(
    request: HttpRequest, application_id: int, data: FinaliseIn
) -> dict[str, Any]:
    user = api_user(request)
    app = selectors.application_get_for(user, application_id)
    app = services.application_finalise(
        actor=user, application=app, final_total=data.final_total, note=data.note
    )
    return application_out(app, user)


@router.post(
    "/applications/{int:application_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    operation_id="ratings_objections_create",
)
def objection_create(request: HttpRequest, application_id: int, data: ObjectionIn) -> Status[Any]:
    user = api_user(request)
    app = selectors.application_get_for(user, application_id)
    objection = services.objection_file(actor=user, application=app, reasons=data.reasons)
    return Status(201, objection_out(objection))


@router.post(
    "/objections/{int:objection_id}/decision",
    response={200: ObjectionOut, **ERRORS},
    operation_id="ratings_objections_decide",
)
def objection_decide(request: HttpRequest, objection_id: int, data: DecisionIn) -> dict[str, Any]:
    user = api_user(request)
    objection = selectors.objection_get_for(user, objection_id)
    objection = services.objection_decide(
        actor=user,
        objection=objection,
        upheld=data.upheld,
        decision=data.decision,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        new_total=data.new_total,
    )
    return objection_out(objection)


# --- expert scoring ----------------------------------------------------------------------------


@router.get(
    "/assignments",
    response={200: Page[AssignmentOut], **ERRORS},
    operation_id="ratings_assignments_list",
)
def assignment_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """The caller's own scoring tasks."""
    return paginate(
        request, selectors.assignment_list_for(api_user(request)), page, render=assignment_out
    )


def _assignment_detail(a: Assignment) -> dict[str, Any]:
    app = a.application
    leaves = selectors.leaves_of(app.round, app.organization.kind)
    return {
        **assignment_out(a),
        "indicators": [indicator_out(i) for i in leaves],
        "scores": [
            {
                "indicator_id": s.indicator_id,
                "points": s.points,
                "comment": s.comment,
                "evidence_ref": s.evidence_ref,
                "evidence_file": s.evidence_file.name if s.evidence_file else "",
            }
            for s in a.scores.order_by("indicator_id")
        ],
    }


@router.get(
    "/assignments/{int:assignment_id}",
    response={200: AssignmentDetailOut, **ERRORS},
    operation_id="ratings_assignments_detail",
)
def assignment_detail(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    return _assignment_detail(selectors.assignment_get_for(api_user(request), assignment_id))


@router.put(
    "/assignments/{int:assignment_id}/scores",
    response={200: AssignmentDetailOut, **ERRORS},
    operation_id="ratings_scores_save",
)
def scores_save(request: HttpRequest, assignment_id: int, data: ScoresIn) -> dict[str, Any]:
    """Save a draft: points (empty clears), comment and a platform-record reference each."""
    user = api_user(request)
    a = selectors.assignment_get_for(user, assignment_id)
    entries = [
        services.ScoreEntry(
            indicator_id=s.indicator_id,
            points=s.points,
            comment=s.comment,
            evidence_ref=s.evidence_ref,
        )
        for s in data.scores
    ]
    a = services.scores_save(actor=user, assignment=a, entries=entries)
    return _assignment_detail(a)


@router.post(
    "/assignments/{int:assignment_id}/submit",
    response={200: AssignmentOut, **ERRORS},
    operation_id="ratings_assignments_submit",
)
def assignment_submit(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    user = api_user(request)
    a = selectors.assignment_get_for(user, assignment_id)
    return assignment_out(services.assignment_submit(actor=user, assignment=a))


# --- the expert pool ---------------------------------------------------------------------------


@router.get(
    "/experts", response={200: Page[ExpertOut], **ERRORS}, operation_id="ratings_experts_list"
)
def expert_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    user = api_user(request)
    if not sees_bureau_pages(user):
        raise PermissionDenied(_("只有民政部门可以查看评估专家库"))
    return paginate(
        request, selectors.expert_list_for(user), page, render=lambda e: expert_out(e, user)
    )


@router.post("/experts", response={201: ExpertOut, **ERRORS}, operation_id="ratings_experts_create")
def expert_create(request: HttpRequest, data: ExpertIn) -> Status[Any]:
    caller = api_user(request)
    user = User.objects.filter(pk=data.user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(_("用户不存在"), details={"user_id": _("无效")})
    expert = services.expert_add(
        actor=caller,
        user=user,
        region=_region(data.region_code),
        id_number=data.id_number,
        field=data.field,
        employer=data.employer,
    )
    return Status(201, expert_out(expert, caller))


@router.post(
    "/experts/{int:expert_id}/conflicts",
    response={201: ConflictOut, **ERRORS},
    operation_id="ratings_conflicts_create",
)
def conflict_create(request: HttpRequest, expert_id: int, data: ConflictIn) -> Status[Any]:
    user = api_user(request)
    expert = selectors.expert_get_for(user, expert_id)
    org = public_organization_get(data.organization_id)
    row = services.conflict_declare(actor=user, expert=expert, organization=org, reason=data.reason)
    return Status(
        201,
        {
            "id": row.pk,
            "expert_id": expert.pk,
            "organization_id": org.pk,
            "reason": row.reason,
        },
    )


@router.post(
    "/experts/{int:expert_id}/affiliations",
    response={201: AffiliationOut, **ERRORS},
    operation_id="ratings_affiliations_create",
)
def affiliation_create(request: HttpRequest, expert_id: int, data: AffiliationIn) -> Status[Any]:
    user = api_user(request)
    expert = selectors.expert_get_for(user, expert_id)
    org = public_organization_get(data.organization_id)
    row = services.affiliation_add(
        actor=user,
        expert=expert,
        organization=org,
        position=data.position,
        left_on=data.left_on,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "expert_id": expert.pk,
            "organization_id": org.pk,
            "position": row.position,
            "left_on": row.left_on,
        },
    )


# --- grades ------------------------------------------------------------------------------------


@router.get("/grades", response={200: Page[GradeOut], **ERRORS}, operation_id="ratings_grades_list")
def grade_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    out = paginate(request, selectors.grade_list_for(api_user(request)), page)
    grades: list[Grade] = out["results"]
    histories = services.grade_histories([g.pk for g in grades])
    out["results"] = [grade_out(g, histories.get(g.pk, [])) for g in grades]
    return out


@router.post(
    "/grades/{int:grade_id}/downgrade",
    response={200: GradeOut, **ERRORS},
    operation_id="ratings_grades_downgrade",
)
def grade_downgrade(request: HttpRequest, grade_id: int, data: DowngradeIn) -> dict[str, Any]:
    """Rule 43: one level down; the old certificate and plaque are due back in 15 days."""
    user = api_user(request)
    grade = selectors.grade_get_for(user, grade_id)
    services.grade_downgrade(actor=user, grade=grade, reason=data.reason, on=data.on)
    grade.refresh_from_db()
    return grade_out(grade)


@router.post(
    "/grades/{int:grade_id}/tracking",
    response={200: GradeOut, **ERRORS},
    operation_id="ratings_grades_track",
)
def grade_track(request: HttpRequest, grade_id: int, data: TrackIn) -> dict[str, Any]:
    user = api_user(request)
    grade = selectors.grade_get_for(user, grade_id)
    grade = services.grade_track(
        actor=user,
        grade=grade,
        certificate_issued_on=data.certificate_issued_on,
        plaque_issued_on=data.plaque_issued_on,
        certificate_returned_on=data.certificate_returned_on,
        plaque_returned_on=data.plaque_returned_on,
    )
    return grade_out(grade)


@router.post(
    "/grades/review", response={200: ReviewOut, **ERRORS}, operation_id="ratings_grades_review"
)
def grades_review(request: HttpRequest, data: ReviewIn) -> dict[str, int]:
    """Lapse, downgrade and remind as of the date (idempotent)."""
    user = api_user(request)
    require(can_review_grades(user))
    day = data.on or timezone.localdate()
    return services.grades_review(on=day, actor=user).as_dict()
