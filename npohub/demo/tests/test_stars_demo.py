"""The stars demo: a year of monthly scores for hub members, star results, one award round."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from npohub.core.models import AuditEvent
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.stars.models import (
    AwardRound,
    AwardState,
    InterviewReason,
    InterviewTask,
    MonthlyScorecard,
    ScoreAppeal,
    StarAssessment,
)
from npohub.stars.tests.factories import scoring_hub

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("demo_stars", stdout=out)
    return out.getvalue()


def test_without_hubs_the_stars_demo_creates_nothing_and_says_so(regions):
    assert run().strip() == (
        "没有找到有工作人员和成员的枢纽组织（请先运行 manage.py demo_hubs），未创建任何数据。"
    )
    assert MonthlyScorecard.objects.count() == 0
    assert AwardRound.objects.count() == 0


def test_the_stars_demo_scores_a_year_for_hub_members_rates_them_and_runs_an_award(
    cast, regions, orgs
):
    third = OrganizationFactory(name="历下区助残协会", community=regions["c_jfq1"])
    scoring_hub(cast, regions, [orgs["assoc"], orgs["other"], third])
    today = timezone.localdate()
    cards = 3 * (12 + today.month)  # January of last year up to the current month
    assert run().startswith(
        f"已加载月度评分与星级演示数据：评分枢纽 1，评分组织 3，月度评分 {cards}"
    )
    year = today.year - 1
    assert MonthlyScorecard.objects.filter(period__year=year).count() == 36
    # The scoring page opens on the current month: it is scored for every member.
    assert MonthlyScorecard.objects.filter(period=today.replace(day=1)).count() == 3
    assert (
        AuditEvent.objects.filter(
            kind="stars.scorecard_recorded", on_behalf_of="历下区社会组织孵化基地（受民政局委托）"
        ).count()
        == cards
    )
    low = InterviewTask.objects.filter(reason=InterviewReason.LOW_MONTHLY)
    assert sorted(t.organization.name for t in low) == ["历下区书法协会", "历下区助残协会"]
    assert StarAssessment.objects.filter(year=year, is_published=True).count() == 3
    assert ScoreAppeal.objects.get().state == "adjusted"
    award = AwardRound.objects.get()
    assert award.state == AwardState.FINISHED
    assert award.nominations.filter(is_winner=True).count() == 3
    assert run().strip() == "月度评分与星级演示数据已存在，未作修改。"
    assert MonthlyScorecard.objects.count() == cards
