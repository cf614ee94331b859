"""Award rounds (优秀社会组织, 十佳): nominations, votes, and the round's moves on the one workflow engine (``stars.award_round``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    register,
    run_move,
)
from npohub.credit.eligibility import is_eligible
from npohub.hubs.selectors import acting_hub_for
from npohub.orgs.models import Organization

from ..models import AwardKind, AwardRound, AwardState, Nomination, Vote
from ..permissions import award_round_capacities, can_create_award_round, can_nominate, can_vote
from ..workflows import AWARD_KEY, AWARD_TRANSITIONS, BUREAU
from .common import _behalf, _user_or_none

# --- award rounds -----------------------------------------------------------------------------


@dataclass
class RoundInput:
    title: str
    kind: str
    year: int
    region_code: str
    vote_opens: dt.date
    vote_closes: dt.date
    winners: int | None = None


@transaction.atomic
def award_round_create(*, actor: User, data: RoundInput) -> AwardRound:
    """The bureau opens a selection round (优秀社会组织 / 十佳) for its region."""
    require(can_create_award_round(actor, data.region_code))
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("请填写评选名称")
    if data.kind not in AwardKind.values:
        errors["kind"] = _("请选择评选类别")
    winners = data.winners or (10 if data.kind == AwardKind.TOP_TEN else 0)
    if winners < 1:
        errors["winners"] = _("评选名额须至少为1")
    if data.vote_closes < data.vote_opens:
        errors["vote_closes"] = _("投票截止日期不能早于开始日期")
    if errors:
        raise ValidationFailed(
            _("评选未创建：%(errors)s") % {"errors": "；".join(errors.values())}, details=errors
        )
    award_round = AwardRound.objects.create(
        title=data.title.strip(),
        kind=data.kind,
        year=data.year,
        region_code=data.region_code,
        winners=winners,
        vote_opens=data.vote_opens,
        vote_closes=data.vote_closes,
        created_by=_user_or_none(actor),
    )
    audit_record(
        actor=actor,
        kind="stars.award_round_created",
        target=award_round,
        payload={"kind": data.kind, "year": data.year, "winners": winners},
        region_code=data.region_code,
    )
    return award_round


@transaction.atomic
def nomination_create(
    *, actor: User, award_round: AwardRound, organization: Organization, statement: str
) -> Nomination:
    """Nominate an eligible organisation (``credit.eligibility.is_eligible`` for "award")."""
    award_round = AwardRound.objects.select_for_update().get(pk=award_round.pk)
    require(can_nominate(actor, award_round, organization))
    if not statement.strip():
        raise ValidationFailed(_("请填写推荐理由"), details={"statement": _("必填")})
    eligibility = is_eligible(organization, "award")
    if not eligibility:
        reasons = "；".join(r.message for r in eligibility.reasons)
        raise ValidationFailed(
            _("%(org)s不符合评优条件：%(reasons)s")
            % {"org": organization.name, "reasons": reasons},
            code="stars.not_eligible",
            details={"organization": [r.message for r in eligibility.reasons]},
        )
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                award_round=award_round,
                organization=organization,
                statement=statement.strip(),
                nominated_by=_user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("%(org)s已被推荐") % {"org": organization.name}, code="stars.already_nominated"
        ) from None
    hub = acting_hub_for(actor, organization) if getattr(actor, "role", "") == "hub_staff" else None
    audit_record(
        actor=actor,
        kind="stars.nominated",
        target=nomination,
        payload={"round": award_round.pk},
        on_behalf_of=_behalf(hub, actor),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return nomination


@transaction.atomic
def vote_cast(*, actor: User, nomination: Nomination) -> Vote:
    """One vote per voter per nominee, inside the voting window."""
    nomination = Nomination.objects.select_related("award_round", "organization").get(
        pk=nomination.pk
    )
    require(can_vote(actor, nomination))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(nomination=nomination, voter=actor, cast_at=timezone.now())
    except IntegrityError:
        raise Conflict(
            _("您已为%(org)s投过票") % {"org": nomination.organization.name},
            code="stars.already_voted",
        ) from None
    Nomination.objects.filter(pk=nomination.pk).update(vote_count=F("vote_count") + 1)
    audit_record(
        actor=actor,
        kind="stars.vote_cast",
        target=nomination,
        payload={"round": nomination.award_round_id},
        organization_id=nomination.organization_id,
        region_code=nomination.organization.address_code,
    )
    return vote


def _count_votes(award_round: AwardRound) -> list[int]:
    """Rank nominees by votes (ties share a rank); the first ``winners`` places win."""
    nominations = list(award_round.nominations.order_by("-vote_count", "id"))
    previous: int | None = None
    rank = 0
    winners = []
    for position, item in enumerate(nominations, start=1):
        if item.vote_count != previous:
            rank, previous = position, item.vote_count
        item.rank = rank
        item.is_winner = rank <= award_round.winners and item.vote_count > 0
        if item.is_winner:
            winners.append(item.pk)
    Nomination.objects.bulk_update(nominations, ["rank", "is_winner"])
    return winners


AwardContext = MoveContext[AwardRound]


def _guard_has_nominations(ctx: AwardContext) -> None:
    if not ctx.obj.nominations.exists():
        raise ValidationFailed(_("尚无推荐对象，不能开始投票"), code="stars.no_nominations")


def _effect_count_votes(ctx: AwardContext) -> None:
    ctx.payload["winners"] = _count_votes(ctx.obj)
    ctx.obj.finished_on = ctx.today


def _on_move(ctx: AwardContext) -> None:
    ctx.payload["transition"] = ctx.move.name


AWARD_WORKFLOW: Workflow[AwardRound] = register(
    Workflow(
        key=AWARD_KEY,
        label=_("评优评选"),
        model=AwardRound,
        states=AwardState,
        moves=AWARD_TRANSITIONS,
        resolver=award_round_capacities,
        guards={"has_nominations": _guard_has_nominations},
        effects={"count_votes": _effect_count_votes},
        on_move=_on_move,
        audit_kind=lambda move: f"stars.award_round_{move.target}",
        region_code=lambda award_round: award_round.region_code,
        refusals={BUREAU: lambda: _("只有该辖区的民政部门可以组织评优评选")},
        invalid_code="stars.invalid_transition",
    )
)


def award_round_transition(*, actor: User, award_round: AwardRound, transition: str) -> AwardRound:
    """Move a round by ``workflows.AWARD_TRANSITIONS``: open voting, then count and finish."""
    return run_move(AWARD_WORKFLOW, award_round, transition, actor=actor)


def award_moves_for(actor: User, award_round: AwardRound) -> list[Transition]:
    return AWARD_WORKFLOW.moves_for(actor, award_round)


def award_round_history(award_round: AwardRound) -> list[HistoryRow]:
    return history_for(AWARD_WORKFLOW, award_round)
