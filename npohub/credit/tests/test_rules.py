"""The listing rules (domain rules 29–34) applied by credit_evaluate, with exact dates."""

from __future__ import annotations

import datetime as dt

import pytest

from npohub.credit.models import CreditFact, Listing, ListingEvent
from npohub.credit.selectors import listings_as_of
from npohub.credit.services import credit_evaluate
from npohub.orgs.models import Status

from .factories import activate, fact

pytestmark = pytest.mark.django_db
D = dt.date


def current(org, on):
    return [(item.credit_list, item.rule.code, item.listed_on) for item in listings_as_of(org, on)]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("annual_report_late", "annual_report"),
        ("annual_report_noncompliant", "annual_report"),
        ("party_org_missing", "party_org"),
        ("rectification_overdue", "rectification"),
        ("fundraising_lapsed", "fundraising"),
        ("warning", "light_penalty"),
        ("cannot_contact", "cannot_contact"),
    ],
)
def test_each_abnormal_trigger_lists_on_the_day_it_arose(orgs, kind, rule):
    org = orgs["assoc"]
    fact(org, kind, D(2025, 6, 1))
    result = credit_evaluate(on=D(2025, 6, 3))
    assert result.listed == 1
    assert current(org, D(2025, 6, 1)) == [("abnormal", rule, D(2025, 6, 1))]
    assert current(org, D(2025, 5, 31)) == []
    listing = Listing.objects.get()
    assert [e.kind for e in listing.events.all()] == ["listed"]
    assert listing.decided_by_label == "系统"


def test_a_fine_below_50000_lists_but_a_fine_of_50000_does_not(orgs):
    fact(orgs["assoc"], "fine", D(2025, 6, 1), amount=49999)
    fact(orgs["other"], "fine", D(2025, 6, 1), amount=50000)
    credit_evaluate(on=D(2025, 6, 1))
    assert current(orgs["assoc"], D(2025, 6, 1)) == [("abnormal", "light_penalty", D(2025, 6, 1))]
    assert current(orgs["other"], D(2025, 6, 1)) == []
    assert CreditFact.objects.get(organization=orgs["other"]).processed_on == D(2025, 6, 1)


def test_the_draft_rule_for_fines_of_50000_or_more_is_inactive_until_activated(orgs):
    activate("large_fine")
    fact(orgs["other"], "fine", D(2025, 6, 1), amount=50000)
    credit_evaluate(on=D(2025, 6, 1))
    assert current(orgs["other"], D(2025, 6, 1)) == [("serious", "large_fine", D(2025, 6, 1))]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("fraud_change_revoked", "fraud_change"),
        ("court_dishonest_debtor", "dishonest_debtor"),
        ("registration_revoked", "revoked"),
        ("certificate_revoked", "revoked"),
    ],
)
def test_each_confirmed_serious_trigger_lists_on_the_serious_list(orgs, kind, rule):
    fact(orgs["assoc"], kind, D(2025, 6, 1))
    credit_evaluate(on=D(2025, 6, 1))
    assert current(orgs["assoc"], D(2025, 6, 1)) == [("serious", rule, D(2025, 6, 1))]


def test_draft_serious_triggers_do_nothing_by_default_and_list_when_activated(orgs):
    fact(orgs["assoc"], "suspension_order", D(2025, 6, 1))
    credit_evaluate(on=D(2025, 6, 1))
    assert current(orgs["assoc"], D(2025, 6, 1)) == []
    activate("suspension")
    fact(orgs["other"], "suspension_order", D(2025, 6, 2))
    credit_evaluate(on=D(2025, 6, 2))
    assert current(orgs["other"], D(2025, 6, 2)) == [("serious", "suspension", D(2025, 6, 2))]


def test_two_warnings_within_three_years_list_seriously_only_when_the_draft_rule_is_active(orgs):
    activate("repeat_penalties")
    org = orgs["assoc"]
    fact(org, "warning", D(2022, 6, 1))
    fact(org, "fine", D(2025, 6, 2), amount=1000)  # 3 years + 1 day later: outside the window
    credit_evaluate(on=D(2025, 6, 2))
    assert [c[0] for c in current(org, D(2025, 6, 2))] == ["abnormal"]
    fact(org, "warning", D(2025, 7, 1))
    credit_evaluate(on=D(2025, 7, 1))
    assert current(org, D(2025, 7, 1)) == [
        ("abnormal", "light_penalty", D(2025, 6, 2)),
        ("serious", "repeat_penalties", D(2025, 7, 1)),
    ]


