"""Annual star rating (party building first, weights per locality) and award rounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from npohub.core.errors import Conflict, PermissionDenied, ValidationFailed
from npohub.orgs.models import Status
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.stars import services
from npohub.stars.models import (
    AwardState,
    InterviewReason,
    InterviewTask,
    Nomination,
    StarAssessment,
    Vote,
)
from npohub.stars.policy import DEFAULTS
from npohub.stars.selectors import has_star_priority, star_ranking

from .factories import award_round, rate, score

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def score_year(actor, org, total):
    for month in range(1, 13):
        score(actor, org, dt.date(YEAR, month, 1), total)


def test_compute_stars_weighs_the_four_parts_and_maps_to_stars():
    result = services.compute_stars(
        monthly_average=Decimal("9"),
        self_score=Decimal("95"),
        peer_score=Decimal("85"),
        resident_score=Decimal("90"),
        party_building_passed=True,
        policy=DEFAULTS,
    )
    # (90×50 + 95×10 + 85×20 + 90×20) / 100 = 89.5
    assert result == services.StarResult(Decimal("89.50"), 4, False)


def test_a_failing_party_building_criterion_caps_the_stars_at_three(cast, world):
    score_year(cast["hub"], world["assoc"], "10")
    item = rate(
        cast["hub"], world["assoc"], YEAR, self_score="100", peer="100", resident="100", party=False
    )
    assert item.composite == Decimal("100.00")
    assert item.stars == 3
    assert item.capped is True


def test_passing_party_building_keeps_five_stars(cast, world):
    score_year(cast["hub"], world["assoc"], "10")
    item = rate(cast["hub"], world["assoc"], YEAR, self_score="100", peer="100", resident="100")
    assert (item.stars, item.capped, item.months_scored) == (5, False, 12)


def test_the_party_cap_is_configurable(cast, world, settings):
    settings.STARS_POLICY = {"default": {"party_fail_cap": 2}}
    score_year(cast["hub"], world["assoc"], "10")
    assert rate(cast["hub"], world["assoc"], YEAR, party=False).stars == 2


def test_weights_of_the_locality_change_the_result(cast, world, settings):
    score_year(cast["hub"], world["assoc"], "6")
    default = rate(cast["district"], world["assoc"], YEAR, self_score="100", peer="100")
    # (60×50 + 100×10 + 100×20 + 90×20) / 100 = 78
    assert (default.composite, default.stars) == (Decimal("78.00"), 3)
    settings.STARS_POLICY = {
        "3701": {"weights": {"monthly": 20, "self": 20, "peer": 30, "resident": 30}}
    }
    changed = rate(cast["district"], world["assoc"], YEAR, self_score="100", peer="100")
    # (60×20 + 100×20 + 100×30 + 90×30) / 100 = 89
    assert (changed.composite, changed.stars) == (Decimal("89.00"), 4)
    assert changed.weights == {"monthly": 20, "self": 20, "peer": 30, "resident": 30}


def test_an_organisation_without_monthly_scores_cannot_be_rated(cast, world):
    with pytest.raises(ValidationFailed) as exc:
        rate(cast["district"], world["assoc"], YEAR)
    assert exc.value.code == "stars.no_monthly_scores"
    assert StarAssessment.objects.count() == 0


def test_a_failing_party_criterion_needs_an_explanation(cast, world):
    score_year(cast["hub"], world["assoc"], "9")
    with pytest.raises(ValidationFailed) as exc:
        services.star_assessment_record(
            actor=cast["district"],
            organization=world["assoc"],
            year=YEAR,
            data=services.StarInput("90", "90", "90", party_building_passed=False),
        )
    assert exc.value.details == {"party_note": "党建落实不合格时须说明情况"}
    assert StarAssessment.objects.count() == 0


def test_a_hub_cannot_rate_a_non_member(cast, world):
    with pytest.raises(PermissionDenied):
        rate(cast["hub"], world["other"], YEAR)
    assert StarAssessment.objects.count() == 0


def test_publishing_gives_five_stars_priority_and_interviews_three_stars_or_fewer(cast, world):
    score_year(cast["hub"], world["assoc"], "10")
    score_year(cast["hub"], world["group"], "5")
    rate(cast["hub"], world["assoc"], YEAR, self_score="100", peer="100", resident="100")
    low = rate(cast["hub"], world["group"], YEAR, self_score="60", peer="60", resident="60")
    assert low.stars == 1
    assert has_star_priority(world["assoc"], YEAR) is False  # not yet published
    published = services.star_results_publish(
        actor=cast["district"], year=YEAR, region_code="370102"
    )
    assert published == 2
    assert has_star_priority(world["assoc"], YEAR) is True
    assert has_star_priority(world["group"], YEAR) is False
    task = InterviewTask.objects.get(reason=InterviewReason.LOW_STARS)
    assert task.organization == world["group"]
    assert task.assignee == cast["hub"]
    assert task.detail == f"{YEAR}年度评定为1星级（综合得分55.00）"
    with pytest.raises(Conflict):
        rate(cast["hub"], world["assoc"], YEAR)


def test_another_districts_bureau_cannot_publish(cast, world):
    score_year(cast["hub"], world["assoc"], "9")
    rate(cast["hub"], world["assoc"], YEAR)
    with pytest.raises(PermissionDenied):
        services.star_results_publish(actor=cast["district_out"], year=YEAR, region_code="370102")
    assert StarAssessment.objects.filter(is_published=True).count() == 0


def test_the_ranking_orders_a_region_by_composite(cast, world):
    score_year(cast["hub"], world["assoc"], "7")
    score_year(cast["hub"], world["group"], "9")
    rate(cast["hub"], world["assoc"], YEAR)
    rate(cast["hub"], world["group"], YEAR)
    ranking = list(star_ranking(cast["district"], YEAR, region_prefix="370102"))
    assert [(r.organization.name, r.rank) for r in ranking] == [
        ("解放桥社区舞蹈队", 1),
        ("历下区养老服务协会", 2),
    ]
    assert list(star_ranking(cast["district_out"], YEAR)) == []


# --- awards ---------------------------------------------------------------------------------


def test_an_ineligible_organisation_cannot_be_nominated_and_the_reason_is_given(cast, world):
    world["other"].status = Status.SUSPENDED
    world["other"].save()
    rnd = award_round(cast["district"])
    with pytest.raises(ValidationFailed) as exc:
        services.nomination_create(
            actor=cast["district"], award_round=rnd, organization=world["other"], statement="优秀"
        )
    assert exc.value.code == "stars.not_eligible"
    assert exc.value.message == "历下区书法协会不符合评优条件：组织状态为“限期停止活动”"
    assert Nomination.objects.count() == 0


def test_the_hub_nominates_its_member_and_voters_vote_once_each(cast, world):
    rnd = award_round(cast["district"])
    nomination = services.nomination_create(
        actor=cast["hub"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    services.vote_cast(actor=cast["resident"], nomination=nomination)
    with pytest.raises(Conflict) as exc:
        services.vote_cast(actor=cast["resident"], nomination=nomination)
    assert exc.value.message == "您已为历下区养老服务协会投过票"
    nomination.refresh_from_db()
    assert nomination.vote_count == 1
    assert Vote.objects.count() == 1


def test_an_organisation_cannot_vote_for_itself(cast, world):
    rnd = award_round(cast["district"])
    nomination = services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    with pytest.raises(PermissionDenied) as exc:
        services.vote_cast(actor=cast["org_user"], nomination=nomination)
    assert exc.value.message == "不能为本组织投票"
    assert Vote.objects.count() == 0


def test_votes_outside_the_window_are_refused(cast, world):
    today = timezone.localdate()
    rnd = award_round(
        cast["district"],
        state_window=(today + dt.timedelta(days=1), today + dt.timedelta(days=5)),
    )
    nomination = services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    with pytest.raises(PermissionDenied) as exc:
        services.vote_cast(actor=cast["resident"], nomination=nomination)
    assert exc.value.message == "不在投票时间内"
    assert Vote.objects.count() == 0


def test_finishing_a_round_ranks_nominees_and_names_the_winners(cast, regions, world):
    peer = OrganizationFactory(name="历下区助残协会", community=regions["c_jfq1"])
    rnd = award_round(cast["district"])
    first = services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    second = services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=peer, statement="助残服务"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    for voter in ("resident", "city", "street"):
        services.vote_cast(actor=cast[voter], nomination=first)
    services.vote_cast(actor=cast["resident"], nomination=second)
    services.award_round_transition(actor=cast["district"], award_round=rnd, transition="finish")
    rnd.refresh_from_db()
    assert rnd.state == AwardState.FINISHED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.rank, first.is_winner, first.vote_count) == (1, True, 3)
    assert (second.rank, second.is_winner, second.vote_count) == (2, True, 1)
    with pytest.raises(PermissionDenied):
        services.vote_cast(actor=cast["community"], nomination=first)


def test_voting_cannot_open_without_nominations(cast):
    rnd = award_round(cast["district"])
    with pytest.raises(ValidationFailed) as exc:
        services.award_round_transition(
            actor=cast["district"], award_round=rnd, transition="open_voting"
        )
    assert exc.value.code == "stars.no_nominations"
    rnd.refresh_from_db()
    assert rnd.state == AwardState.NOMINATING
