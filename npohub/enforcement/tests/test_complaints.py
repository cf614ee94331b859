"""Complaints: public intake (throttled), triage, assignment, reply, closing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.enforcement import services
from npohub.enforcement.models import Complaint, ComplaintNote
from npohub.enforcement.selectors import ComplaintFilters, complaint_list_for
from npohub.notifications.models import Notification

from .factories import IP, complaint, history

pytestmark = pytest.mark.django_db

D = dt.date(2025, 3, 3)


def submit(ip: str = IP, **extra):
    values = {
        "contact": "13800000000",
        "category": "fees",
        "description": "该协会向会员强制摊派费用，且不开具票据。",
        "organization_text": "某某协会",
    }
    values.update(extra)
    return services.complaint_submit(actor=None, client_ip=ip, today=D, **values)


@override_settings(ENFORCEMENT_POLICY={"default": {"complaint_rate_limit": 3}})
def test_the_fourth_complaint_from_one_ip_is_refused_and_nothing_is_stored(cast):
    services.throttle_reset(IP)
    for _i in range(3):
        submit()
    before = (Complaint.objects.count(), AuditEvent.objects.count())
    with pytest.raises(services.Throttled) as exc:
        submit()
    assert exc.value.http_status == 429
    assert exc.value.message == (
        "提交过于频繁：同一网络在 60 分钟内最多可提交 3 件投诉举报，请稍后再试。"
    )
    assert (Complaint.objects.count(), AuditEvent.objects.count()) == before == (3, 3)
    # Another client is not affected.
    submit(ip="198.51.100.1")
    assert Complaint.objects.count() == 4
    services.throttle_reset(IP)
    services.throttle_reset("198.51.100.1")


def test_a_complaint_gets_an_unguessable_number_and_a_reply_deadline(cast, orgs):
    services.throttle_reset(IP)
    made = submit(organization=orgs["assoc"], organization_text="")
    services.throttle_reset(IP)
    assert made.number.startswith("TS20250303") and len(made.number) == 18
    assert made.state == "submitted"
    assert made.reply_due_on == dt.date(2025, 3, 18)
    assert made.region_code == orgs["assoc"].address_code
    # The bureaus of the organisation's place hear of it.
    assert set(
        Notification.objects.filter(kind="enforcement.complaint_new").values_list(
            "recipient__username", flat=True
        )
    ) == {"city", "district", "admin"}


def test_a_complaint_without_contact_or_description_is_refused(cast):
    services.throttle_reset(IP)
    with pytest.raises(ValidationFailed) as exc:
        submit(contact="", description="短")
    assert exc.value.message == "请填写联系方式，以便答复"
    assert set(exc.value.details) == {"contact", "description"}
    assert Complaint.objects.count() == 0


def test_triage_assignment_reply_and_closing(cast, orgs):
    c = complaint(orgs["assoc"])
    district, street = cast["district"], cast["street"]
    services.complaint_transition(actor=district, complaint=c, transition="accept")
    services.complaint_assign(actor=district, complaint=c, assignee=street)
    services.complaint_transition(actor=street, complaint=c, transition="investigate")
    services.complaint_note_add(actor=street, complaint=c, text="已约谈协会秘书长")
    services.complaint_transition(
        actor=street, complaint=c, transition="reply", note="经核查，已责令退还费用。"
    )
    services.complaint_transition(actor=district, complaint=c, transition="close")
    c.refresh_from_db()
    assert (c.state, c.reply, c.assignee) == ("closed", "经核查，已责令退还费用。", street)
    assert list(history(c).values_list("move", flat=True)) == [
        "submit",
        "accept",
        "investigate",
        "reply",
        "close",
    ]
    assert Notification.objects.filter(
        kind="enforcement.complaint_assigned", recipient=street
    ).exists()


def test_an_illegal_move_is_refused_and_nothing_changes(cast, orgs):
    c = complaint(orgs["assoc"])
    with pytest.raises(InvalidTransition) as exc:
        services.complaint_transition(actor=cast["district"], complaint=c, transition="close")
    assert exc.value.message == "投诉举报处于“待受理”状态，不能“办结”"
    c.refresh_from_db()
    assert c.state == "submitted"
    assert history(c).count() == 1


def test_not_accepting_needs_a_reason(cast, orgs):
    c = complaint(orgs["assoc"])
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_transition(actor=cast["district"], complaint=c, transition="not_accept")
    assert exc.value.message == "请填写理由"
    services.complaint_transition(
        actor=cast["district"], complaint=c, transition="not_accept", note="不属于民政部门职责"
    )
    c.refresh_from_db()
    assert (c.state, c.decision_note) == ("not_accepted", "不属于民政部门职责")


def test_a_bureau_outside_the_place_cannot_triage_and_nothing_changes(cast, orgs):
    c = complaint(orgs["assoc"])
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        services.complaint_transition(actor=cast["district_out"], complaint=c, transition="accept")
    assert exc.value.message == "该投诉举报不在您的辖区内"
    c.refresh_from_db()
    assert c.state == "submitted" and AuditEvent.objects.count() == events


def test_assignment_only_to_staff_whose_region_covers_the_complaint(cast, orgs):
    c = complaint(orgs["assoc"])
    services.complaint_transition(actor=cast["district"], complaint=c, transition="accept")
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_assign(actor=cast["district"], complaint=c, assignee=cast["street_out"])
    assert exc.value.message == "承办人的辖区不包括该投诉举报所在地"
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_assign(actor=cast["district"], complaint=c, assignee=cast["hub"])
    assert exc.value.message == "只能分派给民政部门或街道（乡镇）工作人员"
    c.refresh_from_db()
    assert c.assignee is None


def test_the_assignee_may_note_but_another_street_may_not(cast, orgs):
    c = complaint(orgs["assoc"])
    with pytest.raises(PermissionDenied):
        services.complaint_note_add(actor=cast["street"], complaint=c, text="x")
    assert ComplaintNote.objects.count() == 0


def test_overdue_complaints_are_flagged_and_listed_first(cast, orgs):
    old = complaint(orgs["assoc"], today=dt.date(2025, 1, 1))
    fresh = complaint(orgs["assoc"], today=dt.date(2025, 3, 1))
    today = dt.date(2025, 3, 5)
    assert old.is_overdue(today) and not fresh.is_overdue(today)
    overdue = complaint_list_for(cast["district"], ComplaintFilters(overdue=True), today=today)
    assert list(overdue) == [old]
    assert list(complaint_list_for(cast["district_out"])) == []
    assert list(complaint_list_for(cast["street"])) == []


def test_reminders_go_to_the_assignee_once(cast, orgs):
    c = complaint(orgs["assoc"], today=dt.date(2025, 1, 1))
    services.complaint_transition(actor=cast["district"], complaint=c, transition="accept")
    services.complaint_assign(actor=cast["district"], complaint=c, assignee=cast["street"])
    assert services.complaint_remind_due(today=dt.date(2025, 3, 1)) == 1
    assert services.complaint_remind_due(today=dt.date(2025, 3, 2)) == 0
    note = Notification.objects.get(kind="enforcement.complaint_due")
    assert note.recipient == cast["street"]
    assert note.title == f"投诉举报 {c.number} 已超过答复期限 44 天"


def test_the_list_of_complaints_has_a_bounded_number_of_queries(
    cast, orgs, django_assert_max_num_queries
):
    for _i in range(5):
        complaint(orgs["assoc"])
    with django_assert_max_num_queries(2):
        rows = list(complaint_list_for(cast["district"], ComplaintFilters(open_only=True)))
        assert [r.organization.name for r in rows] == ["历下区养老服务协会"] * 5
