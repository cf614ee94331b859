"""The transition service and joint review, walked through the way the bureau works."""

from __future__ import annotations

import datetime as dt

import pytest

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.notifications.models import Notification
from npohub.orgs.models import FieldChange, Kind, Organization, OrganizationAccess
from npohub.registration import services
from npohub.registration.models import (
    Announcement,
    Application,
    Certificate,
    ReviewTask,
)
from npohub.registration.tests.factories import app_history
from npohub.registration.workflows import S

from .factories import ESTABLISHMENT_DOCS, attach, establishment

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)


def accepted(cast, depts, today=D0):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(
        actor=cast["district"], app=app, transition="accept", today=today
    )
    app.refresh_from_db()
    return app


def task(app, depts, key):
    return ReviewTask.objects.get(application=app, department=depts[key], round=app.review_round)


def test_a_new_application_is_a_draft_with_a_number_and_an_audit_event(cast, depts):
    app = establishment(cast["resident"])
    assert app.state == S.DRAFT
    assert app.number.startswith("DJ")
    assert app.is_direct  # 城乡社区服务 is a direct-registration category
    assert app_history(app, to_state=S.DRAFT).count() == 1
    assert AuditEvent.objects.filter(kind="registration.application_created").count() == 1


def test_acceptance_is_refused_while_documents_are_missing_and_nothing_changes(cast, depts):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], "application_form")
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="accept")
    assert exc.value.code == "documents_missing"
    assert "章程" in exc.value.message
    app.refresh_from_db()
    assert app.state == S.SUBMITTED and app.accepted_on is None
    assert not ReviewTask.objects.exists()


def test_acceptance_starts_the_clock_and_opens_one_task_per_routed_department(cast, depts):
    app = accepted(cast, depts)
    assert app.state == S.IN_REVIEW
    assert app.accepted_on == D0 and app.deadline_days == 60
    assert app.due_on(D0) == D0 + dt.timedelta(days=60)
    assert set(
        ReviewTask.objects.filter(application=app).values_list("department__name", flat=True)
    ) == {
        "历下区行政审批服务局",
        "历下区社会组织党委",
        "济南市民政局社会组织管理处",
    }
    assert Notification.objects.filter(recipient=depts["users"]["party"]).exists()


def test_only_the_bureau_of_the_authority_may_accept(cast, depts):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    for who in ("district_out", "street", "qingdao", "resident", "org_user"):
        with pytest.raises(PermissionDenied):
            services.application_transition(actor=cast[who], app=app, transition="accept")
    app.refresh_from_db()
    assert app.state == S.SUBMITTED


def test_an_illegal_move_is_refused_with_the_state_named(cast, depts):
    app = establishment(cast["resident"])
    with pytest.raises(InvalidTransition) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="approve")
    assert "草稿" in exc.value.message
    with pytest.raises(InvalidTransition):
        services.application_transition(actor=cast["district"], app=app, transition="fly")


def test_a_person_cannot_make_the_systems_moves(cast, depts):
    app = accepted(cast, depts)
    with pytest.raises(PermissionDenied):
        services.application_transition(
            actor=cast["district"], app=app, transition="review_complete"
        )


def test_all_agree_moves_to_the_bureau_and_approval_registers_the_organisation(cast, depts):
    app = accepted(cast, depts)
    users = depts["users"]
    for key in ("approval", "party", "industry"):
        services.review_opinion_give(actor=users[key], task=task(app, depts, key), opinion="agree")
    app.refresh_from_db()
    assert app.state == S.REVIEWED
    services.application_transition(
        actor=cast["district"], app=app, transition="approve", today=D0 + dt.timedelta(days=20)
    )
    app.refresh_from_db()
    assert app.state == S.APPROVED
    org = app.organization
    assert org is not None and org.kind == Kind.ASSOCIATION
    assert org.uscc.startswith("51370102")
    assert org.name == "历下区社区养老服务协会"
    cert = Certificate.objects.get(organization=org)
    assert cert.is_current and cert.content["uscc"] == org.uscc
    assert Announcement.objects.filter(organization=org, kind="establishment").exists()
    # The founder's resident account becomes the organisation's account.
    founder = cast["resident"]
    founder.refresh_from_db()
    assert founder.role == "org_user"
    assert OrganizationAccess.objects.filter(user=founder, organization=org, reason="own").exists()


def test_any_disagreement_returns_the_application_with_every_reason(cast, depts):
    app = accepted(cast, depts)
    users = depts["users"]
    services.review_opinion_give(
        actor=users["approval"],
        task=task(app, depts, "approval"),
        opinion="disagree",
        reasons="住所证明与实际不符",
    )
    services.review_opinion_give(
        actor=users["party"],
        task=task(app, depts, "party"),
        opinion="more_material",
        reasons="缺少党员情况表",
    )
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW  # the bureau decides after all opinions
    services.review_opinion_give(
        actor=users["industry"], task=task(app, depts, "industry"), opinion="agree"
    )
    app.refresh_from_db()
    assert app.state == S.RETURNED
    last = app_history(app).last()
    assert "住所证明与实际不符" in last.note and "缺少党员情况表" in last.note
    assert not Organization.objects.filter(name=app.name).exists()


