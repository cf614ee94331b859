"""/api/v1/stars/: one operation per endpoint; thin (selector or one service, render).

Objects come from the scoped selectors (404 for missing and not yours alike); services decide
who may act (403 with the Chinese reason) and what is valid (422 naming the field).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import PermissionDenied
from npohub.orgs.selectors import organization_get_for
from npohub.stars import selectors, services
from npohub.stars.models import (
    AwardRound,
    InterviewTask,
    MonthlyScorecard,
    Nomination,
    RemovalFlag,
    ScoreAppeal,
    ScorecardTemplate,
    StarAssessment,
)
from npohub.stars.permissions import can_manage_award_round, sees_star_work

from ..history import history_out, move_out
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    AppealDetailOut,
    AppealIn,
    AppealOut,
    AppealTransitionIn,
    AwardRoundDetailOut,
    AwardRoundIn,
    AwardRoundOut,
    AwardTransitionIn,
    ErrorOut,
    InterviewDetailOut,
    InterviewOut,
    InterviewRecordIn,
    InterviewResolveIn,
    NominationIn,
    NominationOut,
    PriorityOut,
    PublishIn,
    PublishOut,
    RatingFilterIn,
    RatingIn,
    RatingOut,
    RemovalFlagOut,
    ScorecardDetailOut,
    ScorecardFilterIn,
    ScorecardIn,
    ScorecardOut,
    TemplateIn,
    TemplateOut,
    VoteOut,
)

router = Router(tags=["stars"])
ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _staff(user: User) -> None:
    if not sees_star_work(user):
        raise PermissionDenied(_("您的角色不能查看评分与星级"))


def template_out(template: ScorecardTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "name": template.name,
        "region_code": template.region_code,
        "is_active": template.is_active,
        "items": list(template.items.all()),
    }


def scorecard_out(card: MonthlyScorecard) -> dict[str, Any]:
    return {
        "id": card.pk,
        "organization_id": card.organization_id,
        "organization_name": card.organization.name,
        "period": card.period,
        "hub_id": card.hub_id,
        "hub_name": card.hub.name,
        "total": card.total,
        "note": card.note,
    }


def scorecard_detail_out(card: MonthlyScorecard) -> dict[str, Any]:
    lines = [
        {
            "id": line.pk,
            "code": line.item.code,
            "name": line.item.name,
            "max_points": line.item.max_points,
            "points": line.points,
            "original_points": line.original_points,
            "reason": line.reason,
            "evidence": line.evidence,
        }
        for line in card.lines.select_related("item")
    ]
    return {**scorecard_out(card), "lines": lines}


def appeal_out(appeal: ScoreAppeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "line_id": appeal.line_id,
        "scorecard_id": appeal.line.scorecard_id,
        "organization_id": appeal.organization_id,
        "item": appeal.line.item.code,
        "state": appeal.state,
        "state_label": appeal.get_state_display(),
        "grounds": appeal.grounds,
        "decision_note": appeal.decision_note,
        "adjusted_points": appeal.adjusted_points,
        "decided_at": appeal.decided_at,
    }


def interview_out(task: InterviewTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "organization_id": task.organization_id,
        "organization_name": task.organization.name,
        "hub_id": task.hub_id,
        "reason": task.reason,
        "detail": task.detail,
        "period": task.period,
        "assignee_id": task.assignee_id,
        "due_on": task.due_on,
        "state": task.state,
        "state_label": task.get_state_display(),
        "held_on": task.held_on,
        "outcome": task.outcome,
        "rectification_due": task.rectification_due,
        "resolution_note": task.resolution_note,
        "resolved_on": task.resolved_on,
    }


def flag_out(flag: RemovalFlag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "organization_id": flag.organization_id,
        "organization_name": flag.organization.name,
        "hub_id": flag.hub_id,
        "task_id": flag.task_id,
        "reason": flag.reason,
        "flagged_on": flag.flagged_on,
    }


def rating_out(item: StarAssessment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "organization_id": item.organization_id,
        "organization_name": item.organization.name,
        "year": item.year,
        "region_code": item.region_code,
        "months_scored": item.months_scored,
        "monthly_average": item.monthly_average,
        "self_score": item.self_score,
        "peer_score": item.peer_score,
        "resident_score": item.resident_score,
        "party_building_passed": item.party_building_passed,
        "composite": item.composite,
        "stars": item.stars,
        "capped": item.capped,
        "rank": getattr(item, "rank", None),
        "is_published": item.is_published,
    }


def nomination_out(item: Nomination) -> dict[str, Any]:
    return {
        "id": item.pk,
        "organization_id": item.organization_id,
        "organization_name": item.organization.name,
        "statement": item.statement,
        "vote_count": item.vote_count,
        "rank": item.rank,
        "is_winner": item.is_winner,
    }


def round_out(item: AwardRound) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "kind": item.kind,
        "year": item.year,
        "region_code": item.region_code,
        "winners": item.winners,
        "vote_opens": item.vote_opens,
        "vote_closes": item.vote_closes,
        "state": item.state,
        "state_label": item.get_state_display(),
        "finished_on": item.finished_on,
    }


# --- templates -------------------------------------------------------------------------------------


@router.get(
    "/templates", response={200: list[TemplateOut], **ERRORS}, operation_id="stars_templates_list"
)
def template_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The monthly scorecards (items and points) of every locality."""
    _staff(api_user(request))
    return [template_out(t) for t in selectors.template_list()]