def test_two_full_years_on_the_abnormal_list_escalate_exactly_on_the_anniversary(orgs):
    org = orgs["assoc"]
    fact(org, "annual_report_late", D(2024, 3, 1))
    credit_evaluate(on=D(2024, 3, 1))
    result = credit_evaluate(on=D(2026, 2, 28))
    assert result.escalated == 0
    assert current(org, D(2026, 2, 28)) == [("abnormal", "annual_report", D(2024, 3, 1))]
    result = credit_evaluate(on=D(2026, 3, 1))
    assert result.escalated == 1
    assert current(org, D(2026, 3, 1)) == [("serious", "abnormal_two_years", D(2026, 3, 1))]
    abnormal = Listing.objects.get(credit_list="abnormal")
    serious = Listing.objects.get(credit_list="serious")
    assert abnormal.removed_on == D(2026, 3, 1)
    assert serious.escalated_from == abnormal
    assert list(serious.facts.values_list("kind", flat=True)) == ["annual_report_late"]
    assert [e.kind for e in abnormal.events.all()] == ["listed", "escalated"]


def test_escalation_is_decided_by_date_even_when_the_engine_runs_late(orgs):
    org = orgs["assoc"]
    fact(org, "annual_report_late", D(2024, 3, 1))
    credit_evaluate(on=D(2026, 9, 1))
    assert current(org, D(2026, 2, 28)) == [("abnormal", "annual_report", D(2024, 3, 1))]
    assert current(org, D(2026, 3, 1)) == [("serious", "abnormal_two_years", D(2026, 3, 1))]


def test_a_new_trigger_while_listed_restarts_the_clock(orgs):
    org = orgs["assoc"]
    fact(org, "annual_report_late", D(2024, 3, 1))
    credit_evaluate(on=D(2024, 3, 1))
    fact(org, "party_org_missing", D(2025, 1, 10))
    result = credit_evaluate(on=D(2026, 3, 1))
    assert result.clock_restarted == 1 and result.escalated == 0
    listing = Listing.objects.get()
    assert listing.listed_on == D(2024, 3, 1)
    assert listing.clock_started_on == D(2025, 1, 10)
    assert listing.next_action_on == D(2027, 1, 10)
    assert [e.kind for e in listing.events.all()] == ["listed", "clock_restarted"]
    credit_evaluate(on=D(2027, 1, 10))
    assert current(org, D(2027, 1, 10)) == [("serious", "abnormal_two_years", D(2027, 1, 10))]


def test_a_penalty_listing_with_nothing_to_rectify_is_removed_after_six_months(orgs):
    org = orgs["assoc"]
    fact(org, "warning", D(2025, 1, 31))
    credit_evaluate(on=D(2025, 7, 30))
    assert [c[0] for c in current(org, D(2025, 7, 30))] == ["abnormal"]
    result = credit_evaluate(on=D(2025, 7, 31))
    assert result.removed == 1
    listing = Listing.objects.get()
    assert listing.removed_on == D(2025, 7, 31)
    assert listing.removal_reason == "列入满6个月且无需整改，自动移出"
    assert current(org, D(2025, 7, 31)) == []


def test_a_listing_with_something_to_rectify_is_not_removed_automatically(orgs):
    org = orgs["assoc"]
    fact(org, "annual_report_late", D(2025, 1, 31))
    credit_evaluate(on=D(2025, 12, 31))
    assert Listing.objects.get().removed_on is None
    assert current(org, D(2025, 12, 31)) == [("abnormal", "annual_report", D(2025, 1, 31))]


