"""Creating, filling and moving annual reports: pre-fill, rule 26, the workflow, denials."""

from __future__ import annotations

import datetime as dt

import pytest

from npohub.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.orgs.models import Officer, OfficerPosition, Person
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.supervision import services
from npohub.supervision.models import AnnualReport
from npohub.supervision.tests.factories import fill, make_report, to_state
from npohub.supervision.workflows import history_of

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)


@pytest.fixture
def assoc(orgs):
    return orgs["assoc"]


def _drive(report, cast, state, conclusion="pass", on=ON):
    return to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state=state,
        on=on,
        conclusion=conclusion,
    )


def test_a_new_report_is_prefilled_from_the_registry_and_marked_as_such(cast, assoc):
    Officer.objects.create(
        organization=assoc,
        person=Person.objects.create(name="李四"),
        position=OfficerPosition.CHAIR,
    )
    report = services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert report.data["basic"]["org_name"] == "历下区养老服务协会"
    assert report.data["governance"]["officers"] == "会长/理事长：李四"
    assert report.prefilled["basic.org_name"] == "登记信息"
    assert report.prefilled["governance.officers"] == "负责人登记"
    assert report.confirmed == []
    assert (report.supervisor_deadline, report.bureau_deadline) == (
        dt.date(2026, 3, 31),
        dt.date(2026, 5, 31),
    )
    assert (
        AuditEvent.objects.filter(
            kind="supervision.report_created", target_id=str(report.pk)
        ).count()
        == 1
    )


def test_unconfirmed_prefilled_content_blocks_submission_until_the_section_is_saved(cast, assoc):
    report = make_report(assoc, cast["org_user"], filled=False)
    messages = [p.message for p in services.report_problems(report)]
    assert "基本信息：请核对并确认平台预填的内容" in messages
    report = fill(report, cast["org_user"])
    assert services.report_problems(report) == []
    assert "basic.org_name" in report.confirmed


def test_a_report_for_an_unfinished_year_or_a_second_one_is_refused(cast, assoc):
    with pytest.raises(ValidationFailed) as exc:
        services.report_create(actor=cast["org_user"], organization=assoc, year=2026, today=ON)
    assert exc.value.message == "2026年度尚未结束，不能填报年度报告"
    make_report(assoc, cast["org_user"], filled=False)
    with pytest.raises(DomainError) as exc:
        services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert exc.value.code == "supervision.report_exists"
    assert AnnualReport.objects.count() == 1


def test_an_exempt_organization_gets_no_report(cast, regions):
    org = OrganizationFactory(
        community=regions["c_jfq1"],
        kind="social_service",
        uscc="52370102MJ0000001X",
        registration_date=dt.date(2025, 7, 1),
    )
    grant(cast["org_user"], org, "own")
    with pytest.raises(DomainError) as exc:
        services.report_create(actor=cast["org_user"], organization=org, year=2025, today=ON)
    assert exc.value.code == "supervision.not_due"
    assert not AnnualReport.objects.exists()


def test_another_organizations_account_cannot_open_or_edit_a_report_and_nothing_changes(
    cast, assoc
):
    with pytest.raises(PermissionDenied) as exc:
        services.report_create(actor=cast["org_user_out"], organization=assoc, year=2025, today=ON)
    assert exc.value.message == "只有本组织的账号或登记管理机关可以填报年度报告"
    report = make_report(assoc, cast["org_user"], filled=False)
    before = (dict(report.data), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied) as exc:
        services.report_update_section(
            actor=cast["org_user_out"],
            report=report,
            section="staff",
            values={"full_time_staff": 9},
        )
    assert exc.value.message == "只有本组织的账号可以执行此操作"
    report.refresh_from_db()
    assert (report.data, AuditEvent.objects.count()) == before


def test_a_bad_number_is_refused_with_the_field_named(cast, assoc):
    report = make_report(assoc, cast["org_user"], filled=False)
    with pytest.raises(ValidationFailed) as exc:
        services.report_update_section(
            actor=cast["org_user"],
            report=report,
            section="income",
            values={"donation_income": "abc"},
        )
    assert exc.value.details == {"donation_income": "捐赠收入：请输入金额（元）"}
    report.refresh_from_db()
    assert "income" not in report.data


