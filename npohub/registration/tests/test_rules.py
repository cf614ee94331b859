"""Each registration rule (domain-rules §1, rules 7–20): the refusal, its message, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from npohub.core.errors import InvalidTransition, ValidationFailed
from npohub.orgs.models import Organization, Person
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.registration import services
from npohub.registration.models import Application, ReviewTask
from npohub.registration.workflows import S

from .factories import ESTABLISHMENT_DOCS, attach, establishment

pytestmark = pytest.mark.django_db


def submit_refused(app, actor) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=actor, app=app, transition="submit")
    app.refresh_from_db()
    assert app.state == S.DRAFT  # nothing moved
    assert app.submitted_at is None
    return exc.value


def approve(app, cast, today=None):
    """Accept and approve an application with no routed departments (review completes at once)."""
    attach(
        app,
        cast["resident"] if app.applicant == cast["resident"] else app.applicant,
        *ESTABLISHMENT_DOCS,
    )
    services.application_transition(actor=app.applicant, app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    app.refresh_from_db()
    assert app.state == S.REVIEWED
    return services.application_transition(
        actor=cast["district"], app=app, transition="approve", today=today
    )


# Rule 7: association members and activity funds ----------------------------------------------


def test_an_association_below_50_individual_members_is_refused(cast, regions):
    app = establishment(cast["resident"], data={"individual_members": 49})
    exc = submit_refused(app, cast["resident"])
    assert exc.details["individual_members"] == "个人会员不得少于 50 个（现为 49 个）"


def test_an_association_of_units_needs_30(cast, regions):
    app = establishment(cast["resident"], data={"individual_members": 0, "unit_members": 29})
    exc = submit_refused(app, cast["resident"])
    assert exc.details["unit_members"] == "单位会员不得少于 30 个（现为 29 个）"
    ok = establishment(
        cast["resident"],
        data={"individual_members": 0, "unit_members": 30, "name": "历下区物业服务协会"},
    )
    services.application_transition(actor=cast["resident"], app=ok, transition="submit")


def test_a_mixed_membership_needs_50_in_total(cast, regions):
    app = establishment(cast["resident"], data={"individual_members": 30, "unit_members": 19})
    exc = submit_refused(app, cast["resident"])
    assert "会员总数不得少于 50 个（现为 49 个）" in exc.details["individual_members"]


def test_local_activity_funds_below_30000_are_refused(cast, regions):
    app = establishment(cast["resident"], data={"registered_funds": "29999"})
    exc = submit_refused(app, cast["resident"])
    assert exc.details["registered_funds"] == "地方性社会团体的活动资金不得少于 30,000 元"


@override_settings(
    REGISTRATION_POLICY={
        "37": {"community_min_individual_members": 20, "community_min_funds": 5000}
    }
)
def test_community_level_thresholds_are_configurable_per_province(cast, regions):
    app = establishment(
        cast["resident"], data={"individual_members": 20, "registered_funds": "5000"}
    )
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    app.refresh_from_db()
    assert app.state == S.SUBMITTED


# Rule 8: foundations --------------------------------------------------------------------------


FOUNDATION = {
    "name": "山东省慈善助学基金会",
    "category_code": "charity",
    "management_level": "provincial",
    "foundation_type": "non_public",
    "registered_funds": "2000000",
    "funds_paid_in_cash": True,
    "individual_members": 0,
}


def test_only_a_provincial_authority_registers_a_foundation(cast, regions):
    app = establishment(
        cast["resident"],
        org_kind="foundation",
        data={**FOUNDATION, "name": "历下区助学基金会"},
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["authority_region"] == "基金会只能由民政部或省级民政部门登记"


def test_a_foundation_fund_below_the_minimum_for_its_type_is_refused(cast, regions):
    app = establishment(
        cast["resident"],
        org_kind="foundation",
        authority_code="37",
        data={**FOUNDATION, "foundation_type": "public", "registered_funds": "3999999"},
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["registered_funds"] == "该类基金会的原始基金不得低于 4,000,000 元"


def test_a_foundation_fund_must_be_paid_in_cash(cast, regions):
    app = establishment(
        cast["resident"],
        org_kind="foundation",
        authority_code="37",
        data={**FOUNDATION, "funds_paid_in_cash": False},
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["funds_paid_in_cash"] == "基金会原始基金必须为到账货币资金"


# Rule 12: legal representatives ---------------------------------------------------------------


def with_representative(org):
    person = Person.objects.create(name="李雷", id_number="110105198001010016")
    Organization.objects.filter(pk=org.pk).update(legal_representative=person)
    return person


def test_nobody_represents_two_associations(cast, regions, orgs):
    person = with_representative(orgs["assoc"])
    app = establishment(
        cast["resident"],
        data={
            "legal_representative_name": person.name,
            "legal_representative_id_number": person.id_number,
        },
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["legal_representative_id_number"] == (
        "该人员已担任社会团体“历下区养老服务协会”的法定代表人，不得同时担任两个社会团体的法定代表人"
    )


def test_a_foundations_representative_represents_nothing_else(cast, regions, orgs):
    person = with_representative(orgs["assoc"])
    app = establishment(
        cast["resident"],
        org_kind="foundation",
        authority_code="37",
        data={
            **FOUNDATION,
            "legal_representative_name": person.name,
            "legal_representative_id_number": person.id_number,
        },
    )
    exc = submit_refused(app, cast["resident"])
    assert (
        "基金会的法定代表人不得同时担任其他组织的法定代表人"
        in exc.details["legal_representative_id_number"]
    )


def test_the_rule_is_checked_again_at_approval(cast, regions):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    # Meanwhile the same person became the representative of another association.
    OrganizationFactory(
        name="历下区另一协会",
        community=regions["c_jfq1"],
        legal_representative=Person.objects.create(name="王建国", id_number="11010519491231002X"),
    )
    before = Organization.objects.count()
    with pytest.raises(ValidationFailed):
        services.application_transition(actor=cast["district"], app=app, transition="approve")
    app.refresh_from_db()
    assert app.state == S.REVIEWED and Organization.objects.count() == before


# Rule 13: branches ----------------------------------------------------------------------------


def test_a_social_service_institution_has_no_branches(cast, regions):
    parent = OrganizationFactory(
        kind="social_service",
        uscc="52370102MJD0000110",
        name="历下区颐养服务中心",
        community=regions["c_jfq1"],
    )
    app = establishment(
        cast["resident"], data={"parent_id": parent.pk, "name": "历下区颐养服务中心分中心"}
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["parent_id"] == "社会服务机构（民办非企业单位）不得设立分支机构"


def test_a_branch_has_no_sub_branches(cast, regions, orgs):
    branch = OrganizationFactory(
        name="历下区养老服务协会助餐分会", parent=orgs["assoc"], community=regions["c_jfq1"]
    )
    app = establishment(
        cast["resident"], data={"parent_id": branch.pk, "name": "历下区养老服务协会助餐分会一组"}
    )
    exc = submit_refused(app, cast["resident"])
    assert exc.details["parent_id"] == "分支机构不得再设立分支机构"


# Rule 19: names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("历下区第一养老服务协会", "名称中不得使用“第一”等误导性用语"),
        ("历下区国家级养老服务协会", "名称中不得使用“国家级”等误导性用语"),
        ("中华养老服务协会", "地方性社会组织名称不得冠以“中华”"),
        ("历下区养老服务", "名称应以组织形式结尾（如协会、研究会、促进会、服务中心、基金会）"),
        ("阳光养老服务协会", "名称应以登记管理机关所在行政区划名称开头（如“历下区”）"),
    ],
)
def test_names_follow_the_composition_rules(cast, regions, name, message):
    app = establishment(cast["resident"], data={"name": name})
    exc = submit_refused(app, cast["resident"])
    assert exc.details["name"] == message


def test_a_name_already_in_the_registry_is_refused(cast, regions, orgs):
    app = establishment(cast["resident"], data={"name": "历下区养老服务协会"})
    exc = submit_refused(app, cast["resident"])
    assert exc.details["name"] == "名称“历下区养老服务协会”已被其他组织使用"


def test_a_short_division_name_counts_as_the_division(cast, regions):
    app = establishment(cast["resident"], data={"name": "历下养老服务协会"})
    services.application_transition(actor=cast["resident"], app=app, transition="submit")


# Rule 16: audit before re-election / change of representative --------------------------------


def test_reelection_cannot_be_approved_without_an_audit_report(cast, regions, orgs):
    app = services.application_create(
        actor=cast["org_user"],
        kind="reelection",
        organization=orgs["assoc"],
        data={"officers": [{"position": "chair", "name": "李四"}], "term_years": 5},
        supervisory_consent_on=timezone.localdate(),
    )
    attach(app, cast["org_user"], "meeting_minutes", "identity", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="approve")
    assert exc.value.code == "audit_report_missing"
    assert "财务审计报告" in exc.value.message
    app.refresh_from_db()
    assert app.state == S.REVIEWED
    assert not orgs["assoc"].officers.exists()
    attach(app, cast["district"], "audit_report")
    services.application_transition(actor=cast["district"], app=app, transition="approve")
    assert orgs["assoc"].officers.filter(person__name="李四", end_date__isnull=True).exists()


def test_reelection_naming_a_barred_person_is_refused_and_keeps_the_officers(cast, regions, orgs):
    from npohub.credit.services import barred_person_add

    today = timezone.localdate()
    barred_person_add(
        actor=cast["city"],
        id_number="11010519491231002X",
        name="王某",
        reason="被撤销登记组织的负责人",
        legal_basis="《社会团体登记管理条例》",
        barred_from=today - dt.timedelta(days=1),
        barred_until=today + dt.timedelta(days=365),
    )
    app = services.application_create(
        actor=cast["org_user"],
        kind="reelection",
        organization=orgs["assoc"],
        data={
            "officers": [
                {"position": "chair", "name": "李四"},
                {"position": "director", "name": "王某", "id_number": "11010519491231002X"},
            ],
            "term_years": 5,
        },
        supervisory_consent_on=today,
    )
    attach(app, cast["org_user"], "meeting_minutes", "identity", "supervisory_consent")
    attach(app, cast["org_user"], "audit_report")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="approve")
    assert exc.value.details["officers"].startswith("该人员被限制担任社会组织负责人")
    app.refresh_from_db()
    assert app.state == S.REVIEWED
    assert not orgs["assoc"].officers.exists()
    assert not Person.objects.filter(name="李四").exists()


def test_changing_the_representative_needs_the_audit_report_too(cast, regions, orgs):
    app = services.application_create(
        actor=cast["org_user"],
        kind="change",
        organization=orgs["assoc"],
        data={"changes": {"legal_representative_name": "赵六"}},
        supervisory_consent_on=timezone.localdate(),
    )
    attach(app, cast["org_user"], "application_form", "meeting_minutes", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    with pytest.raises(ValidationFailed) as exc:
        services.application_transition(actor=cast["district"], app=app, transition="approve")
    assert exc.value.code == "audit_report_missing"
    orgs["assoc"].refresh_from_db()
    assert orgs["assoc"].legal_representative.name != "赵六"


def test_a_change_filed_late_after_consent_is_flagged_not_refused(cast, regions, orgs):
    app = services.application_create(
        actor=cast["org_user"],
        kind="change",
        organization=orgs["assoc"],
        data={"changes": {"address": "济南市历下区泉城路 9 号"}},
        supervisory_consent_on=timezone.localdate() - dt.timedelta(days=45),
    )
    attach(app, cast["org_user"], "application_form", "meeting_minutes", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    app.refresh_from_db()
    assert app.flags == ["变更申请在业务主管单位同意后 45 日才提出，超过 30 日时限"]


# Rule 15 and registry effects -----------------------------------------------------------------


def test_an_approved_change_updates_the_registry_history_and_announces(cast, regions, orgs):
    org = orgs["assoc"]
    app = services.application_create(
        actor=cast["org_user"],
        kind="change",
        organization=org,
        data={"changes": {"name": "历下区养老助残服务协会"}},
        supervisory_consent_on=timezone.localdate(),
    )
    attach(app, cast["org_user"], "application_form", "meeting_minutes", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    services.application_transition(actor=cast["district"], app=app, transition="approve")
    org.refresh_from_db()
    assert org.name == "历下区养老助残服务协会"
    assert org.former_names[-1]["name"] == "历下区养老服务协会"
    assert org.field_changes.filter(field="name").exists()
    assert org.announcements.filter(kind="change").exists()
    assert org.certificates.filter(voided_on__isnull=True).count() == 1


def test_deregistration_closes_the_organisation_and_voids_its_certificate(cast, regions, orgs):
    org = orgs["assoc"]
    services.certificate_issue(org=org, app=None, today=timezone.localdate())
    app = services.application_create(
        actor=cast["org_user"],
        kind="deregistration",
        organization=org,
        data={"reason": "完成宗旨，自行解散", "liquidation_completed_on": "2026-10-01"},
        supervisory_consent_on=timezone.localdate(),
    )
    attach(app, cast["org_user"], "application_form", "liquidation_report", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    services.application_transition(actor=cast["district"], app=app, transition="approve")
    org.refresh_from_db()
    assert org.status == "deregistered"
    assert not org.certificates.filter(voided_on__isnull=True).exists()
    assert org.announcements.filter(kind="deregistration").exists()


def test_revocation_is_started_by_the_bureau_only(cast, regions, orgs):
    from npohub.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=cast["org_user"], kind="revocation", organization=orgs["assoc"], data={}
        )
    app = services.application_create(
        actor=cast["district"],
        kind="revocation",
        organization=orgs["assoc"],
        data={"reason": "取得登记证书后一年未开展活动"},
    )
    services.application_transition(actor=cast["district"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    services.application_transition(actor=cast["district"], app=app, transition="approve")
    orgs["assoc"].refresh_from_db()
    assert orgs["assoc"].status == "revoked"


# Filing and the 备案 → 登记 upgrade -------------------------------------------------------------


def filing(cast, **data):
    return services.application_create(
        actor=cast["resident"],
        kind="filing",
        data={
            "name": "解放桥社区太极拳队",
            "community_code": "370102001002",
            "legal_representative_name": "孙七",
            "members": 18,
            "purpose": "强身健体",
            **data,
        },
    )


def test_a_filing_goes_through_community_then_street_and_creates_the_group(cast, regions):
    app = filing(cast)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    with pytest.raises(InvalidTransition):
        services.application_transition(actor=cast["street"], app=app, transition="file")
    services.application_transition(actor=cast["community"], app=app, transition="community_check")
    services.application_transition(actor=cast["street"], app=app, transition="file")
    app.refresh_from_db()
    assert app.state == S.FILED
    group = app.organization
    assert group.kind == "community_group" and group.community.code == "370102001002"
    assert group.uscc is None


def test_another_streets_officer_cannot_decide_a_filing(cast, regions):
    from npohub.core.errors import PermissionDenied

    app = filing(cast)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(actor=cast["community"], app=app, transition="community_check")
    with pytest.raises(PermissionDenied):
        services.application_transition(actor=cast["street_out"], app=app, transition="file")
    app.refresh_from_db()
    assert app.state == S.COMMUNITY_CHECKED and app.organization is None


def test_a_filing_without_members_is_refused(cast, regions):
    app = filing(cast, members=0)
    exc = submit_refused(app, cast["resident"])
    assert exc.details["members"] == "请填写成员人数"


def test_upgrading_a_filed_group_keeps_the_same_record_and_history(cast, regions, orgs):
    group = orgs["group"]
    from npohub.orgs.models import OrganizationAccess

    OrganizationAccess.objects.create(user=cast["resident"], organization=group, reason="own")
    app = services.application_create(
        actor=cast["resident"],
        kind="establishment",
        org_kind="association",
        organization=group,
        authority_code="370102",
        data={
            "name": "历下区解放桥舞蹈协会",
            "category_code": "community_service",
            "management_level": "county",
            "community_code": "370102001002",
            "address": "解放桥社区活动中心",
            "legal_representative_name": "周八",
            "registered_funds": "30000",
            "purpose": "群众舞蹈",
            "business_scope": "舞蹈培训、演出",
            "activity_area": "历下区",
            "individual_members": 55,
        },
    )
    approve(app, cast)
    group.refresh_from_db()
    assert group.kind == "association" and group.uscc
    assert group.former_names[-1]["name"] == "解放桥社区舞蹈队"
    assert group.field_changes.filter(field="kind").exists() or group.field_changes.exists()
    assert Application.objects.get(pk=app.pk).organization_id == group.pk
    assert not ReviewTask.objects.filter(application=app).exists()


def test_registered_funds_the_registry_cannot_hold_are_refused_naming_the_field(cast):
    from npohub.registration.rules import check_amounts
    from npohub.registration.tests.factories import establishment

    app = establishment(cast["resident"])
    for bad in ("1e30", "abc", "-5", "12.345"):
        app.data["registered_funds"] = bad
        assert "registered_funds" in check_amounts(app), bad
    app.data["registered_funds"] = "50000"
    assert check_amounts(app) == {}
