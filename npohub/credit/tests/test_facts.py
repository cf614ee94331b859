from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.credit.models import CreditFact, FactKind
from npohub.credit.services import credit_fact_record, credit_fact_resolve

pytestmark = pytest.mark.django_db


def record(org, **kw):
    values = {
        "actor": None,
        "organization": org,
        "kind": FactKind.WARNING,
        "arose_on": dt.date(2025, 3, 3),
        "entered_on": dt.date(2025, 3, 3),
        "source": "enforcement",
        "source_ref": f"penalty:1:{org.pk}",
        "summary": "警告",
    }
    values.update(kw)
    return credit_fact_record(**values)


def test_recording_a_fact_stores_its_category_and_audits_it_as_the_system(orgs):
    fact = record(orgs["assoc"], amount=None, legal_basis="《社会团体登记管理条例》第三十条")
    assert fact.category == "penalty"
    assert fact.is_late_entry is False
    event = AuditEvent.objects.get(kind="credit.fact_recorded")
    assert event.actor is None and event.actor_label == "system"
    assert event.organization_id == orgs["assoc"].pk


def test_recording_the_same_kind_and_source_ref_twice_returns_the_first_row_unchanged(orgs):
    first = record(orgs["assoc"], summary="第一次")
    second = record(orgs["assoc"], summary="第二次", arose_on=dt.date(2025, 1, 1))
    assert second.pk == first.pk
    assert second.summary == "第一次"
    assert CreditFact.objects.count() == 1
    assert AuditEvent.objects.filter(kind="credit.fact_recorded").count() == 1


def test_a_fact_entered_on_the_fifth_working_day_is_on_time_and_on_the_sixth_is_late(orgs):
    # Friday 2025-03-07; working days after it: Mon 10 … Fri 14 (5), Mon 17 (6).
    friday = dt.date(2025, 3, 7)
    on_time = record(
        orgs["assoc"], arose_on=friday, entered_on=dt.date(2025, 3, 14), source_ref="a"
    )
    late = record(orgs["assoc"], arose_on=friday, entered_on=dt.date(2025, 3, 17), source_ref="b")
    assert on_time.is_late_entry is False
    assert late.is_late_entry is True


def test_holidays_in_the_policy_do_not_count_as_working_days(orgs):
    # 2025-09-30 (Tue) → National Day holiday 1–8 Oct; 9, 10 Oct, 11 Oct (调休 Saturday), 13, 14.
    fact = record(orgs["assoc"], arose_on=dt.date(2025, 9, 30), entered_on=dt.date(2025, 10, 14))
    assert fact.is_late_entry is False
    late = record(
        orgs["assoc"],
        arose_on=dt.date(2025, 9, 30),
        entered_on=dt.date(2025, 10, 15),
        source_ref="late",
    )
    assert late.is_late_entry is True


def test_a_fact_cannot_arise_after_it_was_entered_and_nothing_is_stored(orgs):
    with pytest.raises(ValidationFailed) as exc:
        record(orgs["assoc"], arose_on=dt.date(2025, 3, 5), entered_on=dt.date(2025, 3, 4))
    assert exc.value.message == "产生日期不能晚于录入日期"
    assert CreditFact.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_resolving_a_fact_records_the_date_and_note_once(orgs):
    fact = record(orgs["assoc"], kind=FactKind.FINE, amount=Decimal("1000"))
    credit_fact_resolve(actor=None, fact=fact, on=dt.date(2025, 4, 1), note="已缴纳罚款")
    fact.refresh_from_db()
    assert fact.resolved_on == dt.date(2025, 4, 1)
    assert fact.resolved_note == "已缴纳罚款"
    with pytest.raises(Conflict) as exc:
        credit_fact_resolve(actor=None, fact=fact, on=dt.date(2025, 5, 1), note="再次")
    assert exc.value.message == "该信用信息已于2025年4月1日登记履行/整改"
    fact.refresh_from_db()
    assert fact.resolved_on == dt.date(2025, 4, 1)
