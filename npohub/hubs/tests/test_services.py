"""Hub services: recognition, rosters, delegated access, actions for the bureau."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.hubs import services
from npohub.hubs.models import (
    Escalation,
    EscalationState,
    Hub,
    HubKind,
    HubMembership,
    HubNotice,
    HubStatus,
    NoticeReceipt,
)
from npohub.hubs.registry import register_review_subject
from npohub.hubs.selectors import (
    acting_hub_for,
    hubs_of_organization,
    member_ids_for_user,
)
from npohub.orgs.models import AccessReason, OrganizationAccess, Status
from npohub.orgs.selectors import organization_visible_to
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, grant

from .factories import DAY0, add_member, recognise

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, regions, orgs):
    """A city platform hub (历下区 scope) whose staff is ``cast["hub"]``, with no members yet.

    The shared cast gives ``hub`` a hand-made hub_member grant on ``assoc``: drop it so only
    the rosters speak.
    """
    OrganizationAccess.objects.filter(user=cast["hub"], reason=AccessReason.HUB_MEMBER).delete()
    hub_org = OrganizationFactory(
        name="历下区社会组织服务中心",
        community=regions["c_jfq2"],
        authority_region=regions["lixia"],
    )
    hub = recognise(cast["city"], hub_org, region=regions["lixia"])
    services.hub_staff_add(actor=cast["city"], hub=hub, user=cast["hub"], valid_from=DAY0)
    return {"hub": hub, "hub_org": hub_org, **orgs}


def visible_ids(user):
    return set(organization_visible_to(user).values_list("pk", flat=True))


def test_a_registered_organisation_is_recognised_with_its_decision(cast, world):
    hub = world["hub"]
    assert hub.status == HubStatus.RECOGNISED
    assert hub.scope_prefix == "370102"
    assert hub.decision_number == "济民发〔2024〕1号"
    event = AuditEvent.objects.get(kind="hubs.recognised", target_id=str(hub.pk))
    assert event.organization_id == world["hub_org"].pk
    assert event.payload["decision_number"] == "济民发〔2024〕1号"


def test_a_filed_group_cannot_be_recognised_as_a_hub_and_nothing_is_stored(cast, world):
    before = Hub.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        recognise(cast["city"], world["group"], region=None)
    assert exc.value.code == "hub_not_registered"
    assert exc.value.message == "只有已登记的社会组织才能认定为枢纽型社会组织"
    assert (Hub.objects.count(), AuditEvent.objects.count()) == before


def test_a_deregistered_organisation_cannot_be_recognised(cast, regions, world):
    closed = OrganizationFactory(community=regions["c_jfq1"], status=Status.DEREGISTERED)
    with pytest.raises(ValidationFailed) as exc:
        recognise(cast["city"], closed, region=regions["lixia"])
    assert exc.value.code == "hub_organization_not_active"
    assert not Hub.objects.filter(organization=closed).exists()


def test_only_the_bureau_in_region_recognises_hubs(cast, regions, world):
    before = Hub.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        recognise(cast["street"], world["other"], region=regions["lixia"])
    assert exc.value.message == "只有民政局可以认定枢纽型社会组织"
    with pytest.raises(PermissionDenied) as exc:
        recognise(cast["district_out"], world["other"], region=regions["lixia"])
    assert exc.value.message == "该组织不在您的辖区内"
    assert Hub.objects.count() == before


def test_the_same_kind_cannot_be_recognised_twice(cast, regions, world):
    with pytest.raises(Conflict) as exc:
        recognise(cast["city"], world["hub_org"], region=regions["lixia"])
    assert exc.value.code == "hub_already_recognised"
    # A different kind is a separate recognition.
    party = recognise(cast["city"], world["hub_org"], kind=HubKind.PARTY, region=regions["lixia"])
    assert party.kind == HubKind.PARTY


def test_staff_see_a_member_only_from_joining_and_until_leaving(cast, world):
    staff, hub, assoc = cast["hub"], world["hub"], world["assoc"]
    assert assoc.pk not in visible_ids(staff)
    membership = add_member(cast["city"], hub, assoc, joined_on=DAY0)
    assert assoc.pk in visible_ids(staff)
    grant_row = OrganizationAccess.objects.get(
        user=staff, organization=assoc, reason=AccessReason.HUB_MEMBER
    )
    assert (grant_row.valid_from, grant_row.valid_until) == (DAY0, None)
    assert member_ids_for_user(staff) == {assoc.pk}

    today = timezone.localdate()
    services.hub_member_leave(
        actor=cast["city"], membership=membership, left_on=today, reason="退会"
    )
    assert assoc.pk not in visible_ids(staff)
    grant_row.refresh_from_db()
    assert grant_row.valid_until == today - dt.timedelta(days=1)
    assert member_ids_for_user(staff) == set()
    assert member_ids_for_user(staff, on=today - dt.timedelta(days=1)) == {assoc.pk}


def test_membership_history_is_kept_across_leave_and_rejoin(cast, world):
    hub, assoc = world["hub"], world["assoc"]
    first = add_member(cast["city"], hub, assoc, joined_on=DAY0)
    services.hub_member_leave(
        actor=cast["city"], membership=first, left_on=dt.date(2024, 6, 1), reason="暂停"
    )
    with pytest.raises(ValidationFailed) as exc:
        add_member(cast["city"], hub, assoc, joined_on=dt.date(2024, 5, 1))
    assert exc.value.message == "重新加入日期不能早于上次退出日期（2024年6月1日）"
    second = add_member(cast["city"], hub, assoc, joined_on=dt.date(2024, 9, 1))
    stays = list(
        HubMembership.objects.filter(hub=hub, organization=assoc)
        .order_by("joined_on")
        .values_list("joined_on", "left_on")
    )
    assert stays == [(DAY0, dt.date(2024, 6, 1)), (dt.date(2024, 9, 1), None)]
    assert hubs_of_organization(assoc, on=dt.date(2024, 7, 1)) == []
    assert hubs_of_organization(assoc, on=dt.date(2024, 3, 1)) == [hub]
    assert hubs_of_organization(assoc) == [hub]
    assert second.left_on is None
    kinds = list(
        AuditEvent.objects.filter(organization_id=assoc.pk, kind__startswith="hubs.member")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["hubs.member_joined", "hubs.member_left", "hubs.member_joined"]


def test_an_organisation_can_belong_to_several_hubs(cast, regions, world):
    other_hub_org = OrganizationFactory(name="济南市社会组织总会", community=regions["c_qfs1"])
    city_hub = recognise(cast["city"], other_hub_org, kind=HubKind.PARTY, region=regions["jinan"])
    add_member(cast["city"], world["hub"], world["assoc"])
    add_member(cast["city"], city_hub, world["assoc"])
    assert {h.pk for h in hubs_of_organization(world["assoc"])} == {world["hub"].pk, city_hub.pk}


def test_a_member_twice_on_one_roster_is_refused(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    with pytest.raises(Conflict) as exc:
        add_member(cast["city"], world["hub"], world["assoc"])
    assert exc.value.message == "该组织已是本枢纽成员"
    assert HubMembership.objects.filter(organization=world["assoc"]).count() == 1


def test_a_member_outside_the_hub_region_is_refused(cast, world):
    with pytest.raises(ValidationFailed) as exc:
        add_member(cast["city"], world["hub"], world["far"])
    assert exc.value.message == "该组织不在枢纽的覆盖区域内"
    assert not HubMembership.objects.filter(organization=world["far"]).exists()


def test_revoking_the_hub_removes_access_at_once(cast, world):
    staff, hub, assoc = cast["hub"], world["hub"], world["assoc"]
    add_member(cast["city"], hub, assoc)
    assert assoc.pk in visible_ids(staff)
    services.hub_revoke(actor=cast["city"], hub=hub, reason="未按要求履行职责")
    assert assoc.pk not in visible_ids(staff)
    assert member_ids_for_user(staff) == set()
    assert acting_hub_for(staff, assoc) is None
    hub.refresh_from_db()
    assert hub.status == HubStatus.REVOKED
    assert hub.revoked_on == timezone.localdate()
    with pytest.raises(InvalidTransition):
        services.hub_revoke(actor=cast["city"], hub=hub, reason="再次")


def test_a_street_officer_cannot_revoke_a_district_hub_and_nothing_changes(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    with pytest.raises(PermissionDenied) as exc:
        services.hub_revoke(actor=cast["street"], hub=world["hub"], reason="x")
    assert exc.value.message == "只有该枢纽所在辖区的民政局（联合会为所在街道）可以管理"
    world["hub"].refresh_from_db()
    assert world["hub"].status == HubStatus.RECOGNISED
    assert world["assoc"].pk in visible_ids(cast["hub"])


def test_removing_a_staff_account_removes_its_access(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    services.hub_staff_remove(actor=cast["city"], hub=world["hub"], user=cast["hub"])
    assert world["assoc"].pk not in visible_ids(cast["hub"])
    assert world["hub_org"].pk not in visible_ids(cast["hub"])


def test_a_notice_reaches_every_member_audited_on_behalf_of_the_bureau(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    add_member(cast["city"], world["hub"], world["group"])
    notice = services.hub_notice_send(
        actor=cast["hub"], hub=world["hub"], title="年报填报提醒", body="请于5月31日前完成年报。"
    )
    assert NoticeReceipt.objects.filter(notice=notice).count() == 2
    sent = AuditEvent.objects.get(kind="hubs.notice_sent")
    assert sent.on_behalf_of == "历下区社会组织服务中心（受民政局委托）"
    assert sent.on_behalf_of_ref == f"hub:{world['hub'].pk}"
    member_rows = AuditEvent.objects.filter(
        kind="hubs.notice_received", organization_id=world["assoc"].pk
    )
    assert [e.on_behalf_of for e in member_rows] == ["历下区社会组织服务中心（受民政局委托）"]
    receipt = NoticeReceipt.objects.get(notice=notice, organization=world["assoc"])
    services.hub_notice_mark_read(actor=cast["org_user"], receipt=receipt)
    receipt.refresh_from_db()
    assert receipt.read_by == cast["org_user"]
    other = NoticeReceipt.objects.get(notice=notice, organization=world["group"])
    with pytest.raises(PermissionDenied) as exc:
        services.hub_notice_mark_read(actor=cast["org_user"], receipt=other)
    assert exc.value.message == "只有收到通知的组织可以确认阅读"
    other.refresh_from_db()
    assert other.read_at is None


def test_a_non_staff_user_cannot_send_notices_and_nothing_is_stored(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    with pytest.raises(PermissionDenied) as exc:
        services.hub_notice_send(actor=cast["city"], hub=world["hub"], title="t", body="b")
    assert exc.value.message == "只有该枢纽在认定有效期内的工作人员可以代表民政局开展此项工作"
    assert HubNotice.objects.count() == 0


def test_an_escalation_goes_to_the_bureau_and_is_resolved(cast, world):
    add_member(cast["city"], world["hub"], world["assoc"])
    esc = services.escalation_raise(
        actor=cast["hub"],
        hub=world["hub"],
        organization=world["assoc"],
        title="负责人失联",
        description="连续两月无法联系法定代表人。",
    )
    assert esc.region_code == "370102000000"
    event = AuditEvent.objects.get(kind="hubs.escalation_raised")
    assert event.on_behalf_of == "历下区社会组织服务中心（受民政局委托）"
    assert event.organization_id == world["assoc"].pk
    with pytest.raises(PermissionDenied):
        services.escalation_resolve(actor=cast["district_out"], escalation=esc, resolution="x")
    esc.refresh_from_db()
    assert esc.state == EscalationState.OPEN
    services.escalation_assign(actor=cast["city"], escalation=esc, assignee=cast["district"])
    services.escalation_resolve(actor=cast["district"], escalation=esc, resolution="已约谈整改")
    esc.refresh_from_db()
    assert (esc.state, esc.assignee, esc.resolution) == (
        EscalationState.RESOLVED,
        cast["district"],
        "已约谈整改",
    )


def test_escalating_about_a_non_member_is_refused(cast, world):
    with pytest.raises(PermissionDenied) as exc:
        services.escalation_raise(
            actor=cast["hub"],
            hub=world["hub"],
            organization=world["other"],
            title="t",
            description="d",
        )
    assert exc.value.message == "该组织不是本枢纽的成员"
    assert Escalation.objects.count() == 0


def test_a_first_line_review_is_recorded_for_a_registered_subject(cast, world):
    seen = []
    register_review_subject("tests.report", "测试报告", on_review=seen.append)
    add_member(cast["city"], world["hub"], world["assoc"])
    hub = acting_hub_for(cast["hub"], world["assoc"])
    assert hub == world["hub"]
    review = services.hub_review_record(
        actor=cast["hub"],
        hub=hub,
        organization=world["assoc"],
        subject="tests.report",
        subject_id=7,
        opinion="pass",
    )
    assert seen == [review]
    event = AuditEvent.objects.get(kind="hubs.first_line_review")
    assert event.on_behalf_of == "历下区社会组织服务中心（受民政局委托）"
    with pytest.raises(ValidationFailed) as exc:
        services.hub_review_record(
            actor=cast["hub"],
            hub=hub,
            organization=world["assoc"],
            subject="nobody.knows",
            subject_id=1,
            opinion="pass",
        )
    assert exc.value.code == "unknown_review_subject"


def test_grants_made_outside_rosters_are_left_alone(cast, world, regions):
    outsider = CommunityGroupFactory(community=regions["c_qfs1"])
    grant(cast["hub"], outsider, "hub_member")
    add_member(cast["city"], world["hub"], world["assoc"])
    services.hub_revoke(actor=cast["city"], hub=world["hub"], reason="撤销")
    assert outsider.pk in visible_ids(cast["hub"])


def test_access_starts_when_the_account_becomes_staff(cast, regions, world):
    late = OrganizationFactory(name="历下区青年志愿者协会", community=regions["c_jfq1"])
    add_member(cast["city"], world["hub"], late, joined_on=DAY0)
    from npohub.accounts.tests.factories import UserFactory

    newcomer = UserFactory(username="hub_new", role="hub_staff")
    services.hub_staff_add(actor=cast["city"], hub=world["hub"], user=newcomer)
    row = OrganizationAccess.objects.get(user=newcomer, organization=late, reason="hub_member")
    assert (row.valid_from, row.valid_until) == (timezone.localdate(), None)


def test_a_non_hub_staff_account_cannot_be_made_staff(cast, world):
    with pytest.raises(ValidationFailed) as exc:
        services.hub_staff_add(actor=cast["city"], hub=world["hub"], user=cast["org_user"])
    assert exc.value.code == "not_hub_staff_role"
    assert not OrganizationAccess.objects.filter(
        user=cast["org_user"], organization=world["hub_org"]
    ).exists()


def test_a_members_account_whose_grant_ended_is_not_notified_and_cannot_confirm_reading(
    cast, world
):
    """Hubs asked "the accounts of organisation X" with their own query, which counted ended
    grants; the one scope counts valid ones only."""
    from npohub.notifications.models import Notification

    add_member(cast["city"], world["hub"], world["assoc"])
    OrganizationAccess.objects.filter(user=cast["org_user"], reason=AccessReason.OWN).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    notice = services.hub_notice_send(
        actor=cast["hub"], hub=world["hub"], title="培训", body="周五"
    )
    assert not Notification.objects.filter(recipient=cast["org_user"], kind="hubs.notice").exists()
    receipt = notice.receipts.get()
    with pytest.raises(PermissionDenied):
        services.hub_notice_mark_read(actor=cast["org_user"], receipt=receipt)
    receipt.refresh_from_db()
    assert receipt.read_at is None


def test_an_escalation_goes_only_to_a_bureau_account_of_its_region(cast, world):
    """A bureau account without a region passed the old check (every code starts with "")."""
    from npohub.accounts.models import Role
    from npohub.accounts.tests.factories import UserFactory

    add_member(cast["city"], world["hub"], world["assoc"])
    esc = services.escalation_raise(
        actor=cast["hub"],
        hub=world["hub"],
        organization=world["assoc"],
        title="失联",
        description="无法联系",
    )
    nowhere = UserFactory(username="bureau_nowhere", role=Role.DISTRICT_BUREAU)
    for assignee in (nowhere, cast["district_out"]):
        with pytest.raises(ValidationFailed):
            services.escalation_assign(actor=cast["district"], escalation=esc, assignee=assignee)
    esc.refresh_from_db()
    assert esc.assignee_id is None and esc.state == EscalationState.OPEN
    services.escalation_assign(actor=cast["district"], escalation=esc, assignee=cast["city"])
