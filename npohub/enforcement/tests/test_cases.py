"""Penalty cases: the workflow, the legal limits, each decision's effects, payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.credit.models import BarredPerson, CreditFact
from npohub.enforcement import services
from npohub.enforcement.models import PenaltyCase, Sanction
from npohub.enforcement.selectors import case_list_for
from npohub.notifications.models import Notification
from npohub.orgs.models import FieldChange, Kind
from npohub.orgs.tests.factories import OrganizationFactory

from .factories import FINE, case_ready_to_decide, certificate, complaint, decided, history

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 10)


def test_a_case_moves_from_filing_to_closing_with_its_history(cast, orgs):
    district, org = cast["district"], orgs["assoc"]
    case = decided(district, org, [{"kind": "warning"}], on=ON)
    assert (case.state, case.decided_on, case.service_due_on) == (
        "decided",
        ON,
        dt.date(2025, 6, 17),
    )
    assert case.decision_number == f"{case.number}号"
    case = services.case_transition(actor=district, case=case, transition="serve", today=ON)
    assert case.payment_due_on is None  # no fine
    case = services.case_transition(actor=district, case=case, transition="close", today=ON)
    assert case.state == "closed"
    assert list(history(case).values_list("move", flat=True)) == [
        "open",
        "investigate",
        "notify",
        "decide",
        "serve",
        "close",
    ]
    # The organisation's own users hear of the notice, the decision, its service and closing.
    assert (
        Notification.objects.filter(
            kind="enforcement.case_decision", recipient=cast["org_user"]
        ).count()
        == 4
    )


def test_a_decision_before_the_statement_period_ends_is_refused(cast, orgs):
    case = case_ready_to_decide(
        cast["district"], orgs["assoc"], [{"kind": "warning"}], notified_on=ON
    )
    assert case.statement_due_on == dt.date(2025, 6, 13)
    with pytest.raises(ValidationFailed) as exc:
        services.case_transition(
            actor=cast["district"], case=case, transition="decide", today=dt.date(2025, 6, 13)
        )
    assert exc.value.message == "陈述申辩期限（至 2025年6月13日）未满，不能作出处罚决定"
    case.refresh_from_db()
    assert case.state == "notified"
    assert not CreditFact.objects.exists()


def test_an_illegal_case_move_is_refused(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    with pytest.raises(InvalidTransition) as exc:
        services.case_transition(actor=cast["district"], case=case, transition="decide")
    assert exc.value.message == "案件处于“已立案”状态，不能“作出行政处罚决定”"
    case.refresh_from_db()
    assert case.state == "filed"


def test_notifying_without_a_proposed_penalty_is_refused(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    services.case_transition(actor=cast["district"], case=case, transition="investigate")
    with pytest.raises(ValidationFailed) as exc:
        services.case_transition(actor=cast["district"], case=case, transition="notify")
    assert exc.value.message == "请先拟定处罚内容"


def test_a_fine_over_three_times_the_turnover_is_refused_with_the_limit(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    with pytest.raises(ValidationFailed) as exc:
        services.sanction_add(
            actor=cast["district"],
            case=case,
            kind="fine",
            amount=Decimal("60001"),
            fine_basis="turnover",
            basis_amount=Decimal("20000"),
        )
    assert exc.value.message == (
        "罚款金额超出法定幅度：应为违法经营额（20,000.00 元）的 1 至 3 倍，"
        "即 20,000.00 元至 60,000.00 元"
    )
    assert not Sanction.objects.exists()


def test_a_fine_below_three_times_the_gains_is_refused(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    with pytest.raises(ValidationFailed) as exc:
        services.sanction_add(
            actor=cast["district"],
            case=case,
            kind="fine",
            amount=Decimal("29999"),
            fine_basis="gains",
            basis_amount=Decimal("10000"),
        )
    assert exc.value.message == (
        "罚款金额超出法定幅度：应为违法所得（10,000.00 元）的 3 至 5 倍，"
        "即 30,000.00 元至 50,000.00 元"
    )
    assert not Sanction.objects.exists()


def test_a_foundation_cannot_be_fined_under_its_regulation(cast, orgs, regions):
    foundation = OrganizationFactory(
        kind=Kind.FOUNDATION, community=regions["c_jfq1"], authority_region=regions["lixia"]
    )
    case = services.case_open(
        actor=cast["district"], organization=foundation, title="未按规定公益支出"
    )
    assert case.basis_key == "foundation"
    with pytest.raises(ValidationFailed) as exc:
        services.sanction_add(actor=cast["district"], case=case, kind="fine", amount=Decimal("1"))
    assert exc.value.message == "《基金会管理条例》第四十二条未规定“罚款”这一处罚"


def test_a_warning_records_a_warning_credit_fact(cast, orgs):
    case = decided(cast["district"], orgs["assoc"], [{"kind": "warning"}], on=ON)
    fact = CreditFact.objects.get()
    assert (fact.kind, fact.organization, fact.arose_on, fact.amount) == (
        "warning",
        orgs["assoc"],
        ON,
        None,
    )
    assert fact.legal_basis == "《社会团体登记管理条例》第三十条"
    assert fact.source_ref == f"enforcement:{case.number}:{case.sanctions.get().pk}"


def test_a_fine_records_a_fine_credit_fact_with_its_amount(cast, orgs):
    decided(cast["district"], orgs["assoc"], [FINE], on=ON)
    fact = CreditFact.objects.get()
    assert (fact.kind, fact.amount) == ("fine", Decimal("30000.00"))


def test_a_suspension_suspends_the_organisation_and_seals_its_certificate(cast, orgs):
    org = orgs["assoc"]
    cert = certificate(org)
    decided(
        cast["district"],
        org,
        [{"kind": "suspension", "suspend_until": dt.date(2025, 9, 10)}],
        on=ON,
    )
    org.refresh_from_db()
    cert.refresh_from_db()
    assert (org.status, org.status_changed_on) == ("suspended", ON)
    assert (cert.sealed_on, cert.voided_on) == (ON, None)
    assert list(CreditFact.objects.values_list("kind", flat=True)) == ["suspension_order"]
    assert FieldChange.objects.filter(organization=org, field="status").exists()


def test_lifting_a_suspension_reactivates_and_unseals(cast, orgs):
    org = orgs["assoc"]
    cert = certificate(org)
    case = decided(
        cast["district"],
        org,
        [{"kind": "suspension", "suspend_until": dt.date(2025, 9, 10)}],
        on=ON,
    )
    services.case_lift_suspension(actor=cast["district"], case=case, today=dt.date(2025, 9, 11))
    org.refresh_from_db()
    cert.refresh_from_db()
    assert (org.status, cert.sealed_on) == ("active", None)
    with pytest.raises(InvalidTransition) as exc:
        services.case_lift_suspension(actor=cast["district"], case=case)
    assert exc.value.message == "该组织当前不在停止活动期间"


def test_a_revocation_revokes_the_registration_and_voids_the_certificate(cast, orgs):
    org = orgs["assoc"]
    cert = certificate(org)
    decided(cast["district"], org, [{"kind": "revocation"}], on=ON)
    org.refresh_from_db()
    cert.refresh_from_db()
    assert (org.status, org.status_changed_on) == ("revoked", ON)
    assert (cert.voided_on, cert.void_reason) == (ON, "撤销登记")
    assert list(CreditFact.objects.values_list("kind", flat=True)) == ["registration_revoked"]


def test_barring_a_responsible_person_goes_to_credit(cast, orgs):
    decided(
        cast["district"],
        orgs["assoc"],
        [
            {"kind": "warning"},
            {"kind": "bar_person", "person_name": "王五", "person_id_number": "11010519491231002X"},
        ],
        on=ON,
    )
    barred = BarredPerson.objects.get()
    assert (barred.name, barred.id_number, barred.barred_from, barred.barred_until) == (
        "王五",
        "11010519491231002X",
        ON,
        dt.date(2028, 6, 10),
    )


def test_payment_with_the_late_fee_capped_at_the_fine(cast, orgs):
    district = cast["district"]
    case = decided(district, orgs["assoc"], [FINE], on=ON)
    case = services.case_transition(actor=district, case=case, transition="serve", today=ON)
    assert case.payment_due_on == dt.date(2025, 6, 25)
    rate = Decimal("0.03")
    assert case.late_fee(dt.date(2025, 6, 25), rate=rate) == Decimal("0")
    assert case.late_fee(dt.date(2025, 6, 27), rate=rate) == Decimal("1800.00")
    assert case.late_fee(dt.date(2025, 12, 31), rate=rate) == Decimal("30000")
    with pytest.raises(ValidationFailed) as exc:
        services.case_payment_record(
            actor=district, case=case, paid_on=dt.date(2025, 6, 27), amount=Decimal("30000")
        )
    assert exc.value.message == "应缴金额为 31,800.00 元（罚款 30,000.00 元，加处罚款 1,800.00 元）"
    with pytest.raises(ValidationFailed) as exc:
        services.case_transition(actor=district, case=case, transition="close")
    assert exc.value.message == "罚款尚未缴纳，不能结案"
    services.case_payment_record(
        actor=district, case=case, paid_on=dt.date(2025, 6, 27), amount=Decimal("31800")
    )
    case = services.case_transition(actor=district, case=case, transition="close")
    assert (case.state, case.paid_amount) == ("closed", Decimal("31800.00"))


def test_another_district_cannot_decide_and_nothing_changes(cast, orgs):
    case = case_ready_to_decide(
        cast["district"], orgs["assoc"], [{"kind": "warning"}], notified_on=dt.date(2025, 6, 1)
    )
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        services.case_transition(
            actor=cast["district_out"], case=case, transition="decide", today=ON
        )
    assert exc.value.message == "该组织不在您的辖区内"
    case.refresh_from_db()
    assert case.state == "notified" and AuditEvent.objects.count() == events
    assert not CreditFact.objects.exists()


def test_a_case_opened_from_a_complaint_is_linked(cast, orgs):
    c = complaint(orgs["assoc"])
    case = services.case_open(
        actor=cast["district"], organization=orgs["assoc"], title="违规收费", complaint=c
    )
    c.refresh_from_db()
    assert (c.penalty_case, case.source, case.source_ref) == (case, "complaint", c.number)


def test_the_case_list_has_a_bounded_number_of_queries(cast, orgs, django_assert_max_num_queries):
    for _i in range(4):
        services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    with django_assert_max_num_queries(2):
        assert len([c.organization.name for c in case_list_for(cast["district"])]) == 4
    assert PenaltyCase.objects.count() == 4
    assert list(case_list_for(cast["district_out"])) == []
    assert list(case_list_for(cast["org_user"])) == []  # not yet notified


def _on_lists(org, on):
    from npohub.credit.selectors import listings_as_of

    return sorted(
        (listing.credit_list, listing.rule.code, listing.listed_on)
        for listing in listings_as_of(org, on)
    )


def test_each_decision_lands_on_the_list_the_issue_names_once_the_engine_runs(cast, orgs):
    """Warning and small fine → abnormal list; suspension → status suspended and certificate
    sealed, no list while the draft rule is inactive; revocation → revoked, certificate void,
    serious list. Listed from the decision date, as the engine reads the facts."""
    from npohub.credit.services import credit_evaluate

    district = cast["district"]
    warned = orgs["assoc"]
    fined = OrganizationFactory(name="历下区罚款测试协会", community=warned.community)
    suspended = OrganizationFactory(name="历下区停止活动测试协会", community=warned.community)
    revoked = OrganizationFactory(name="历下区撤销登记测试协会", community=warned.community)
    certs = {org.pk: certificate(org) for org in (suspended, revoked)}
    decided(district, warned, [{"kind": "warning"}], on=ON)
    decided(district, fined, [FINE], on=ON)
    decided(
        district, suspended, [{"kind": "suspension", "suspend_until": dt.date(2025, 9, 10)}], on=ON
    )
    decided(district, revoked, [{"kind": "revocation"}], on=ON)
    credit_evaluate(on=ON)
    assert _on_lists(warned, ON) == [("abnormal", "light_penalty", ON)]
    assert _on_lists(fined, ON) == [("abnormal", "light_penalty", ON)]
    assert _on_lists(suspended, ON) == []
    assert _on_lists(revoked, ON) == [("serious", "revoked", ON)]
    for org in (suspended, revoked):
        org.refresh_from_db()
        certs[org.pk].refresh_from_db()
    assert (suspended.status, certs[suspended.pk].sealed_on) == ("suspended", ON)
    assert (revoked.status, certs[revoked.pk].voided_on) == ("revoked", ON)
