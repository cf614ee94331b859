"""Rounds, trees, panels, scores, outliers, the committee, objections and grades."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.notifications.models import Notification
from npohub.orgs.models import Officer, OfficerPosition
from npohub.orgs.tests.factories import PersonFactory, grant
from npohub.ratings import selectors, services
from npohub.ratings.models import Application, Assignment, Grade, Indicator, Objection, Score
from npohub.ratings.policy import level_for, policy_for
from npohub.supervision.models import AnnualReport

from .factories import ON, advance, clean_org, expert, make_round, round_in_scoring, score_all

pytestmark = pytest.mark.django_db

CHANHE = {"thresholds": {"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 0}}
ANQING = {"thresholds": {"5A": 950, "4A": 901, "3A": 851, "2A": 801, "1A": 0}}


# --- thresholds -------------------------------------------------------------------------------


def test_the_same_total_earns_different_levels_in_two_localities():
    with override_settings(RATINGS_POLICY={"default": CHANHE, "3408": ANQING}):
        chanhe = policy_for("410311000000")["thresholds"]
        anqing = policy_for("340800000000")["thresholds"]
    assert [level_for(t, chanhe) for t in (950, 880, 860, 720, 599)] == [
        "5A",
        "4A",
        "4A",
        "3A",
        "1A",
    ]
    assert [level_for(t, anqing) for t in (950, 880, 860, 720, 599)] == [
        "5A",
        "3A",
        "3A",
        "1A",
        "1A",
    ]


def test_a_1a_floor_leaves_low_totals_without_a_grade():
    assert level_for(Decimal("499.9"), {"5A": 900, "1A": 500}) == ""


def test_a_round_keeps_the_thresholds_it_was_created_with(cast, regions):
    with override_settings(RATINGS_POLICY={"3701": ANQING}):
        round = make_round(cast["district"], regions)
    with override_settings(RATINGS_POLICY={"3701": CHANHE}):
        later = make_round(cast["district"], regions, name="第二轮")
    round.refresh_from_db()
    assert (round.thresholds["4A"], later.thresholds["4A"]) == (901, 800)


# --- trees ------------------------------------------------------------------------------------


def test_each_kind_gets_a_1000_point_tree_with_its_four_groups(cast, regions):
    round = make_round(cast["district"], regions)
    assert services.tree_problems(round) == []
    groups = {
        kind: [item["node"].name for item in selectors.indicator_tree(round, kind)]
        for kind in round.kinds
    }
    assert groups["association"] == ["基础条件", "内部治理", "工作绩效", "社会评价"]
    assert groups["social_service"] == ["基础条件", "内部治理", "业务活动和诚信建设", "社会评价"]


def test_editing_one_rounds_tree_leaves_the_other_round_unchanged(cast, regions):
    first = make_round(cast["district"], regions)
    second = make_round(cast["district"], regions, name="第二轮", copy_from=first)
    node = Indicator.objects.get(round=second, kind="association", code="2.3")
    services.indicator_update(
        actor=cast["district"], indicator=node, code="2.3", name="党建引领", max_points=60
    )
    assert services.tree_problems(second) == ["社会团体指标“2 内部治理”分值370分，下级合计360分"]
    assert services.tree_problems(first) == []
    original = Indicator.objects.get(round=first, kind="association", code="2.3")
    assert (original.name, original.max_points) == ("党建工作", 70)


def test_an_unbalanced_tree_blocks_opening_applications(cast, regions):
    round = make_round(cast["district"], regions, kinds=["association"])
    group = Indicator.objects.get(round=round, kind="association", code="3")
    services.indicator_add(
        actor=cast["district"],
        round=round,
        kind="association",
        parent=group,
        code="3.5",
        name="创新项目",
        max_points=20,
    )
    with pytest.raises(InvalidTransition) as exc:
        advance(cast["district"], round, "open_applications")
    assert exc.value.message == "社会团体指标“3 工作绩效”分值400分，下级合计420分"
    round.refresh_from_db()
    assert round.state == "open"


def test_the_tree_cannot_change_once_scoring_starts(cast, regions):
    org = clean_org(regions)
    pool = [expert(regions, f"e{i}") for i in range(3)]
    round, _apps = round_in_scoring(cast["district"], regions, [org], pool)
    node = Indicator.objects.filter(round=round).first()
    with pytest.raises(PermissionDenied):
        services.indicator_update(
            actor=cast["district"], indicator=node, code=node.code, name="x", max_points=1
        )
    node.refresh_from_db()
    assert node.name != "x"


def test_bad_indicator_input_says_what_is_wrong_and_stores_nothing(cast, regions):
    round = make_round(cast["district"], regions, kinds=["association"])
    count = Indicator.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.indicator_add(
            actor=cast["district"], round=round, kind="association", code="9", name="", max_points=0
        )
    assert exc.value.details == {
        "name": "请填写指标名称",
        "max_points": "分值应为1至1000之间的整数",
    }
    assert Indicator.objects.count() == count


# --- conflicts --------------------------------------------------------------------------------


@pytest.fixture
def checked(cast, regions):
    """A round after the eligibility check with one eligible association."""
    org = clean_org(regions, name="历下区养老互助协会")
    round = make_round(cast["district"], regions)
    round = advance(cast["district"], round, "open_applications", today=dt.date(2025, 8, 1))
    app = services.application_submit(actor=cast["district"], round=round, organization=org)
    advance(cast["district"], round, "close_applications")
    app.refresh_from_db()
    return app


def test_an_expert_with_a_declared_conflict_is_never_assigned(cast, regions, checked):
    e = expert(regions, "wang")
    services.conflict_declare(
        actor=e.user, expert=e, organization=checked.organization, reason="配偶任该协会秘书长"
    )
    with pytest.raises(services.ExpertConflict) as exc:
        services.panel_assign(actor=cast["district"], application=checked, expert=e)
    assert exc.value.code == "ratings.expert_conflict"
    assert exc.value.message == "wang须回避历下区养老互助协会：已申报回避：配偶任该协会秘书长"
    assert not Assignment.objects.exists()


def test_declaring_a_conflict_removes_an_unsubmitted_assignment(cast, regions, checked):
    e = expert(regions, "wang")
    services.panel_assign(actor=cast["district"], application=checked, expert=e)
    services.conflict_declare(
        actor=cast["district"], expert=e, organization=checked.organization, reason="曾受聘顾问"
    )
    assert not Assignment.objects.exists()


def test_an_expert_who_left_the_organization_under_two_years_ago_is_refused(cast, regions, checked):
    e = expert(regions, "li")
    services.affiliation_add(
        actor=cast["district"],
        expert=e,
        organization=checked.organization,
        position="副秘书长",
        left_on=dt.date(2023, 9, 2),
    )
    with pytest.raises(services.ExpertConflict) as exc:
        services.panel_assign(actor=cast["district"], application=checked, expert=e, today=ON)
    assert exc.value.details == {"expert": ["recent_affiliation"]}
    assert not Assignment.objects.exists()
    made = services.panel_assign(
        actor=cast["district"], application=checked, expert=e, today=dt.date(2025, 9, 2)
    )
    assert made.expert == e


def test_an_officer_with_the_experts_id_number_is_a_conflict(cast, regions, checked):
    person = PersonFactory(id_number="11010519491231002X")
    Officer.objects.create(
        organization=checked.organization,
        person=person,
        position=OfficerPosition.SECRETARY_GENERAL,
        end_date=dt.date(2024, 12, 31),
    )
    e = expert(regions, "zhao", id_number="11010519491231002X")
    with pytest.raises(services.ExpertConflict) as exc:
        services.panel_assign(actor=cast["district"], application=checked, expert=e)
    assert exc.value.details == {"expert": ["officer"]}
    assert not Assignment.objects.exists()


def test_only_the_bureau_forms_panels(cast, regions, checked):
    e = expert(regions, "sun")
    for name in ("street", "expert", "org_user", "district_out"):
        with pytest.raises(PermissionDenied):
            services.panel_assign(actor=cast[name], application=checked, expert=e)
    assert not Assignment.objects.exists()


# --- scoring, outliers, committee, objections, award -----------------------------------------


@pytest.fixture
def scoring(cast, regions):
    org = clean_org(regions, name="历下区养老互助协会")
    grant(cast["org_user"], org, "own")
    pool = [expert(regions, f"expert{i}") for i in range(4)]
    round, [app] = round_in_scoring(cast["district"], regions, [org], pool)
    return round, app, pool


def test_scores_outside_an_indicators_range_are_refused_and_nothing_is_saved(cast, scoring):
    _round, app, pool = scoring
    task = app.assignments.get(expert=pool[0])
    leaf = selectors.leaves_of(app.round, "association")[0]
    with pytest.raises(ValidationFailed) as exc:
        services.scores_save(
            actor=pool[0].user,
            assignment=task,
            entries=[services.ScoreEntry(indicator_id=leaf.pk, points="31")],
        )
    assert exc.value.message == "1.1的得分应在0至30分之间"
    assert not Score.objects.exists()


def test_another_expert_cannot_score_this_task(cast, scoring):
    _round, app, pool = scoring
    task = app.assignments.get(expert=pool[0])
    leaf = selectors.leaves_of(app.round, "association")[0]
    with pytest.raises(PermissionDenied):
        services.scores_save(
            actor=pool[1].user,
            assignment=task,
            entries=[services.ScoreEntry(indicator_id=leaf.pk, points="10")],
        )
    assert not Score.objects.exists()


def test_submitting_needs_every_indicator(cast, scoring):
    _round, app, pool = scoring
    task = app.assignments.get(expert=pool[0])
    leaf = selectors.leaves_of(app.round, "association")[0]
    services.scores_save(
        actor=pool[0].user,
        assignment=task,
        entries=[
            services.ScoreEntry(
                indicator_id=leaf.pk, points="25", comment="证照齐全", evidence_ref="/orgs/1/"
            )
        ],
    )
    with pytest.raises(ValidationFailed) as exc:
        services.assignment_submit(actor=pool[0].user, assignment=task)
    assert exc.value.message == "还有14项指标未评分（1.2、1.3、2.1、2.2、2.3）"
    task.refresh_from_db()
    assert (task.submitted_at, task.total) == (None, Decimal("25.0"))


def test_the_outlier_rule_flags_a_total_far_from_the_panel():
    policy = policy_for("")
    found = services.outliers(
        {1: Decimal(850), 2: Decimal(860), 3: Decimal(845), 4: Decimal(600)}, policy
    )
    assert list(found) == [4]
    assert found[4] == "与评审组中位数847.5相差247.5分，超过中位数的15%"
    near = services.outliers(
        {1: Decimal(850), 2: Decimal(851), 3: Decimal(849), 4: Decimal(820)}, policy
    )
    assert near == {}
    mad = services.outliers(
        {1: Decimal(800), 2: Decimal(810), 3: Decimal(790), 4: Decimal(700)}, policy
    )
    assert mad == {4: "与评审组中位数795.0相差95.0分，超过3倍绝对中位差（10.0）"}


def _walk_to_publication(cast, round, app, pool, shares):
    for e, share in zip(pool, shares, strict=True):
        score_all(app.assignments.get(expert=e), Decimal(share))
    round = advance(cast["district"], round, "close_scoring")
    app.refresh_from_db()
    return round


def test_an_outlier_is_flagged_and_left_out_of_the_panel_mean(cast, scoring):
    round, app, pool = scoring
    round = _walk_to_publication(cast, round, app, pool, ["0.85", "0.86", "0.84", "0.55"])
    flags = list(app.assignments.order_by("id").values_list("is_outlier", flat=True))
    assert flags == [False, False, False, True]
    assert (app.panel_total, app.level) == (Decimal("850.0"), "4A")


def test_the_committee_must_say_why_it_departs_from_the_panel_mean(cast, scoring):
    round, app, pool = scoring
    _walk_to_publication(cast, round, app, pool, ["0.85", "0.86", "0.84", "0.55"])
    with pytest.raises(ValidationFailed) as exc:
        services.application_finalise(actor=cast["district"], application=app, final_total="905")
    assert exc.value.details == {"note": "必填"}
    app.refresh_from_db()
    assert (app.state, app.level) == ("eligible", "4A")


def test_a_full_round_awards_a_grade_valid_for_five_years(cast, scoring):
    round, app, pool = scoring
    round = _walk_to_publication(cast, round, app, pool, ["0.9", "0.92", "0.91", "0.9"])
    services.application_finalise(actor=cast["district"], application=app)
    round = advance(cast["district"], round, "publish", "close_comment")
    round = advance(cast["district"], round, "finalise", today=dt.date(2025, 10, 8))
    grade = Grade.objects.get(organization=app.organization)
    assert (grade.level, grade.total, grade.awarded_on, grade.valid_until, grade.state) == (
        "5A",
        Decimal("907.5"),
        dt.date(2025, 10, 8),
        dt.date(2030, 10, 7),
        "valid",
    )
    assert grade.certificate_number == "PG20253701020001"
    assert selectors.has_priority_grade(app.organization, dt.date(2030, 10, 7))
    assert not selectors.has_priority_grade(app.organization, dt.date(2030, 10, 8))
    assert AuditEvent.objects.filter(kind="ratings.round_transitioned").count() == 7


def test_an_objection_gets_a_written_decision_by_majority_vote(cast, scoring):
    round, app, pool = scoring
    round = _walk_to_publication(cast, round, app, pool, ["0.79", "0.8", "0.79", "0.78"])
    services.application_finalise(actor=cast["district"], application=app)
    round = advance(cast["district"], round, "publish")
    app = Application.objects.get(pk=app.pk)
    objection = services.objection_file(
        actor=cast["org_user"], application=app, reasons="社会评价得分未计入表彰", today=ON
    )
    assert objection.due_on == dt.date(2025, 9, 16)
    round = advance(cast["district"], round, "close_comment")
    with pytest.raises(InvalidTransition) as blocked:
        advance(cast["district"], round, "finalise")
    assert blocked.value.message == "历下区养老互助协会的异议尚未复核"
    with pytest.raises(ValidationFailed) as exc:
        services.objection_decide(
            actor=cast["district"],
            objection=objection,
            upheld=True,
            decision="认定成立",
            votes_for=2,
            votes_against=3,
        )
    assert exc.value.message == "赞成票未过半数，异议不能认定为成立"
    objection.refresh_from_db()
    assert objection.state == "filed"
    services.objection_decide(
        actor=cast["district"],
        objection=objection,
        upheld=True,
        decision="经复核，该组织获市级表彰未计分，社会评价加20分。",
        votes_for=5,
        votes_against=2,
        new_total="812.0",
    )
    objection.refresh_from_db()
    app.refresh_from_db()
    assert (objection.state, objection.new_level, app.level) == ("upheld", "4A", "4A")
    advance(cast["district"], round, "finalise")
    assert Grade.objects.get(organization=app.organization).level == "4A"


def test_only_the_applicant_may_object(cast, scoring):
    round, app, pool = scoring
    round = _walk_to_publication(cast, round, app, pool, ["0.79", "0.8", "0.79", "0.78"])
    services.application_finalise(actor=cast["district"], application=app)
    advance(cast["district"], round, "publish")
    app = Application.objects.get(pk=app.pk)
    with pytest.raises(PermissionDenied):
        services.objection_file(actor=cast["org_user_out"], application=app, reasons="不服")
    assert not Objection.objects.exists()


# --- grades -----------------------------------------------------------------------------------


def _grade(org, level="4A", awarded=dt.date(2021, 1, 10)):
    return Grade.objects.create(
        organization=org,
        level=level,
        awarded_on=awarded,
        valid_until=dt.date(awarded.year + 5, awarded.month, awarded.day) - dt.timedelta(days=1),
    )


def test_a_grade_lapses_the_day_after_five_years_and_only_once(cast, regions):
    org = clean_org(regions)
    grade = _grade(org)
    assert services.grades_review(on=dt.date(2026, 1, 9)).lapsed == 0
    assert selectors.has_priority_grade(org, dt.date(2026, 1, 9))
    assert services.grades_review(on=dt.date(2026, 1, 10)).lapsed == 1
    assert services.grades_review(on=dt.date(2026, 1, 11)).lapsed == 0
    grade.refresh_from_db()
    assert (grade.state, grade.ended_on) == ("expired", dt.date(2026, 1, 10))
    assert not selectors.has_priority_grade(org, dt.date(2026, 1, 10))


def test_expiry_reminders_go_once_per_step(cast, regions):
    org = clean_org(regions)
    grant(cast["org_user"], org, "own")
    _grade(org)
    services.grades_review(on=dt.date(2025, 7, 13))
    assert Notification.objects.filter(kind="ratings.grade_expiring").count() == 1
    services.grades_review(on=dt.date(2025, 7, 20))
    assert Notification.objects.filter(kind="ratings.grade_expiring").count() == 1
    services.grades_review(on=dt.date(2025, 12, 10))
    assert Notification.objects.filter(kind="ratings.grade_expiring").count() == 2


def test_a_failed_inspection_downgrades_by_one_level_once_with_15_days_to_return(cast, regions):
    org = clean_org(regions)
    grant(cast["org_user"], org, "own")
    grade = _grade(org, "4A")
    AnnualReport.objects.filter(organization=org, year=2024).update(conclusion="fail")
    result = services.grades_review(on=ON)
    assert result.downgraded == 1
    grade.refresh_from_db()
    assert (grade.state, grade.return_due_on, grade.trigger_code) == (
        "downgraded",
        dt.date(2025, 9, 16),
        "supervision.inspection_failed",
    )
    new = Grade.objects.get(organization=org, state="valid")
    assert (new.level, new.valid_until, new.previous) == ("3A", grade.valid_until, grade)
    assert services.grades_review(on=dt.date(2025, 9, 2)).downgraded == 0
    assert Notification.objects.filter(kind="ratings.grade_changed").count() == 1


def test_a_manual_downgrade_of_1a_cancels_the_grade(cast, regions):
    org = clean_org(regions)
    grade = _grade(org, "1A")
    assert (
        services.grade_downgrade(actor=cast["district"], grade=grade, reason="受到警告", on=ON)
        is None
    )
    grade.refresh_from_db()
    assert (grade.state, grade.return_due_on) == ("cancelled", dt.date(2025, 9, 16))


def test_a_bureau_outside_the_place_cannot_downgrade(cast, regions):
    org = clean_org(regions)
    grade = _grade(org)
    with pytest.raises(PermissionDenied):
        services.grade_downgrade(actor=cast["district_out"], grade=grade, reason="x", on=ON)
    grade.refresh_from_db()
    assert grade.state == "valid"
    assert Grade.objects.count() == 1


def test_the_review_command_runs_as_of_a_date(cast, regions, capsys):
    _grade(clean_org(regions))
    call_command("review_grades", on="2026-01-10")
    assert capsys.readouterr().out.strip() == "lapsed=1 downgraded=0 reminded=0"


def test_certificate_and_plaque_returns_are_tracked(cast, regions):
    org = clean_org(regions)
    grade = _grade(org)
    services.grade_downgrade(actor=cast["district"], grade=grade, reason="受到罚款", on=ON)
    grade.refresh_from_db()
    services.grade_track(
        actor=cast["district"],
        grade=grade,
        certificate_returned_on=dt.date(2025, 9, 10),
        plaque_returned_on=dt.date(2025, 9, 12),
    )
    grade.refresh_from_db()
    assert (grade.certificate_returned_on, grade.plaque_returned_on) == (
        dt.date(2025, 9, 10),
        dt.date(2025, 9, 12),
    )