def test_a_revocation_listing_stays_until_the_organisation_is_deregistered(orgs):
    org = orgs["assoc"]
    fact(org, "certificate_revoked", D(2023, 1, 5))
    credit_evaluate(on=D(2026, 1, 5))
    assert current(org, D(2026, 1, 5)) == [("serious", "revoked", D(2023, 1, 5))]
    org.status, org.status_changed_on = Status.DEREGISTERED, D(2026, 2, 1)
    org.save(update_fields=["status", "status_changed_on"])
    credit_evaluate(on=D(2026, 1, 31))
    assert Listing.objects.get().removed_on is None
    result = credit_evaluate(on=D(2026, 2, 1))
    assert result.removed == 1
    assert Listing.objects.get().removed_on == D(2026, 2, 1)
    assert Listing.objects.get().removal_reason == "已办理注销登记，移出名单"


def test_evaluating_the_same_date_twice_creates_no_new_rows(orgs):
    fact(orgs["assoc"], "warning", D(2025, 6, 1))
    credit_evaluate(on=D(2025, 6, 1))
    counts = (Listing.objects.count(), ListingEvent.objects.count())
    result = credit_evaluate(on=D(2025, 6, 1))
    assert (result.listed, result.facts_processed, result.removed) == (0, 0, 0)
    assert (Listing.objects.count(), ListingEvent.objects.count()) == counts


def test_evaluating_a_past_date_again_reproduces_what_was_decided(orgs):
    org = orgs["assoc"]
    fact(org, "annual_report_late", D(2024, 3, 1))
    fact(org, "warning", D(2024, 9, 1))
    fact(orgs["other"], "warning", D(2024, 5, 1))
    days = [D(2024, 3, 1), D(2024, 9, 1), D(2024, 11, 1), D(2026, 9, 2)]
    seen = {}
    for day in days:
        credit_evaluate(on=day)
        seen[day] = (current(org, day), current(orgs["other"], day))
    rows = (Listing.objects.count(), ListingEvent.objects.count())
    for day in days:
        credit_evaluate(on=day)
        assert (current(org, day), current(orgs["other"], day)) == seen[day]
    assert (Listing.objects.count(), ListingEvent.objects.count()) == rows
    assert seen[D(2026, 9, 2)][0] == [("serious", "abnormal_two_years", D(2026, 9, 1))]


def test_a_detector_runs_before_the_rules_for_the_date(orgs):
    from npohub.credit import registry

    calls = []

    def detector(on, actor):
        calls.append(on)
        fact(orgs["assoc"], "annual_report_late", on, source_ref="detector:1")
        return 1

    registry.register_detector("test_detector", detector)
    try:
        result = credit_evaluate(on=D(2025, 6, 1))
    finally:
        registry._DETECTORS.pop("test_detector")
    assert calls == [D(2025, 6, 1)]
    assert result.detected == 1 and result.listed == 1


def test_the_daily_command_and_task_evaluate_a_given_date_and_repeat_harmlessly(orgs):
    import io

    from django.core.management import CommandError, call_command

    from npohub.credit.tasks import evaluate_credit_task

    fact(orgs["assoc"], "warning", D(2025, 6, 1))
    out = io.StringIO()
    call_command("evaluate_credit", "--on", "2025-06-01", stdout=out)
    assert out.getvalue().strip() == (
        "on=2025-06-01 detected=0 facts_processed=1 listed=1 clock_restarted=0 escalated=0 "
        "removed=0"
    )
    assert current(orgs["assoc"], D(2025, 6, 1)) == [("abnormal", "light_penalty", D(2025, 6, 1))]
    rows = (Listing.objects.count(), ListingEvent.objects.count())
    result = evaluate_credit_task.enqueue(on="2025-06-01")
    assert result.return_value == {
        "on": "2025-06-01",
        "detected": 0,
        "facts_processed": 0,
        "listed": 0,
        "clock_restarted": 0,
        "escalated": 0,
        "removed": 0,
    }
    # Six months later the penalty listing with nothing to rectify comes off (rule 33).
    assert evaluate_credit_task.enqueue(on="2025-12-01").return_value["removed"] == 1
    assert (Listing.objects.count(), ListingEvent.objects.count()) == (rows[0], rows[1] + 1)
    with pytest.raises(CommandError, match="--on"):
        call_command("evaluate_credit", "--on", "2025-13-01", stdout=io.StringIO())