def test_a_dual_managed_report_goes_to_the_supervisory_unit_then_the_bureau(cast, assoc):
    report = make_report(assoc, cast["org_user"])
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    assert (report.state, report.submitted_on, report.bureau_received_on) == (
        "supervisor_review",
        ON,
        None,
    )
    later = dt.date(2026, 3, 20)
    report = services.report_transition(
        actor=cast["reviewer"],
        report=report,
        transition="supervisor_approve",
        note="同意",
        today=later,
    )
    assert (report.state, report.supervisor_opinion, report.bureau_received_on) == (
        "submitted",
        "同意",
        later,
    )
    assert [row.move for row in history_of(report)] == ["submit", "supervisor_approve"]


def test_a_directly_registered_organization_submits_straight_to_the_bureau(cast, regions):
    org = OrganizationFactory(
        community=regions["c_jfq1"], authority_region=regions["lixia"], supervisory_unit=""
    )
    grant(cast["org_user"], org, "own")
    report = make_report(org, cast["org_user"])
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    assert (report.state, report.bureau_received_on) == ("submitted", ON)


def test_a_reviewer_who_does_not_supervise_the_organization_cannot_do_the_first_review(
    cast, assoc, orgs
):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "supervisor_review")
    assoc_other = orgs["other"]
    grant(cast["expert"], assoc_other, "supervised")
    with pytest.raises(PermissionDenied) as exc:
        services.report_transition(
            actor=cast["district"], report=report, transition="supervisor_approve", today=ON
        )
    assert exc.value.message == "只有该组织的业务主管单位可以初审"
    report.refresh_from_db()
    assert report.state == "supervisor_review"
    assert len(history_of(report)) == 1


def test_submission_with_problems_is_refused_listing_each_problem(cast, assoc):
    report = make_report(assoc, cast["org_user"])
    report = services.report_update_section(
        actor=cast["org_user"],
        report=report,
        section="expenditure",
        values={
            "program_expenses": "1",
            "admin_expenses": "1",
            "wages": "1",
            "total_expenditure": "5",
        },
    )
    with pytest.raises(ValidationFailed) as exc:
        services.report_transition(
            actor=cast["org_user"], report=report, transition="submit", today=ON
        )
    assert exc.value.code == "supervision.report_invalid"
    assert exc.value.details == [
        {
            "section": "expenditure",
            "field": "total_expenditure",
            "message": "支出情况：支出合计（5.00）与各分项之和（3.00）不一致",
        }
    ]
    report.refresh_from_db()
    assert report.state == "draft"


@pytest.mark.parametrize("conclusion", ["basic_pass", "fail"])
def test_a_basic_pass_or_fail_conclusion_needs_reasons(cast, assoc, conclusion):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "submitted")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.report_transition(
            actor=cast["district"],
            report=report,
            transition="conclude",
            conclusion=conclusion,
            today=ON,
        )
    assert exc.value.message == "年检结论为基本合格或不合格时，须写明理由"
    report.refresh_from_db()
    assert (report.state, report.conclusion, AuditEvent.objects.count()) == (
        "submitted",
        "",
        events,
    )


def test_an_unknown_conclusion_is_refused(cast, assoc):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "submitted")
    with pytest.raises(ValidationFailed) as exc:
        services.report_transition(
            actor=cast["district"],
            report=report,
            transition="conclude",
            conclusion="excellent",
            today=ON,
        )
    assert exc.value.message == "请选择年检结论（合格、基本合格或不合格）"


def test_the_bureau_concludes_and_publishes_and_only_the_bureau_may(cast, assoc):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "submitted")
    with pytest.raises(PermissionDenied) as exc:
        services.report_transition(
            actor=cast["district_out"],
            report=report,
            transition="conclude",
            conclusion="pass",
            today=ON,
        )
    assert exc.value.message == "只有辖区登记管理机关可以执行此操作"
    report = services.report_transition(
        actor=cast["district"],
        report=report,
        transition="conclude",
        conclusion="basic_pass",
        note="未按期换届",
        today=ON,
    )
    report = services.report_transition(
        actor=cast["district"], report=report, transition="publish", today=ON
    )
    assert (report.state, report.conclusion, report.conclusion_reasons, report.published_on) == (
        "published",
        "basic_pass",
        "未按期换届",
        ON,
    )
    with pytest.raises(InvalidTransition):
        services.report_transition(
            actor=cast["district"], report=report, transition="publish", today=ON
        )