def test_supplement_pauses_the_clock_and_only_the_asking_department_reviews_again(cast, depts):
    app = accepted(cast, depts)
    users = depts["users"]
    services.review_opinion_give(
        actor=users["approval"], task=task(app, depts, "approval"), opinion="agree"
    )
    services.review_opinion_give(
        actor=users["industry"], task=task(app, depts, "industry"), opinion="agree"
    )
    services.review_opinion_give(
        actor=users["party"],
        task=task(app, depts, "party"),
        opinion="more_material",
        reasons="请补充党员名单",
        today=D0 + dt.timedelta(days=10),
    )
    app.refresh_from_db()
    assert app.state == S.SUPPLEMENT and app.paused_since == D0 + dt.timedelta(days=10)
    # 12 paused days do not count against the 60.
    later = D0 + dt.timedelta(days=22)
    assert app.days_left(later) == 60 - 10
    attach(app, cast["resident"], "member_list")
    services.application_transition(
        actor=cast["resident"], app=app, transition="supplement", today=later
    )
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW and app.paused_days == 12 and app.paused_since is None
    assert app.due_on(later) == D0 + dt.timedelta(days=72)
    assert list(
        ReviewTask.objects.filter(application=app, round=app.review_round).values_list(
            "department__name", flat=True
        )
    ) == ["历下区社会组织党委"]
    services.review_opinion_give(
        actor=users["party"], task=task(app, depts, "party"), opinion="agree"
    )
    app.refresh_from_db()
    assert app.state == S.REVIEWED


def test_a_reviewer_outside_the_department_cannot_give_an_opinion(cast, depts):
    app = accepted(cast, depts)
    t = task(app, depts, "party")
    with pytest.raises(PermissionDenied):
        services.review_opinion_give(actor=depts["users"]["approval"], task=t, opinion="agree")
    t.refresh_from_db()
    assert t.opinion == ""


def test_refusing_or_asking_for_material_needs_a_reason(cast, depts):
    app = accepted(cast, depts)
    with pytest.raises(ValidationFailed):
        services.review_opinion_give(
            actor=depts["users"]["party"], task=task(app, depts, "party"), opinion="disagree"
        )


def test_rejection_changes_nothing_in_the_registry(cast, depts):
    app = accepted(cast, depts)
    for key in ("approval", "party", "industry"):
        services.review_opinion_give(
            actor=depts["users"][key], task=task(app, depts, key), opinion="agree"
        )
    before = Organization.objects.count(), FieldChange.objects.count()
    with pytest.raises(ValidationFailed):
        services.application_transition(actor=cast["district"], app=app, transition="reject")
    services.application_transition(
        actor=cast["district"], app=app, transition="reject", note="同一区域已有同类组织"
    )
    app.refresh_from_db()
    assert app.state == S.REJECTED and app.decision_note == "同一区域已有同类组织"
    assert (Organization.objects.count(), FieldChange.objects.count()) == before


def test_dual_registration_cannot_be_accepted_without_the_supervisory_consent(cast, depts):
    app = establishment(cast["resident"], data={"category_code": "elderly_care"})
    assert not app.is_direct
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="accept")
    assert exc.value.code == "supervisory_consent_missing"
    services.application_transition(
        actor=cast["district"], app=app, transition="return_documents", note="请取得主管单位同意"
    )
    services.application_update(
        actor=cast["resident"],
        app=app,
        data=app.data,
        supervisory_department=depts["supervisory"],
        supervisory_consent_on=D0,
    )
    attach(app, cast["resident"], "supervisory_consent")
    services.application_transition(actor=cast["resident"], app=app, transition="resubmit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW
    # The supervisory unit reviews beside the routed departments.
    assert ReviewTask.objects.filter(application=app, department=depts["supervisory"]).exists()


def test_charities_have_a_30_day_limit(cast, depts):
    app = establishment(cast["resident"], data={"is_charity": True})
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept", today=D0)
    app.refresh_from_db()
    assert app.deadline_days == 30


def test_the_applicant_cannot_edit_once_submitted(cast, depts):
    app = establishment(cast["resident"])
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    with pytest.raises(InvalidTransition):
        services.application_update(actor=cast["resident"], app=app, data={"name": "x"})
    app.refresh_from_db()
    assert app.data["name"] == "历下区社区养老服务协会"


def test_the_deadline_reminder_runs_once_a_day(cast, depts):
    app = accepted(cast, depts)
    near = D0 + dt.timedelta(days=55)
    assert services.application_remind_deadlines(today=near) == 1
    assert services.application_remind_deadlines(today=near) == 0
    assert Notification.objects.filter(
        kind="registration.deadline", recipient=cast["district"]
    ).exists()
    Application.objects.filter(pk=app.pk).update(last_reminded_on=None)


def test_the_reminder_command_reports_and_rejects_a_bad_date(cast, depts):
    from io import StringIO

    from django.core.management import CommandError, call_command

    accepted(cast, depts)
    out = StringIO()
    call_command("remind_deadlines", "--date", "2026-04-28", stdout=out)
    assert "已提醒 1 件申请" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("remind_deadlines", "--date", "28/04/2026")
