"""Objections, repair, eligibility, barred persons and contact attempts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.core.errors import NotFound, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.credit import registry
from npohub.credit.eligibility import eligible_ids, is_eligible
from npohub.credit.models import CreditFact, CreditRequest, Listing
from npohub.credit.selectors import listings_as_of, request_get_for
from npohub.credit.services import (
    barred_person_add,
    contact_attempt_record,
    credit_evaluate,
    credit_fact_resolve,
    credit_request_file,
    credit_request_transition,
)
from npohub.orgs.models import Organization, Status
from npohub.orgs.services import organization_create

from .factories import fact

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()


def listed(org, kind="warning", on=None):
    fact(org, kind, on or TODAY - dt.timedelta(days=10))
    credit_evaluate(on=TODAY)
    return Listing.objects.get(organization=org, removed_on__isnull=True)


def test_an_upheld_objection_removes_the_listing_with_events_and_notifies(orgs, cast):
    listing = listed(orgs["assoc"])
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="处罚已被撤销"
    )
    credit_request_transition(
        actor=cast["district"], request=req, transition="uphold", note="处罚决定已撤销"
    )
    listing.refresh_from_db()
    assert listing.removed_on == TODAY
    assert listing.removal_reason == "异议成立：处罚决定已撤销"
    assert [e.kind for e in listing.events.all()] == ["listed", "objection_upheld", "removed"]
    assert CreditRequest.objects.get().state == "upheld"
    assert AuditEvent.objects.filter(kind="credit.objection_uphold").count() == 1
    assert cast["org_user"].notifications.filter(kind="credit.request_decided").count() == 1


def test_another_regions_bureau_cannot_decide_and_nothing_changes(orgs, cast):
    listing = listed(orgs["assoc"])
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="有误"
    )
    with pytest.raises(PermissionDenied) as exc:
        credit_request_transition(
            actor=cast["district_out"], request=req, transition="uphold", note="x"
        )
    assert exc.value.message == "只有该组织所属辖区的民政部门可以处理异议和信用修复申请"
    with pytest.raises(NotFound):
        request_get_for(cast["district_out"], req.pk)
    req.refresh_from_db()
    listing.refresh_from_db()
    assert req.state == "filed" and listing.removed_on is None


def test_an_org_user_of_another_organisation_cannot_object_and_nothing_is_stored(orgs, cast):
    listing = listed(orgs["assoc"])
    with pytest.raises(PermissionDenied) as exc:
        credit_request_file(
            actor=cast["org_user_out"], listing=listing, kind="objection", reasons="有误"
        )
    assert exc.value.message == "只有本组织账号可以提出异议或申请信用修复"
    assert CreditRequest.objects.count() == 0


def test_repair_needs_the_obligation_fulfilled_then_removes_after_five_working_days(orgs, cast):
    listing = listed(orgs["assoc"], kind="annual_report_late")
    with pytest.raises(ValidationFailed) as exc:
        credit_request_file(
            actor=cast["org_user"], listing=listing, kind="repair", reasons="已补报"
        )
    assert exc.value.message == "尚有未履行义务或未完成整改的事项：未按时报送年度报告"
    credit_fact_resolve(actor=None, fact=CreditFact.objects.get(), on=TODAY, note="已补报")
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="repair", reasons="已补报"
    )
    credit_request_transition(actor=cast["district"], request=req, transition="approve")
    listing.refresh_from_db()
    assert listing.removal_due_on is not None and listing.removed_on is None
    credit_evaluate(on=listing.removal_due_on)
    listing.refresh_from_db()
    assert listing.removed_on == listing.removal_due_on
    assert [e.kind for e in listing.events.all()][-2:] == ["removal_scheduled", "removed"]


def test_serious_repair_is_refused_before_two_clean_years(orgs, cast):
    listing = listed(orgs["assoc"], kind="court_dishonest_debtor", on=D(2025, 1, 1))
    with pytest.raises(ValidationFailed) as exc:
        credit_request_file(
            actor=cast["org_user"], listing=listing, kind="repair", reasons="已履行"
        )
    assert "最早2027年1月1日" in exc.value.message
    assert CreditRequest.objects.count() == 0


def test_eligibility_names_the_list_the_rule_and_the_date(orgs):
    org = orgs["assoc"]
    assert is_eligible(org, "purchase", on=D(2025, 6, 1)).ok is True
    fact(org, "warning", D(2025, 6, 1))
    credit_evaluate(on=D(2025, 6, 1))
    result = is_eligible(org, "purchase", on=D(2025, 6, 1))
    assert result.ok is False
    assert [(r.code, r.message) for r in result.reasons] == [
        (
            "credit.abnormal_list",
            "已于2025年6月1日被列入活动异常名录（受到警告或5万元以下罚款处罚）",
        )
    ]
    assert is_eligible(org, "purchase", on=D(2025, 5, 31)).ok is True
    assert eligible_ids(Organization.objects.all(), "purchase", D(2025, 6, 1)) == {
        o.pk for o in Organization.objects.exclude(pk=org.pk)
    }


def test_eligibility_refuses_suspended_organisations(orgs):
    org = orgs["assoc"]
    org.status = Status.SUSPENDED
    org.save(update_fields=["status"])
    result = is_eligible(org, "award")
    assert [(r.code, r.message) for r in result.reasons] == [
        ("credit.status", "组织状态为“限期停止活动”")
    ]


def test_a_registered_eligibility_check_is_consulted_for_its_purpose_only(orgs):
    reason = registry.Reason(code="supervision.failed", message="上年度年检不合格")
    registry.register_eligibility_check(
        "test_check", lambda org, purpose, on: [reason], purposes=["rating"]
    )
    assert is_eligible(orgs["assoc"], "rating").reasons == [reason]
    assert is_eligible(orgs["assoc"], "purchase").ok is True
    assert orgs["assoc"].pk not in eligible_ids(Organization.objects.all(), "rating")


def test_two_unsigned_letters_twenty_to_sixty_days_apart_record_cannot_contact(orgs, cast):
    org = orgs["assoc"]
    contact_attempt_record(
        actor=cast["district"],
        organization=org,
        method="letter",
        sent_on=D(2025, 3, 1),
        signed=False,
    )
    contact_attempt_record(
        actor=cast["district"],
        organization=org,
        method="letter",
        sent_on=D(2025, 3, 15),
        signed=False,
    )
    assert CreditFact.objects.count() == 0  # 14 days: too close
    contact_attempt_record(
        actor=cast["district"],
        organization=org,
        method="letter",
        sent_on=D(2025, 4, 1),
        signed=False,
    )
    facts = list(CreditFact.objects.all())
    assert [(f.kind, f.arose_on) for f in facts] == [("cannot_contact", D(2025, 4, 1))]


def test_a_barred_person_is_refused_as_legal_representative_by_the_orgs_services(orgs, cast):
    barred_person_add(
        actor=cast["city"],
        id_number="11010519491231002X",
        name="王某",
        reason="被撤销登记组织的负责人",
        legal_basis="《社会团体登记管理条例》",
        barred_from=TODAY - dt.timedelta(days=1),
        barred_until=TODAY + dt.timedelta(days=365),
    )
    from npohub.orgs.tests.test_services import assoc_input

    count = Organization.objects.count()
    data = assoc_input(
        legal_representative_name="王某", legal_representative_id_number="11010519491231002X"
    )
    with pytest.raises(ValidationFailed) as exc:
        organization_create(actor=cast["city"], data=data)
    message = exc.value.details["legal_representative_id_number"]
    assert message.startswith("该人员被限制担任社会组织负责人（被撤销登记组织的负责人，限制期至")
    assert Organization.objects.count() == count


def test_listings_as_of_accepts_a_queryset(orgs):
    fact(orgs["assoc"], "warning", D(2025, 6, 1))
    credit_evaluate(on=D(2025, 6, 1))
    assert listings_as_of(Organization.objects.all(), D(2025, 6, 1)).count() == 1