def test_the_bureau_may_return_a_report_for_revision_with_a_reason(cast, assoc):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "submitted")
    with pytest.raises(ValidationFailed):
        services.report_transition(
            actor=cast["district"], report=report, transition="return", today=ON
        )
    report = services.report_transition(
        actor=cast["district"], report=report, transition="return", note="补充财务报表", today=ON
    )
    assert report.state == "returned"
    report = services.report_update_section(
        actor=cast["org_user"], report=report, section="staff", values={"full_time_staff": 4}
    )
    assert report.data["staff"]["full_time_staff"] == 4


@pytest.mark.parametrize(
    ("conclusion", "needed"), [("basic_pass", True), ("fail", True), ("pass", False)]
)
def test_rule_26_last_years_conclusion_decides_whether_a_rectification_report_is_required(
    cast, assoc, conclusion, needed
):
    _drive(
        make_report(assoc, cast["org_user"], year=2024, today=dt.date(2025, 2, 1)),
        cast,
        "concluded",
        conclusion=conclusion,
        on=dt.date(2025, 4, 1),
    )
    report = services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert report.needs_rectification is needed
    codes = [s.code for s in services.report_sections(report)]
    assert ("rectification" in codes) is needed
    if needed:
        assert report.data["rectification"]["problems"] == "理由"
        assert (
            report.rectification_basis
            == f"2024年度年检结论为{ {'basic_pass': '基本合格', 'fail': '不合格'}[conclusion] }".replace(
                " ", ""
            )
        )


def test_rule_26_an_organization_that_did_not_take_part_last_year_must_rectify(cast, assoc):
    report = services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert (report.needs_rectification, report.rectification_basis) == (True, "未参加2024年度年检")
    with pytest.raises(ValidationFailed) as exc:
        services.report_transition(
            actor=cast["org_user"],
            report=fill(report, cast["org_user"], rectification={"measures": ""}),
            transition="submit",
            today=ON,
        )
    assert {
        "section": "rectification",
        "field": "measures",
        "message": "整改报告：请填写“整改措施与完成情况”",
    } in exc.value.details


def test_the_party_section_is_prefilled_from_the_party_records(cast, assoc):
    from npohub.party.services import PartyOrganizationInput, party_organization_create

    party_organization_create(
        actor=cast["admin"],
        data=PartyOrganizationInput(
            name="历下区养老服务协会党支部",
            tier="own_branch",
            established_on=dt.date(2025, 3, 1),
            host_organization=assoc,
            formal_members=4,
        ),
    )
    report = services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert report.data["party"]["party_organization"] == "历下区养老服务协会党支部"
    assert report.data["party"]["has_party_organization"] is True
    assert report.prefilled["party.party_organization"] == "党建信息"


def test_the_bureau_may_reopen_a_conclusion_with_a_reason_rule_27(cast, assoc):
    report = _drive(make_report(assoc, cast["org_user"]), cast, "published")
    with pytest.raises(ValidationFailed):
        services.report_transition(
            actor=cast["district"], report=report, transition="reopen", today=ON
        )
    report = services.report_transition(
        actor=cast["district"],
        report=report,
        transition="reopen",
        note="发现新的违规问题",
        today=ON,
    )
    assert (report.state, report.conclusion, report.published_on) == ("submitted", "", None)


def test_the_activities_section_is_prefilled_from_verified_activities_and_pairings(
    cast, assoc, orgs
):
    from django.apps import apps
    from django.utils import timezone as tz

    # Read by name, as the service does: supervision does not import its neighbours.
    ActivityEvidence = apps.get_model("enforcement", "ActivityEvidence")
    Pairing = apps.get_model("hubs", "Pairing")

    for day, text in ((dt.date(2025, 9, 9), "重阳节敬老活动"), (dt.date(2024, 9, 9), "上年活动")):
        ActivityEvidence.objects.create(
            organization=assoc,
            occurred_on=day,
            description=text,
            recorded_by=cast["district"],
            recorded_at=tz.now(),
        )
    group = OrganizationFactory(name="泉城路街道夕阳红合唱队", community=assoc.community)
    Pairing.objects.create(
        senior=assoc, community_group=group, topic="助老服务培训", started_on=dt.date(2024, 5, 1)
    )
    report = services.report_create(actor=cast["org_user"], organization=assoc, year=2025, today=ON)
    assert report.data["activities"]["summary"] == (
        "2024-05-01 结对共建泉城路街道夕阳红合唱队：助老服务培训\n2025-09-09 重阳节敬老活动"
    )
    assert report.data["activities"]["projects"] == 2
    assert report.prefilled["activities.summary"] == "活动报告"
