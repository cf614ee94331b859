"""Community pages: major-activity reports (重大活动报告) and street filing delegation (备案委托)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.core.errors import PermissionDenied
from npohub.core.models import AuditEvent
from npohub.orgs.models import Kind, Organization
from npohub.orgs.tests.factories import CommunityGroupFactory
from npohub.registration import services
from npohub.registration.models import ActivityReport, Application, FilingDelegation
from npohub.registration.tests.factories import app_history
from npohub.registration.workflows import S

pytestmark = pytest.mark.django_db

REPORTS = "/community/activity-reports/"
NEW_REPORT = "/community/activity-reports/new/"
DELEGATIONS = "/community/delegations/"


def today() -> dt.date:
    return timezone.localdate()


def report_form(org, **changes) -> dict[str, str]:
    data = {
        "organization": str(org.pk),
        "title": "重阳节敬老活动",
        "starts_on": (today() + dt.timedelta(days=14)).isoformat(),
        "location": "社区活动室",
        "participants": "120",
        "description": "为老人表演节目。",
    }
    data.update(changes)
    return data


def signed_in(client, user):
    client.force_login(user)
    return client


def titles(response) -> set[str]:
    return {r.title for r in response.context["page_obj"]}


# --- the list --------------------------------------------------------------------------------


def test_the_street_sees_the_reports_of_its_groups_and_another_street_does_not(
    client, cast, report
):
    assert titles(signed_in(client, cast["street"]).get(REPORTS)) == {"社区邻里节文艺汇演"}
    assert titles(signed_in(client, cast["street_out"]).get(REPORTS)) == set()


def test_a_group_sees_its_own_reports(client, cast, orgs, owner, report):
    other = CommunityGroupFactory(name="解放桥社区合唱队", community=orgs["group"].community)
    services.activity_report_create(
        actor=cast["community"],
        org=other,
        title="合唱比赛",
        starts_on=today(),
        location="礼堂",
        participants=80,
        description="比赛",
    )

    assert titles(signed_in(client, owner).get(REPORTS)) == {"社区邻里节文艺汇演"}


def test_the_list_filters_by_state(client, cast, report):
    client = signed_in(client, cast["street"])

    assert titles(client.get(REPORTS, {"state": "acknowledged"})) == set()
    assert titles(client.get(REPORTS, {"state": "submitted"})) == {"社区邻里节文艺汇演"}


def test_an_htmx_request_gets_only_the_table(client, cast, report):
    response = signed_in(client, cast["street"]).get(REPORTS, HTTP_HX_REQUEST="true")

    assert response.templates[0].name == "registration/partials/activity_report_table.html"


def test_roles_without_activity_reports_get_a_404(client, cast):
    for name in ("resident", "inspector", "reviewer"):
        assert signed_in(client, cast[name]).get(REPORTS).status_code == 404


def test_the_menu_shows_the_reports_to_the_roles_that_have_them(cast):
    from npohub.core.navigation import menu_for

    def has_item(user) -> bool:
        return any(item["name"] == "community:activity-report-list" for item in menu_for(user))

    assert has_item(cast["street"]) and has_item(cast["community"]) and has_item(cast["hub"])
    assert not has_item(cast["resident"])


# --- reporting -------------------------------------------------------------------------------


def test_the_form_offers_only_the_users_own_filed_groups(client, cast, orgs, owner):
    CommunityGroupFactory(name="千佛山社区太极队", community=orgs["other"].community)
    response = signed_in(client, owner).get(NEW_REPORT)

    choices = dict(response.context["form"].fields["organization"].choices)
    assert list(choices.values()) == ["解放桥社区舞蹈队"]


def test_the_community_reports_for_a_group_preselected_by_the_link(client, cast, orgs):
    client = signed_in(client, cast["community"])
    group = orgs["group"]

    page = client.get(NEW_REPORT, {"org": group.pk})
    assert page.context["form"].initial["organization"] == str(group.pk)

    response = client.post(NEW_REPORT, report_form(group))

    created = ActivityReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{REPORTS}{created.pk}/"
    assert (created.organization, created.state, created.reported_by) == (
        group,
        "submitted",
        cast["community"],
    )
    assert AuditEvent.objects.filter(kind="registration.activity_reported").count() == 1


def test_users_without_a_filed_group_cannot_open_the_form(client, cast, orgs):
    for name in ("org_user", "street", "district", "hub", "resident"):
        client = signed_in(client, cast[name])
        assert client.get(NEW_REPORT).status_code == 404
        assert client.post(NEW_REPORT, report_form(Organization.objects.first())).status_code == 404
    assert not ActivityReport.objects.exists()


def test_missing_fields_are_named_beside_each_field_and_nothing_is_stored(
    client, cast, owner, orgs
):
    response = signed_in(client, owner).post(
        NEW_REPORT,
        report_form(orgs["group"], title=" ", location="", description="", participants="0"),
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["title"] == ["请填写活动名称"]
    assert errors["location"] == ["请填写活动地点"]
    assert errors["description"] == ["请填写活动内容"]
    assert errors["participants"] == ["预计人数应大于 0"]
    assert not ActivityReport.objects.exists()
    assert not AuditEvent.objects.filter(kind="registration.activity_reported").exists()


def test_a_bad_date_and_a_missing_count_are_named_too(client, owner, orgs):
    response = signed_in(client, owner).post(
        NEW_REPORT, report_form(orgs["group"], starts_on="明天", participants="")
    )

    errors = response.context["form"].errors
    assert "日期格式" in errors["starts_on"][0]
    assert errors["participants"] == ["请填写预计人数"]
    assert not ActivityReport.objects.exists()


def test_a_group_cannot_report_for_another_group(client, cast, owner, orgs):
    stranger = CommunityGroupFactory(name="解放桥社区书画队", community=orgs["group"].community)

    response = signed_in(client, owner).post(NEW_REPORT, report_form(stranger))

    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not ActivityReport.objects.exists()


# --- the detail page and its thread ------------------------------------------------------------


def detail(report) -> str:
    return f"{REPORTS}{report.pk}/"


def test_the_street_acknowledges_a_report_and_the_group_is_told(client, cast, owner, report):
    client = signed_in(client, cast["street"])
    page = client.get(detail(report))
    assert [a for a, _label in page.context["actions"]] == ["acknowledge", "query"]

    response = client.post(detail(report), {"action": "acknowledge"})

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.state == "acknowledged"
    assert report.thread[-1]["action"] == "acknowledge"
    assert AuditEvent.objects.filter(kind="registration.activity_report_acknowledge").exists()


def test_a_query_needs_a_text_and_nothing_changes_without_it(client, cast, report):
    response = signed_in(client, cast["street"]).post(
        detail(report), {"action": "query", "text": "  "}
    )

    report.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["请填写说明"]
    assert (report.state, report.thread) == ("submitted", [])


def test_the_group_answers_a_query_and_the_thread_shows_both(client, cast, owner, report):
    signed_in(client, cast["street"]).post(
        detail(report), {"action": "query", "text": "请补充安全预案"}
    )
    client = signed_in(client, owner)
    page = client.get(detail(report))
    assert [a for a, _label in page.context["actions"]] == ["answer"]

    client.post(detail(report), {"action": "answer", "text": "已制定安全预案，设置两个出口"})

    report.refresh_from_db()
    page = client.get(detail(report))
    assert report.state == "answered"
    assert [entry["action"] for entry in page.context["thread"]] == ["query", "answer"]
    assert "请补充安全预案" in page.content.decode()
    assert "已制定安全预案" in page.content.decode()


def test_the_group_cannot_acknowledge_its_own_report(client, owner, report):
    client = signed_in(client, owner)
    assert client.get(detail(report)).context["actions"] == []

    response = client.post(detail(report), {"action": "acknowledge"})

    report.refresh_from_db()
    assert response.status_code == 200
    assert "只有所在街道或受委托的联合会" in str(response.context["form"].non_field_errors())
    assert (report.state, report.thread) == ("submitted", [])


def test_an_unknown_action_is_refused_on_top_of_the_form(client, cast, report):
    response = signed_in(client, cast["street"]).post(detail(report), {"action": "approve"})

    report.refresh_from_db()
    assert "未知的操作" in str(response.context["form"].non_field_errors())
    assert report.state == "submitted"


def test_a_report_outside_the_scope_is_a_404_and_a_post_changes_nothing(client, cast, report):
    for name in ("street_out", "district_out", "resident", "org_user", "hub"):
        client = signed_in(client, cast[name])
        assert client.get(detail(report)).status_code == 404
        assert client.post(detail(report), {"action": "acknowledge"}).status_code == 404
    report.refresh_from_db()
    assert report.state == "submitted"


# --- the federation under delegation -------------------------------------------------------------


def test_the_delegated_federation_sees_and_acknowledges_the_streets_reports(
    client, cast, delegation, report
):
    client = signed_in(client, cast["hub"])
    assert titles(client.get(REPORTS)) == {"社区邻里节文艺汇演"}

    client.post(detail(report), {"action": "acknowledge"})

    report.refresh_from_db()
    assert report.state == "acknowledged"


def test_an_acknowledgement_under_delegation_is_audited_on_behalf_of_the_street(
    cast, delegation, report
):
    services.activity_report_act(actor=cast["hub"], report=report, action="acknowledge")

    event = AuditEvent.objects.get(kind="registration.activity_report_acknowledge")
    assert "解放路街道" in event.on_behalf_of


def filing(cast) -> Application:
    app = services.application_create(
        actor=cast["resident"],
        kind="filing",
        data={
            "name": "解放桥社区合唱队",
            "community_code": "370102001002",
            "legal_representative_name": "李秀英",
            "members": 25,
            "purpose": "丰富居民文化生活",
        },
    )
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(actor=cast["community"], app=app, transition="community_check")
    app.refresh_from_db()
    return app


def test_the_federation_files_a_group_on_behalf_of_the_street_and_the_audit_says_so(
    cast, delegation
):
    app = filing(cast)

    services.application_transition(actor=cast["hub"], app=app, transition="file")

    app.refresh_from_db()
    event = AuditEvent.objects.get(kind="registration.file", target_id=str(app.pk))
    assert app.state == S.FILED
    assert event.actor == cast["hub"]
    assert "解放路街道" in event.on_behalf_of and "解放路街道社会组织联合会" in event.on_behalf_of
    assert event.on_behalf_of_ref == "370102001000"
    assert app_history(app).get(move="file").on_behalf_of
    assert Organization.objects.get(name="解放桥社区合唱队").kind == Kind.COMMUNITY_GROUP


def test_without_a_delegation_the_federation_cannot_file_and_nothing_changes(cast, federation):
    app = filing(cast)

    with pytest.raises(PermissionDenied):
        services.application_transition(actor=cast["hub"], app=app, transition="file")

    app.refresh_from_db()
    assert app.state == S.COMMUNITY_CHECKED
    assert not Organization.objects.filter(name="解放桥社区合唱队").exists()
    assert not AuditEvent.objects.filter(kind="registration.file").exists()


def test_an_ended_delegation_no_longer_lets_the_federation_file(cast, delegation):
    app = filing(cast)
    services.filing_delegation_end(
        actor=cast["street"], delegation=delegation, valid_until=today() - dt.timedelta(days=1)
    )

    with pytest.raises(PermissionDenied):
        services.application_transition(actor=cast["hub"], app=app, transition="file")
    app.refresh_from_db()
    assert app.state == S.COMMUNITY_CHECKED


# --- delegation pages ------------------------------------------------------------------------


def delegation_form(federation, **changes) -> dict[str, str]:
    data = {
        "street": "370102001000",
        "federation": str(federation.pk),
        "valid_from": today().isoformat(),
        "valid_until": "",
    }
    data.update(changes)
    return data


def test_the_street_delegates_filing_to_a_federation_in_the_street(client, cast, federation):
    client = signed_in(client, cast["street"])
    page = client.get(DELEGATIONS)
    form = page.context["form"]
    assert list(dict(form.fields["street"].choices)) == ["370102001000"]
    assert "解放路街道社会组织联合会" in dict(form.fields["federation"].choices).values()

    response = client.post(DELEGATIONS, delegation_form(federation))

    created = FilingDelegation.objects.get()
    assert response.status_code == 302
    assert (created.street.code, created.federation, created.created_by) == (
        "370102001000",
        federation,
        cast["street"],
    )
    assert AuditEvent.objects.filter(kind="registration.filing_delegated").count() == 1


def test_changing_the_street_reloads_the_federations_of_that_street(client, cast, orgs, federation):
    response = signed_in(client, cast["district"]).get(
        DELEGATIONS, {"street": "370102002000"}, HTTP_HX_REQUEST="true"
    )

    choices = dict(response.context["form"].fields["federation"].choices).values()
    assert "解放路街道社会组织联合会" not in choices
    assert "历下区书法协会" in choices


def test_an_end_before_the_start_is_named_beside_the_date_and_nothing_is_stored(
    client, cast, federation
):
    response = signed_in(client, cast["street"]).post(
        DELEGATIONS,
        delegation_form(federation, valid_until=(today() - dt.timedelta(days=3)).isoformat()),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["valid_until"] == ["失效日期不能早于生效日期"]
    assert not FilingDelegation.objects.exists()


def test_a_federation_outside_the_street_or_a_missing_date_is_refused(client, cast, orgs):
    response = signed_in(client, cast["street"]).post(
        DELEGATIONS, delegation_form(orgs["other"], valid_from="")
    )

    errors = response.context["form"].errors
    assert errors["federation"] == ["请选择住所在该街道内的组织"]
    assert errors["valid_from"] == ["请填写生效日期"]
    assert not FilingDelegation.objects.exists()


def test_the_hub_sees_its_delegations_but_cannot_add_one(client, cast, delegation, federation):
    client = signed_in(client, cast["hub"])
    page = client.get(DELEGATIONS)
    assert page.context["form"] is None
    assert [row["delegation"] for row in page.context["rows"]] == [delegation]

    response = client.post(DELEGATIONS, delegation_form(federation))

    assert response.status_code == 403
    assert FilingDelegation.objects.count() == 1


def test_roles_without_delegations_get_a_404(client, cast, federation):
    for name in ("community", "resident", "org_user", "reviewer"):
        client = signed_in(client, cast[name])
        assert client.get(DELEGATIONS).status_code == 404
        assert client.post(DELEGATIONS, delegation_form(federation)).status_code == 404
    assert not FilingDelegation.objects.exists()


def test_another_street_sees_none_of_them(client, cast, delegation):
    page = signed_in(client, cast["street_out"]).get(DELEGATIONS)

    assert page.context["rows"] == []


def end_url(delegation) -> str:
    return f"{DELEGATIONS}{delegation.pk}/end/"


def test_the_street_ends_a_delegation_and_it_is_audited(client, cast, delegation):
    last_day = today() - dt.timedelta(days=1)

    response = signed_in(client, cast["street"]).post(
        end_url(delegation), {"valid_until": last_day.isoformat()}
    )

    delegation.refresh_from_db()
    assert response.status_code == 302
    assert delegation.valid_until == last_day
    event = AuditEvent.objects.get(kind="registration.filing_delegation_ended")
    assert event.payload["valid_until"] == {"before": None, "after": last_day.isoformat()}


def test_the_hub_cannot_end_its_own_delegation(client, cast, delegation):
    response = signed_in(client, cast["hub"]).post(
        end_url(delegation), {"valid_until": today().isoformat()}
    )

    delegation.refresh_from_db()
    assert response.status_code == 403
    assert delegation.valid_until is None
    assert not AuditEvent.objects.filter(kind="registration.filing_delegation_ended").exists()


def test_another_street_cannot_end_it(client, cast, delegation):
    for name in ("street_out", "district_out", "community"):
        response = signed_in(client, cast[name]).post(
            end_url(delegation), {"valid_until": today().isoformat()}
        )
        assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.valid_until is None


def test_ending_too_early_or_twice_or_without_a_date_is_refused_with_a_message(
    client, cast, delegation
):
    client = signed_in(client, cast["street"])

    too_early = client.post(
        end_url(delegation),
        {"valid_until": (delegation.valid_from - dt.timedelta(days=5)).isoformat()},
        follow=True,
    )
    no_date = client.post(end_url(delegation), {"valid_until": ""}, follow=True)

    texts = [str(m) for m in too_early.context["messages"]] + [
        str(m) for m in no_date.context["messages"]
    ]
    assert any("截止日期不能早于生效日期的前一天" in t for t in texts)
    assert "请填写委托截止日期" in texts
    delegation.refresh_from_db()
    assert delegation.valid_until is None

    client.post(end_url(delegation), {"valid_until": (today() - dt.timedelta(days=1)).isoformat()})
    again = client.post(end_url(delegation), {"valid_until": today().isoformat()}, follow=True)
    assert any("该委托已于" in str(m) for m in again.context["messages"])


def test_a_delegation_can_be_shortened_but_not_extended(cast, delegation):
    services.filing_delegation_end(
        actor=cast["street"], delegation=delegation, valid_until=today() + dt.timedelta(days=30)
    )
    with pytest.raises(Exception, match="只能提前结束委托，不能延长"):
        services.filing_delegation_end(
            actor=cast["street"], delegation=delegation, valid_until=today() + dt.timedelta(days=60)
        )
    delegation.refresh_from_db()
    assert delegation.valid_until == today() + dt.timedelta(days=30)
