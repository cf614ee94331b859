"""The registration pages, driven with the Django test client the way people use them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from npohub.core.models import WorkflowEvent
from npohub.orgs.models import Kind, Organization
from npohub.registration import services
from npohub.registration.models import Application, Attachment, ReviewTask
from npohub.registration.workflows import S

from .factories import ASSOCIATION_DATA, ESTABLISHMENT_DOCS, PDF, attach, establishment

pytestmark = pytest.mark.django_db

NEW = "/registration/applications/new/"


def detail(app) -> str:
    return f"/registration/applications/{app.pk}/"


def pdf(name: str = "doc.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def submitted(cast) -> Application:
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    app.refresh_from_db()
    return app


def in_review(cast) -> Application:
    app = submitted(cast)
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    app.refresh_from_db()
    return app


def task_of(app, depts, key) -> ReviewTask:
    return ReviewTask.objects.get(application=app, department=depts[key], round=app.review_round)


def form_data(**overrides) -> dict[str, str]:
    data = {k: str(v) for k, v in ASSOCIATION_DATA.items()}
    data.update(org_kind="association", authority_code="370102000000")
    data.update(overrides)
    return data


# --- every page: allowed in scope, 404 outside ------------------------------------------------


def test_the_pages_render_for_allowed_users_and_hide_objects_out_of_scope(client, cast, depts):
    app = in_review(cast)
    draft = establishment(cast["resident"], data={"name": "历下区书画艺术研究会"})
    attachment = app.attachments.first()
    task = task_of(app, depts, "party")
    pages = [
        ("district", "/registration/", "district_out", None),
        ("district", "/registration/applications/", None, None),
        ("district", detail(app), "district_out", 404),
        ("resident", detail(app), "org_user", 404),
        ("resident", f"{detail(draft)}edit/", "district", 404),
        ("resident", f"/registration/attachments/{attachment.pk}/", "qingdao", 404),
        ("district", "/registration/deadlines/", "resident", 404),
        (depts["users"]["party"], f"/registration/reviews/{task.pk}/", "reviewer", 404),
        (depts["users"]["party"], "/registration/reviews/", None, None),
        ("resident", NEW, "inspector", 404),
    ]
    for allowed, url, denied, status in pages:
        client.force_login(cast[allowed] if isinstance(allowed, str) else allowed)
        response = client.get(url)
        assert response.status_code == 200, url
        if denied is not None:
            client.force_login(cast[denied])
            got = client.get(url)
            assert got.status_code == (status or 200), (url, denied, got.status_code)


def test_the_overview_is_for_the_bureau_and_counts_kinds_by_state(client, cast, depts):
    in_review(cast)
    submitted_app = establishment(cast["resident"], data={"name": "历下区书画艺术研究会"})
    attach(submitted_app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=submitted_app, transition="submit")
    client.force_login(cast["district"])
    body = client.get("/registration/").content.decode()
    assert "成立登记" in body
    assert "?kind=establishment&amp;state=in_review" in body
    assert "?kind=establishment&amp;state=submitted" in body
    client.force_login(cast["resident"])
    assert client.get("/registration/").status_code == 404


def test_the_list_shows_days_left_and_the_new_application_button(client, cast, depts):
    app = in_review(cast)
    client.force_login(cast["district"])
    body = client.get("/registration/applications/").content.decode()
    assert app.number in body and "60 天" in body
    assert "新的申请" in body
    client.force_login(cast["inspector"])
    assert client.get("/registration/applications/").status_code == 404


def test_the_list_marks_an_overdue_application_red_and_a_paused_one(client, cast, depts):
    app = in_review(cast)
    Application.objects.filter(pk=app.pk).update(
        accepted_on=timezone.localdate() - dt.timedelta(days=65)
    )
    client.force_login(cast["district"])
    body = client.get("/registration/applications/").content.decode()
    assert "超期 5 天" in body and "days-left overdue" in body
    Application.objects.filter(pk=app.pk).update(
        state=S.SUPPLEMENT, paused_since=timezone.localdate()
    )
    body = client.get("/registration/applications/").content.decode()
    assert "暂停" in body


def test_list_filters_narrow_by_kind_state_and_search(client, cast, depts):
    app = in_review(cast)
    client.force_login(cast["district"])
    found = client.get("/registration/applications/", {"q": app.number}).context["page_obj"]
    assert [a.pk for a in found] == [app.pk]
    assert not client.get("/registration/applications/", {"state": "approved"}).context["page_obj"]
    assert not client.get("/registration/applications/", {"kind": "filing"}).context["page_obj"]
    partial = client.get(
        "/registration/applications/", {"open": "on"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and app.number in partial.content.decode()


# --- starting an application -----------------------------------------------------------------


def test_the_kind_choice_offers_only_what_the_user_may_start(client, cast, orgs):
    client.force_login(cast["resident"])
    kinds = [k for k, _label, _help in client.get(NEW).context["kinds"]]
    assert "establishment" in kinds and "filing" in kinds
    assert "change" not in kinds and "revocation" not in kinds
    client.force_login(cast["org_user"])
    kinds = [k for k, _label, _help in client.get(NEW).context["kinds"]]
    assert "change" in kinds and "deregistration" in kinds and "revocation" not in kinds
    client.force_login(cast["district"])
    assert "revocation" in [k for k, _l, _h in client.get(NEW).context["kinds"]]


def test_an_organisation_user_picks_one_of_its_organisations_for_a_change(client, cast, orgs):
    client.force_login(cast["org_user"])
    response = client.get(NEW, {"kind": "change"})
    assert [o.name for o in response.context["orgs"]] == ["历下区养老服务协会"]
    form = client.get(NEW, {"kind": "change", "organization": orgs["assoc"].pk})
    assert "new_name" in form.context["form"].fields
    # Someone else's organisation is not offered and cannot be forced in by its id.
    other = client.get(NEW, {"kind": "change", "organization": orgs["other"].pk})
    assert other.templates[0].name == "registration/application_org_choice.html"


def test_the_form_part_redraws_for_a_foundation_and_a_non_direct_category(client, cast):
    client.force_login(cast["resident"])
    params = {"kind": "establishment", "part": "form", "org_kind": "foundation", "name": "留着"}
    response = client.get(NEW, params, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    fields = response.context["form"].fields
    assert "foundation_type" in fields and "funds_paid_in_cash" in fields
    assert "individual_members" not in fields
    assert 'value="留着"' in body
    assert "supervisory_department" in fields  # no category: not a direct registration
    params.update(org_kind="association", category_code="elderly_care")
    fields = client.get(NEW, params, headers={"HX-Request": "true"}).context["form"].fields
    assert "supervisory_department" in fields and "individual_members" in fields
    params.update(category_code="community_service")
    fields = client.get(NEW, params, headers={"HX-Request": "true"}).context["form"].fields
    assert "supervisory_department" not in fields


def test_the_create_form_shows_field_errors_for_bad_input_and_stores_nothing(client, cast):
    client.force_login(cast["resident"])
    bad_count = client.post(f"{NEW}?kind=establishment", form_data(individual_members="很多"))
    assert bad_count.status_code == 200
    assert bad_count.context["form"].errors["individual_members"]
    no_place = client.post(
        f"{NEW}?kind=establishment", form_data(authority_code="", community_code="")
    )
    errors = no_place.context["form"].errors
    assert "请选择登记管理机关所在区划" in errors["authority_code"][0]
    assert "请选择登记管理机关所在区划" in no_place.content.decode()
    unknown_parent = client.post(f"{NEW}?kind=establishment", form_data(parent_uscc="51370102X"))
    assert unknown_parent.context["form"].errors["parent_uscc"]
    assert not Application.objects.exists()


def test_saving_the_create_form_makes_a_draft_and_opens_it(client, cast):
    client.force_login(cast["resident"])
    response = client.post(f"{NEW}?kind=establishment", form_data())
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(app)
    assert app.state == S.DRAFT and app.applicant == cast["resident"]
    assert app.data["individual_members"] == 60 and app.data["name"] == ASSOCIATION_DATA["name"]
    assert app.authority_region.code == "370102000000"
    assert app.address_code == "370102001002"


def test_the_authority_follows_the_address_when_not_chosen(client, cast):
    client.force_login(cast["resident"])
    client.post(f"{NEW}?kind=establishment", form_data(authority_code=""))
    assert Application.objects.get().authority_region.code == "370102000000"


def test_a_filing_is_started_with_the_community_picker(client, cast):
    client.force_login(cast["resident"])
    page = client.get(NEW, {"kind": "filing"}).content.decode()
    assert 'id="region-picker-community_code"' in page
    response = client.post(
        f"{NEW}?kind=filing",
        {"name": "解放桥社区合唱团", "community_code": "370102001002", "members": "12",
         "legal_representative_name": "李梅"},
    )  # fmt: skip
    app = Application.objects.get()
    assert response.status_code == 302
    assert app.kind == "filing" and app.address_code == "370102001002"


def test_reelection_officers_table_grows_by_a_row_and_saves_the_rows(client, cast, orgs):
    client.force_login(cast["org_user"])
    url = f"{NEW}?kind=reelection&organization={orgs['assoc'].pk}"
    page = client.get(url)
    rows = page.context["officers"].total_form_count()
    base = {
        "term_years": "5",
        "officers-TOTAL_FORMS": str(rows),
        "officers-INITIAL_FORMS": "0",
        "officers-0-position": "chair",
        "officers-0-name": "赵会长",
    }
    grown = client.post(url, {**base, "add_officer": "1"})
    assert grown.context["officers"].total_form_count() == rows + 1
    assert not Application.objects.exists()
    client.post(url, base)
    app = Application.objects.get()
    assert app.data["officers"] == [
        {"position": "chair", "name": "赵会长", "id_number": "", "phone": ""}
    ]
    assert app.organization == orgs["assoc"]


def test_the_applicant_edits_a_draft_but_not_once_submitted(client, cast, depts):
    app = establishment(cast["resident"])
    client.force_login(cast["resident"])
    page = client.get(f"{detail(app)}edit/")
    assert page.context["form"]["name"].value() == ASSOCIATION_DATA["name"]
    data = form_data(name="历下区社区养老互助协会")
    data.pop("org_kind"), data.pop("authority_code")
    response = client.post(f"{detail(app)}edit/", data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.name == "历下区社区养老互助协会"
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    assert client.get(f"{detail(app)}edit/").status_code == 404
    assert "修改申请内容" not in client.get(detail(app)).content.decode()


# --- the detail page, moves and documents ---------------------------------------------------


def test_the_detail_shows_readable_content_clock_and_the_moves_the_user_holds(client, cast, depts):
    app = submitted(cast)
    client.force_login(cast["district"])
    body = client.get(detail(app)).content.decode()
    assert "个人会员数" in body and "individual_members" not in body
    assert "县（区）级" in body and "城乡社区服务" in body
    assert "受理（材料齐全）</button>" in body and "退回补齐材料</button>" in body
    assert 'name="note"' in body  # returning needs a reason
    client.force_login(cast["resident"])
    body = client.get(detail(app)).content.decode()
    assert "撤回申请</button>" in body and "受理（材料齐全）</button>" not in body
    assert "11010519491231002X" in body  # the applicant sees its own data unmasked


def test_a_transition_posted_by_the_wrong_user_changes_nothing(client, cast, depts):
    app = submitted(cast)
    history = WorkflowEvent.objects.count()
    client.force_login(cast["resident"])
    response = client.post(f"{detail(app)}transition/", {"transition": "accept"}, follow=True)
    assert "只有辖区登记管理机关可以执行此操作" in response.content.decode()
    client.force_login(cast["district_out"])
    assert client.post(f"{detail(app)}transition/", {"transition": "accept"}).status_code == 404
    client.force_login(cast["district"])
    refused = client.post(
        f"{detail(app)}transition/", {"transition": "return_documents"}, follow=True
    )
    assert "请填写理由" in refused.content.decode()
    app.refresh_from_db()
    assert app.state == S.SUBMITTED and app.accepted_on is None
    assert WorkflowEvent.objects.count() == history and not ReviewTask.objects.exists()


def test_returning_with_a_reason_shows_it_to_the_applicant(client, cast, depts):
    app = submitted(cast)
    client.force_login(cast["district"])
    client.post(f"{detail(app)}transition/", {"transition": "return_documents", "note": "章程缺页"})
    app.refresh_from_db()
    assert app.state == S.RETURNED
    client.force_login(cast["resident"])
    body = client.get(detail(app)).content.decode()
    assert "退回原因：章程缺页" in body and "重新提交" in body


def test_the_upload_rejects_a_fake_pdf_with_a_message(client, cast, depts):
    app = establishment(cast["resident"])
    client.force_login(cast["resident"])
    fake = pdf("x.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    response = client.post(
        f"{detail(app)}attachments/", {"kind": "articles", "file": fake}, follow=True
    )
    assert "未能上传" in response.content.decode()
    assert "不支持的文件类型" in response.content.decode()
    assert not Attachment.objects.exists()
    htmx = client.post(
        f"{detail(app)}attachments/",
        {"kind": "articles", "file": pdf("x.pdf", b"MZ" + b"\x00" * 64)},
        headers={"HX-Request": "true"},
    )
    assert 'id="attachments"' in htmx.content.decode()
    toasts = json.loads(htmx["HX-Trigger"])["messages"]
    assert any("不支持的文件类型" in m["text"] for m in toasts)
    assert not Attachment.objects.exists()


def test_uploading_and_deleting_ones_own_document_while_editable(client, cast, depts):
    app = establishment(cast["resident"])
    client.force_login(cast["resident"])
    response = client.post(
        f"{detail(app)}attachments/",
        {"kind": "articles", "file": pdf("章程.pdf")},
        headers={"HX-Request": "true"},
    )
    assert "章程.pdf" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.kind == "articles" and attachment.uploaded_by == cast["resident"]
    client.post(f"/registration/attachments/{attachment.pk}/delete/")
    assert not Attachment.objects.exists()


def test_the_download_is_an_attachment_that_is_never_sniffed(client, cast, depts):
    app = in_review(cast)
    attachment = app.attachments.first()
    client.force_login(cast["district"])
    response = client.get(f"/registration/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(depts["users"]["party"])  # a reviewer of the application may read it
    assert client.get(f"/registration/attachments/{attachment.pk}/").status_code == 200
    client.force_login(cast["street"])
    assert client.get(f"/registration/attachments/{attachment.pk}/").status_code == 404


# --- joint review ----------------------------------------------------------------------------


def test_the_reviewer_inbox_lists_pending_tasks_and_the_done_tab(client, cast, depts):
    app = in_review(cast)
    party = depts["users"]["party"]
    client.force_login(party)
    inbox = client.get("/registration/reviews/")
    assert [t.application_id for t in inbox.context["page_obj"]] == [app.pk]
    client.post(f"/registration/reviews/{task_of(app, depts, 'party').pk}/", {"opinion": "agree"})
    assert not client.get("/registration/reviews/").context["page_obj"]
    done = client.get("/registration/reviews/", {"tab": "done"})
    assert [t.opinion for t in done.context["page_obj"]] == ["agree"]
    assert not client.get("/registration/reviews/", {"kind": "filing"}).context["page_obj"]


def test_an_opinion_against_needs_reasons_and_is_stored_with_nothing_else(client, cast, depts):
    app = in_review(cast)
    task = task_of(app, depts, "party")
    client.force_login(depts["users"]["party"])
    response = client.post(f"/registration/reviews/{task.pk}/", {"opinion": "disagree"})
    assert response.status_code == 200
    assert "不同意或要求补正时须说明理由" in response.content.decode()
    task.refresh_from_db()
    assert task.is_pending


def test_a_reviewer_attaches_a_document_to_the_opinion(client, cast, depts):
    app = in_review(cast)
    task = task_of(app, depts, "party")
    client.force_login(depts["users"]["party"])
    response = client.post(
        f"/registration/reviews/{task.pk}/attachments/",
        {"kind": "opinion", "file": pdf("意见.pdf")},
        headers={"HX-Request": "true"},
    )
    assert "意见.pdf" in response.content.decode()
    assert Attachment.objects.get(review_task=task).kind == "opinion"
    client.force_login(depts["users"]["approval"])  # another department's task is not theirs
    assert (
        client.post(
            f"/registration/reviews/{task.pk}/attachments/", {"kind": "opinion", "file": pdf()}
        ).status_code
        == 404
    )


def test_the_deadline_board_puts_overdue_first_and_paused_last(client, cast, depts):
    late = in_review(cast)
    paused = establishment(cast["resident"], data={"name": "历下区书画艺术研究会"})
    attach(paused, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=paused, transition="submit")
    services.application_transition(actor=cast["district"], app=paused, transition="accept")
    today = timezone.localdate()
    Application.objects.filter(pk=late.pk).update(accepted_on=today - dt.timedelta(days=70))
    Application.objects.filter(pk=paused.pk).update(state=S.SUPPLEMENT, paused_since=today)
    client.force_login(cast["district"])
    response = client.get("/registration/deadlines/")
    assert [r.application.pk for r in response.context["rows"]] == [late.pk, paused.pk]
    body = response.content.decode()
    assert "超期 10 天" in body and "暂停" in body
    assert f'href="{detail(late)}"' in body


# --- query counts ------------------------------------------------------------------------------


def test_the_list_and_detail_need_a_bounded_number_of_queries(
    client, cast, depts, django_assert_max_num_queries
):
    app = in_review(cast)
    for i in range(12):
        establishment(cast["district"], data={"name": f"历下区第{i}养老服务协会"})
    client.force_login(cast["district"])
    with django_assert_max_num_queries(8):
        assert client.get("/registration/applications/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(detail(app)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/registration/").status_code == 200


# --- the whole establishment walk through the pages -----------------------------------------


def test_an_establishment_walks_through_the_pages_from_founder_to_registry(client, cast, depts):
    resident = cast["resident"]
    client.force_login(resident)
    response = client.post(f"{NEW}?kind=establishment", form_data())
    app = Application.objects.get()
    assert response["Location"] == detail(app)
    for kind in ESTABLISHMENT_DOCS:
        client.post(f"{detail(app)}attachments/", {"kind": kind, "file": pdf(f"{kind}.pdf")})
    assert app.attachments.count() == len(ESTABLISHMENT_DOCS)
    client.post(f"{detail(app)}transition/", {"transition": "submit"})
    app.refresh_from_db()
    assert app.state == S.SUBMITTED

    client.force_login(cast["district"])
    client.post(f"{detail(app)}transition/", {"transition": "accept"})
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW

    for key in ("approval", "party", "industry"):
        reviewer = depts["users"][key]
        client.force_login(reviewer)
        inbox = client.get("/registration/reviews/")
        (task,) = inbox.context["page_obj"]
        page = client.get(f"/registration/reviews/{task.pk}/")
        assert "提交意见" in page.content.decode()
        done = client.post(f"/registration/reviews/{task.pk}/", {"opinion": "agree"})
        assert done.status_code == 302
    app.refresh_from_db()
    assert app.state == S.REVIEWED

    client.force_login(cast["district"])
    assert "核准" in client.get(detail(app)).content.decode()
    client.post(f"{detail(app)}transition/", {"transition": "approve"})
    app.refresh_from_db()
    assert app.state == S.APPROVED

    org = Organization.objects.get(pk=app.organization_id)
    assert org.kind == Kind.ASSOCIATION and org.name == ASSOCIATION_DATA["name"]
    client.force_login(resident)
    body = client.get(detail(app)).content.decode()
    assert "已核准" in body
    assert f'href="/orgs/{org.pk}/"' in body
    assert client.get(f"/orgs/{org.pk}/").status_code == 200