@router.post(
    "/templates", response={201: TemplateOut, **ERRORS}, operation_id="stars_templates_create"
)
def template_create(request: HttpRequest, payload: TemplateIn) -> Status[Any]:
    """A locality's scorecard (items totalling 10 points); replaces its active one."""
    template = services.scorecard_template_create(
        actor=api_user(request),
        name=payload.name,
        region_code=payload.region_code,
        items=[services.ItemInput(**item.dict()) for item in payload.items],
    )
    return Status(201, template_out(template))


# --- scorecards -----------------------------------------------------------------------------------


@router.get(
    "/scorecards",
    response={200: Page[ScorecardOut], **ERRORS},
    operation_id="stars_scorecards_list",
)
def scorecard_list(
    request: HttpRequest, filters: Query[ScorecardFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    qs = selectors.scorecard_list_for(api_user(request), period=filters.month, below=filters.below)
    return paginate(request, qs, page, render=scorecard_out)


@router.post(
    "/scorecards",
    response={201: ScorecardDetailOut, **ERRORS},
    operation_id="stars_scorecards_record",
)
def scorecard_record(request: HttpRequest, payload: ScorecardIn) -> Status[Any]:
    """The responsible hub scores a member for a month (replaces that month's scorecard)."""
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    card = services.scorecard_record(
        actor=user,
        organization=org,
        period=payload.period,
        lines={
            line.code: services.LineInput(line.points, line.reason, line.evidence)
            for line in payload.lines
        },
        note=payload.note,
    )
    return Status(201, scorecard_detail_out(card))


@router.get(
    "/scorecards/{int:scorecard_id}",
    response={200: ScorecardDetailOut, **ERRORS},
    operation_id="stars_scorecards_detail",
)
def scorecard_detail(request: HttpRequest, scorecard_id: int) -> dict[str, Any]:
    return scorecard_detail_out(selectors.scorecard_get_for(api_user(request), scorecard_id))


# --- appeals ---------------------------------------------------------------------------------------


@router.post(
    "/lines/{int:line_id}/appeals",
    response={201: AppealOut, **ERRORS},
    operation_id="stars_appeals_create",
)
def appeal_create(request: HttpRequest, line_id: int, payload: AppealIn) -> Status[Any]:
    """The organisation appeals one deduction."""
    user = api_user(request)
    line = selectors.line_get_for(user, line_id)
    appeal = services.appeal_file(actor=user, line=line, grounds=payload.grounds)
    return Status(201, appeal_out(appeal))


@router.get(
    "/appeals", response={200: Page[AppealOut], **ERRORS}, operation_id="stars_appeals_list"
)
def appeal_list(request: HttpRequest, page: Query[PageParams], state: str = "") -> dict[str, Any]:
    return paginate(
        request, selectors.appeal_list_for(api_user(request), state=state), page, render=appeal_out
    )


@router.get(
    "/appeals/{int:appeal_id}",
    response={200: AppealDetailOut, **ERRORS},
    operation_id="stars_appeals_detail",
)
def appeal_detail(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    appeal = selectors.appeal_get_for(api_user(request), appeal_id)
    history = [history_out(row) for row in services.appeal_history(appeal)]
    return {**appeal_out(appeal), "history": history}


@router.post(
    "/appeals/{int:appeal_id}/transition",
    response={200: AppealOut, **ERRORS},
    operation_id="stars_appeals_transition",
)
def appeal_transition(
    request: HttpRequest, appeal_id: int, payload: AppealTransitionIn
) -> dict[str, Any]:
    """Decide an appeal: ``uphold`` or ``adjust`` (with ``adjusted_points``)."""
    user = api_user(request)
    appeal = selectors.appeal_get_for(user, appeal_id)
    appeal = services.appeal_transition(
        actor=user,
        appeal=appeal,
        transition=payload.transition,
        note=payload.note,
        adjusted_points=payload.adjusted_points,
    )
    return appeal_out(appeal)


# --- interviews -------------------------------------------------------------------------------------


@router.get(
    "/interviews",
    response={200: Page[InterviewOut], **ERRORS},
    operation_id="stars_interviews_list",
)
def interview_list(
    request: HttpRequest, page: Query[PageParams], state: str = ""
) -> dict[str, Any]:
    return paginate(
        request,
        selectors.interview_list_for(api_user(request), state=state),
        page,
        render=interview_out,
    )


@router.get(
    "/interviews/{int:task_id}",
    response={200: InterviewDetailOut, **ERRORS},
    operation_id="stars_interviews_detail",
)
def interview_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = selectors.interview_get_for(api_user(request), task_id)
    history = [history_out(row) for row in services.interview_history(task)]
    return {**interview_out(task), "history": history}


@router.post(
    "/interviews/{int:task_id}/record",
    response={200: InterviewOut, **ERRORS},
    operation_id="stars_interviews_record",
)
def interview_record(
    request: HttpRequest, task_id: int, payload: InterviewRecordIn
) -> dict[str, Any]:
    user = api_user(request)
    task = selectors.interview_get_for(user, task_id)
    return interview_out(services.interview_record(actor=user, task=task, **payload.dict()))


@router.post(
    "/interviews/{int:task_id}/resolve",
    response={200: InterviewOut, **ERRORS},
    operation_id="stars_interviews_resolve",
)
def interview_resolve(
    request: HttpRequest, task_id: int, payload: InterviewResolveIn
) -> dict[str, Any]:
    """Rectified, or not (which flags removal from the incubation base)."""
    user = api_user(request)
    task = selectors.interview_get_for(user, task_id)
    return interview_out(services.interview_resolve(actor=user, task=task, **payload.dict()))


@router.get(
    "/removal-flags",
    response={200: Page[RemovalFlagOut], **ERRORS},
    operation_id="stars_removal_flags_list",
)
def removal_flag_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(request, selectors.removal_flags_for(api_user(request)), page, render=flag_out)


# --- star ratings ------------------------------------------------------------------------------------


@router.get(
    "/ratings", response={200: Page[RatingOut], **ERRORS}, operation_id="stars_ratings_list"
)
def rating_list(
    request: HttpRequest, filters: Query[RatingFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """The year's ratings the caller sees inside ``region``, ranked by composite score."""
    region = filters.region.rstrip("0") if len(filters.region) == 12 else filters.region
    qs = selectors.star_ranking(api_user(request), filters.year, region_prefix=region)
    return paginate(request, qs, page, render=rating_out)


@router.post("/ratings", response={201: RatingOut, **ERRORS}, operation_id="stars_ratings_record")
def rating_record(request: HttpRequest, payload: RatingIn) -> Status[Any]:
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    item = services.star_assessment_record(
        actor=user,
        organization=org,
        year=payload.year,
        data=services.StarInput(
            self_score=payload.self_score,
            peer_score=payload.peer_score,
            resident_score=payload.resident_score,
            party_building_passed=payload.party_building_passed,
            party_note=payload.party_note,
        ),
    )
    return Status(201, rating_out(item))


@router.post(
    "/ratings/publish", response={200: PublishOut, **ERRORS}, operation_id="stars_ratings_publish"
)
def rating_publish(request: HttpRequest, payload: PublishIn) -> dict[str, Any]:
    """Publish the year's ratings in the region (three stars or fewer → interviews)."""
    count = services.star_results_publish(
        actor=api_user(request), year=payload.year, region_code=payload.region
    )
    return {"published": count}


@router.get(
    "/organizations/{int:org_id}/priority",
    response={200: PriorityOut, **ERRORS},
    operation_id="stars_priority",
)
def priority(request: HttpRequest, org_id: int, year: int) -> dict[str, Any]:
    """Whether the organisation has the five-star priority for projects and orders."""
    org = organization_get_for(api_user(request), org_id)
    return {
        "organization_id": org.pk,
        "year": year,
        "has_priority": selectors.has_star_priority(org, year),
    }


# --- awards -------------------------------------------------------------------------------------------


@router.get(
    "/awards", response={200: Page[AwardRoundOut], **ERRORS}, operation_id="stars_awards_list"
)
def award_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        request, selectors.award_round_list_for(api_user(request)), page, render=round_out
    )


@router.post("/awards", response={201: AwardRoundOut, **ERRORS}, operation_id="stars_awards_create")
def award_create(request: HttpRequest, payload: AwardRoundIn) -> Status[Any]:
    item = services.award_round_create(
        actor=api_user(request), data=services.RoundInput(**payload.dict())
    )
    return Status(201, round_out(item))


@router.get(
    "/awards/{int:round_id}",
    response={200: AwardRoundDetailOut, **ERRORS},
    operation_id="stars_awards_detail",
)
def award_detail(request: HttpRequest, round_id: int) -> dict[str, Any]:
    user = api_user(request)
    item = selectors.award_round_get_for(user, round_id)
    nominations = [nomination_out(n) for n in selectors.nominations_of(item)]
    manages = bool(can_manage_award_round(user, item))
    return {
        **round_out(item),
        "nominations": nominations,
        "moves": [move_out(m) for m in services.award_moves_for(user, item)],
        "history": [history_out(r) for r in services.award_round_history(item)] if manages else [],
    }


@router.post(
    "/awards/{int:round_id}/nominations",
    response={201: NominationOut, **ERRORS},
    operation_id="stars_nominations_create",
)
def nomination_create(request: HttpRequest, round_id: int, payload: NominationIn) -> Status[Any]:
    """Nominate an eligible organisation (credit eligibility for "award")."""
    user = api_user(request)
    award_round = selectors.award_round_get_for(user, round_id)
    org = organization_get_for(user, payload.organization_id)
    item = services.nomination_create(
        actor=user, award_round=award_round, organization=org, statement=payload.statement
    )
    return Status(201, nomination_out(item))


@router.post(
    "/awards/{int:round_id}/transition",
    response={200: AwardRoundOut, **ERRORS},
    operation_id="stars_awards_transition",
)
def award_transition(
    request: HttpRequest, round_id: int, payload: AwardTransitionIn
) -> dict[str, Any]:
    """``open_voting`` ends nominations; ``finish`` counts the votes and names the winners."""
    user = api_user(request)
    award_round: AwardRound = selectors.award_round_get_for(user, round_id)
    item = services.award_round_transition(
        actor=user, award_round=award_round, transition=payload.transition
    )
    return round_out(item)


@router.post(
    "/nominations/{int:nomination_id}/votes",
    response={201: VoteOut, **ERRORS},
    operation_id="stars_votes_cast",
)
def vote_cast(request: HttpRequest, nomination_id: int) -> Status[Any]:
    """One vote per voter per nominee while voting is open."""
    user = api_user(request)
    nomination = selectors.nomination_get_for(user, nomination_id)
    services.vote_cast(actor=user, nomination=nomination)
    nomination.refresh_from_db(fields=["vote_count"])
    return Status(201, {"nomination_id": nomination.pk, "vote_count": nomination.vote_count})
