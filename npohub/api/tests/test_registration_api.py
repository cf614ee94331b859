"""/api/v1/registration/: the whole establishment through the API, and every way it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from npohub.accounts.services import api_token_create
from npohub.orgs.models import Organization
from npohub.registration.models import Application, Attachment, ReviewTask
from npohub.registration.tests.factories import (
    ASSOCIATION_DATA,
    ESTABLISHMENT_DOCS,
    PDF,
    app_history,
    attach,
    departments,
    establishment,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registration"


def bearer(user: Any) -> Client:
    _, raw = api_token_create(actor=user, user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def upload(client: Client, app_id: int, kind: str, name: str = "", content: bytes = PDF) -> Any:
    file = SimpleUploadedFile(name or f"{kind}.pdf", content, content_type="application/pdf")
    return client.post(f"{BASE}/applications/{app_id}/attachments", {"kind": kind, "file": file})


def move(client: Client, app_id: int, transition: str, note: str = "") -> Any:
    return send(
        client,
        "post",
        f"{BASE}/applications/{app_id}/transitions",
        {"transition": transition, "note": note},
    )


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def invalid(response: Any) -> dict[str, Any]:
    """The ``details`` of a 422 ``validation_failed`` answer."""
    return assert_envelope(response, 422, "validation_failed")["details"]


def new_draft() -> dict[str, Any]:
    return {
        "kind": "establishment",
        "org_kind": "association",
        "authority_code": "370102",
        "data": dict(ASSOCIATION_DATA),
    }


@pytest.fixture
def depts(regions, cast, django_user_model):
    reviewers = {
        "approval": django_user_model.objects.create_user(
            "approver", password="x", role="reviewer"
        ),
        "party": django_user_model.objects.create_user("partyrev", password="x", role="reviewer"),
        "industry": django_user_model.objects.create_user(
            "industryrev", password="x", role="reviewer"
        ),
    }
    d: dict[str, Any] = departments(regions, reviewers)
    d["users"] = reviewers
    return d


def submitted(cast: dict[str, Any]) -> Application:
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    from npohub.registration import services

    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    app.refresh_from_db()
    return app


def frozen(app: Application) -> tuple[Any, ...]:
    """What a refused request must leave untouched."""
    app.refresh_from_db()
    return (
        app.state,
        app.data,
        app.updated_at,
        app_history(app).count(),
        Attachment.objects.filter(application=app).count(),
        ReviewTask.objects.filter(application=app).count(),
    )


# --- the whole establishment, through the API only ----------------------------------------------


def test_a_resident_founds_an_association_through_three_departments_and_a_supplement_round(
    cast, depts
):
    resident = bearer(cast["resident"])
    bureau = bearer(cast["district"])
    reviewers = {key: bearer(user) for key, user in depts["users"].items()}

    # A draft, with the clock not started and the resident's moves listed.
    response = send(resident, "post", f"{BASE}/applications", new_draft())
    assert response.status_code == 201, response.content
    draft = response.json()
    app_id = draft["id"]
    assert draft["state"] == "draft" and draft["number"].startswith("DJ")
    assert draft["editable"] is True and draft["clock"]["accepted_on"] is None
    assert {t["name"] for t in draft["transitions"]} == {"submit", "withdraw"}
    assert [r["code"] for r in draft["required_attachments"]] == list(ESTABLISHMENT_DOCS)

    # Content edited while a draft; the documents attached.
    response = send(
        resident, "patch", f"{BASE}/applications/{app_id}", {"data": {"phone": "0531-88888888"}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["phone"] == "0531-88888888"
    assert response.json()["data"]["name"] == ASSOCIATION_DATA["name"]
    for kind in ESTABLISHMENT_DOCS:
        assert upload(resident, app_id, kind).status_code == 201

    assert move(resident, app_id, "submit").json()["state"] == "submitted"
    # The bureau sees it waiting, and may accept or return it.
    detail = bureau.get(f"{BASE}/applications/{app_id}").json()
    assert {t["name"] for t in detail["transitions"]} == {"accept", "return_documents"}
    accepted = move(bureau, app_id, "accept").json()
    assert accepted["state"] == "in_review"
    assert accepted["clock"]["deadline_days"] == 60 and accepted["clock"]["days_left"] == 60
    assert len(accepted["review_tasks"]) == 3
    assert accepted["transitions"] == []  # the system moves on when the opinions are in

    # It is on the deadline board and in each department's inbox.
    board = bureau.get(f"{BASE}/deadlines").json()
    assert [row["application"]["id"] for row in board["results"]] == [app_id]
    tasks = {}
    for key, client in reviewers.items():
        inbox = client.get(f"{BASE}/reviews").json()
        assert inbox["count"] == 1
        tasks[key] = inbox["results"][0]["id"]
        assert inbox["results"][0]["application"]["number"] == draft["number"]

    for key in ("approval", "industry"):
        response = send(
            reviewers[key], "post", f"{BASE}/reviews/{tasks[key]}/opinion", {"opinion": "agree"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["opinion"] == "agree"
        assert response.json()["can_give_opinion"] is False
    # The party committee asks for more material: the clock pauses.
    response = send(
        reviewers["party"],
        "post",
        f"{BASE}/reviews/{tasks['party']}/opinion",
        {"opinion": "more_material", "reasons": "请补充党员名单"},
    )
    assert response.status_code == 200, response.content
    mine = resident.get(f"{BASE}/applications/{app_id}").json()
    assert mine["state"] == "supplement" and mine["clock"]["paused"] is True
    assert mine["editable"] is True
    assert {t["name"] for t in mine["transitions"]} == {"supplement", "withdraw"}
    opinions = {t["department"]["name"]: (t["opinion"], t["reasons"]) for t in mine["review_tasks"]}
    assert opinions["历下区社会组织党委"] == ("more_material", "请补充党员名单")

    assert upload(resident, app_id, "member_list").status_code == 201
    assert move(resident, app_id, "supplement").json()["state"] == "in_review"
    again = reviewers["party"].get(f"{BASE}/reviews").json()["results"][0]
    assert again["round"] == 2
    send(reviewers["party"], "post", f"{BASE}/reviews/{again['id']}/opinion", {"opinion": "agree"})

    # All agree: the bureau decides.
    detail = bureau.get(f"{BASE}/applications/{app_id}").json()
    assert detail["state"] == "reviewed"
    assert {t["name"] for t in detail["transitions"]} == {"approve", "reject"}
    approved = move(bureau, app_id, "approve", "材料齐全，准予登记").json()
    assert approved["state"] == "approved" and approved["organization"] is not None
    org = Organization.objects.get(pk=approved["organization"]["id"])
    assert org.name == ASSOCIATION_DATA["name"]

    # The applicant sees the history, every opinion, and downloads a document.
    final = resident.get(f"{BASE}/applications/{app_id}").json()
    assert [h["transition"] for h in final["history"]] == [
        "create",
        "submit",
        "accept",
        "review_supplement",
        "supplement",
        "review_complete",
        "approve",
    ]
    assert len(final["review_tasks"]) == 4 and final["transitions"] == []
    document = final["attachments"][0]
    response = resident.get(document["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


def test_a_signed_in_browser_session_works_too(cast, depts):
    client = session(cast["resident"])
    response = send(client, "post", f"{BASE}/applications", new_draft())
    assert response.status_code == 201
    assert client.get(f"{BASE}/applications").json()["count"] == 1


def test_no_credentials_answer_401_in_the_envelope(cast):
    assert_envelope(Client().get(f"{BASE}/applications"), 401, "authentication_required")
    assert_envelope(Client().get(f"{BASE}/workflows"), 401, "authentication_required")


# --- who may do what: nothing changes on a refusal -----------------------------------------------


def test_an_application_outside_the_scope_is_a_404_like_a_missing_one(cast, depts):
    app = submitted(cast)
    before = frozen(app)
    for who in ("district_out", "org_user_out", "street", "qingdao"):
        client = bearer(cast[who])
        assert_envelope(client.get(f"{BASE}/applications/{app.pk}"), 404, "not_found")
        assert_envelope(move(client, app.pk, "accept"), 404, "not_found")
        assert_envelope(
            send(client, "patch", f"{BASE}/applications/{app.pk}", {"data": {"phone": "1"}}),
            404,
            "not_found",
        )
        assert_envelope(upload(client, app.pk, "other"), 404, "not_found")
        assert_envelope(client.get(f"{BASE}/applications/{app.pk}/attachments"), 404, "not_found")
    assert_envelope(bearer(cast["district"]).get(f"{BASE}/applications/999999"), 404, "not_found")
    assert frozen(app) == before


def test_someone_elses_draft_is_hidden_even_from_the_bureau(cast, depts):
    app = establishment(cast["resident"])
    assert_envelope(bearer(cast["district"]).get(f"{BASE}/applications/{app.pk}"), 404, "not_found")
    assert bearer(cast["district"]).get(f"{BASE}/applications").json()["count"] == 0


def test_the_applicant_cannot_accept_their_own_application(cast, depts):
    app = submitted(cast)
    before = frozen(app)
    body = assert_envelope(
        move(bearer(cast["resident"]), app.pk, "accept"), 403, "permission_denied"
    )
    assert "登记管理机关" in body["message"]
    assert frozen(app) == before


def test_the_bureau_cannot_edit_the_applicants_content(cast, depts):
    app = establishment(cast["resident"])
    before = frozen(app)
    response = send(
        session(cast["admin"]), "patch", f"{BASE}/applications/{app.pk}", {"data": {"phone": "1"}}
    )
    assert_envelope(response, 403, "permission_denied")
    assert frozen(app) == before


def test_content_cannot_change_once_submitted(cast, depts):
    app = submitted(cast)
    before = frozen(app)
    response = send(
        bearer(cast["resident"]), "patch", f"{BASE}/applications/{app.pk}", {"data": {"phone": "1"}}
    )
    assert_envelope(response, 409, "invalid_transition")
    assert_envelope(upload(bearer(cast["resident"]), app.pk, "other"), 409, "invalid_transition")
    assert frozen(app) == before


def test_a_reviewer_of_another_department_cannot_see_or_answer_the_task(cast, depts):
    app = submitted(cast)
    move(bearer(cast["district"]), app.pk, "accept")
    task = ReviewTask.objects.get(application=app, department=depts["party"])
    before = frozen(app)
    stranger = bearer(depts["users"]["approval"])
    for who in (stranger, bearer(cast["resident"]), bearer(cast["reviewer"])):
        assert_envelope(who.get(f"{BASE}/reviews/{task.pk}"), 404, "not_found")
        response = send(who, "post", f"{BASE}/reviews/{task.pk}/opinion", {"opinion": "agree"})
        assert_envelope(response, 404, "not_found")
    task.refresh_from_db()
    assert task.opinion == "" and frozen(app) == before


def test_a_second_opinion_from_the_same_department_is_refused(cast, depts):
    app = submitted(cast)
    move(bearer(cast["district"]), app.pk, "accept")
    task = ReviewTask.objects.get(application=app, department=depts["party"])
    client = bearer(depts["users"]["party"])
    url = f"{BASE}/reviews/{task.pk}/opinion"
    assert send(client, "post", url, {"opinion": "agree"}).status_code == 200
    before = frozen(app)
    body = assert_envelope(
        send(client, "post", url, {"opinion": "disagree", "reasons": "x"}), 403, "permission_denied"
    )
    assert "已提出意见" in body["message"]
    task.refresh_from_db()
    assert task.opinion == "agree" and frozen(app) == before


def test_documents_are_downloaded_only_by_those_who_see_the_application(cast, depts):
    app = submitted(cast)
    attachment = Attachment.objects.filter(application=app).first()
    url = f"{BASE}/attachments/{attachment.pk}/download"
    assert bearer(cast["district"]).get(url).status_code == 200
    for who in ("district_out", "org_user", "street", "reviewer"):
        assert_envelope(bearer(cast[who]).get(url), 404, "not_found")
    assert_envelope(
        bearer(cast["district"]).get(f"{BASE}/attachments/999999/download"), 404, "not_found"
    )


def test_only_the_uploader_removes_a_document_and_only_while_editable(cast, depts):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], "articles")
    attachment = Attachment.objects.get(application=app)
    before = frozen(app)
    assert_envelope(
        session(cast["admin"]).delete(f"{BASE}/attachments/{attachment.pk}"),
        403,
        "permission_denied",
    )
    assert_envelope(
        bearer(cast["district"]).delete(f"{BASE}/attachments/{attachment.pk}"), 404, "not_found"
    )
    assert frozen(app) == before
    response = bearer(cast["resident"]).delete(f"{BASE}/attachments/{attachment.pk}")
    assert response.status_code == 204
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_reviewer_attaches_a_document_to_the_opinion(cast, depts):
    app = submitted(cast)
    move(bearer(cast["district"]), app.pk, "accept")
    task = ReviewTask.objects.get(application=app, department=depts["party"])
    client = bearer(depts["users"]["party"])
    file = SimpleUploadedFile("意见.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"{BASE}/applications/{app.pk}/attachments",
        {"kind": "opinion", "review_task_id": task.pk, "file": file},
    )
    assert response.status_code == 201, response.content
    assert response.json()["review_task_id"] == task.pk
    detail = client.get(f"{BASE}/reviews/{task.pk}").json()
    assert [a["name"] for a in detail["attachments"]] == ["意见.pdf"]
    # Another department's task cannot carry it.
    other = ReviewTask.objects.get(application=app, department=depts["approval"])
    file = SimpleUploadedFile("意见.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"{BASE}/applications/{app.pk}/attachments",
        {"kind": "opinion", "review_task_id": other.pk, "file": file},
    )
    assert "review_task_id" in invalid(response)


def test_id_numbers_are_masked_for_a_street_that_only_sees_the_decided_application(cast, depts):
    app = establishment(cast["resident"])
    Application.objects.filter(pk=app.pk).update(state="rejected")
    mine = bearer(cast["resident"]).get(f"{BASE}/applications/{app.pk}").json()
    assert mine["data"]["legal_representative_id_number"] == "11010519491231002X"
    theirs = bearer(cast["street"]).get(f"{BASE}/applications/{app.pk}").json()
    assert theirs["personal_data_masked"] is True
    assert theirs["data"]["legal_representative_id_number"] == "110105********002X"
    assert theirs["data"]["legal_representative_phone"] == "138****0000"


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_kind_is_a_422_naming_the_field_and_stores_nothing(cast, depts):
    response = send(
        bearer(cast["resident"]), "post", f"{BASE}/applications", {**new_draft(), "kind": "fly"}
    )
    assert "kind" in invalid(response)
    assert not Application.objects.exists()


def test_an_unknown_data_field_is_a_422_naming_it(cast, depts):
    body = {**new_draft(), "data": {**ASSOCIATION_DATA, "favourite_colour": "red"}}
    response = send(bearer(cast["resident"]), "post", f"{BASE}/applications", body)
    details = invalid(response)
    assert "favourite_colour" in details
    assert not Application.objects.exists()


def test_an_unknown_body_field_and_a_wrong_type_are_422(cast, depts):
    client = bearer(cast["resident"])
    response = send(client, "post", f"{BASE}/applications", {**new_draft(), "colour": "red"})
    assert "colour" in invalid(response)
    response = send(
        client, "post", f"{BASE}/applications", {**new_draft(), "supervisory_consent_on": "soon"}
    )
    assert "supervisory_consent_on" in invalid(response)
    assert not Application.objects.exists()


def test_a_reference_outside_the_scope_in_the_body_is_a_422_naming_it(cast, depts, orgs):
    client = bearer(cast["resident"])
    body = {**new_draft(), "kind": "change", "organization_id": orgs["assoc"].pk}
    assert "organization_id" in invalid(send(client, "post", f"{BASE}/applications", body))
    body = {**new_draft(), "supervisory_department_id": 999999}
    assert "supervisory_department_id" in invalid(
        send(client, "post", f"{BASE}/applications", body)
    )
    assert not Application.objects.exists()


def test_a_bad_file_is_a_422_naming_the_file_and_stores_nothing(cast, depts):
    app = establishment(cast["resident"])
    client = bearer(cast["resident"])
    for name, content in (
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 16),
    ):
        details = invalid(upload(client, app.pk, "articles", name, content))
        assert "file" in details
    details = invalid(upload(client, app.pk, "selfie"))
    assert "kind" in details
    response = client.post(f"{BASE}/applications/{app.pk}/attachments", {"kind": "articles"})
    assert "file" in invalid(response)
    file = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{BASE}/applications/{app.pk}/attachments", {"file": file})
    assert "kind" in invalid(response)
    assert not Attachment.objects.exists()


def test_an_unknown_transition_is_a_409_invalid_transition(cast, depts):
    app = submitted(cast)
    before = frozen(app)
    body = assert_envelope(move(bearer(cast["district"]), app.pk, "fly"), 409, "invalid_transition")
    assert body["details"]["transition"] == "fly"
    body = assert_envelope(
        move(bearer(cast["district"]), app.pk, "approve"), 409, "invalid_transition"
    )
    assert "已提交待受理" in body["message"]
    assert frozen(app) == before


def test_a_refused_guard_is_a_422_with_its_own_code(cast, depts):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], "application_form")
    move(bearer(cast["resident"]), app.pk, "submit")
    before = frozen(app)
    body = assert_envelope(
        move(bearer(cast["district"]), app.pk, "accept"), 422, "documents_missing"
    )
    assert "articles" in body["details"]["attachments"]
    body = assert_envelope(
        move(bearer(cast["district"]), app.pk, "return_documents"), 422, "validation_failed"
    )
    assert "note" in body["details"]
    assert frozen(app) == before


def test_an_unknown_opinion_is_a_422(cast, depts):
    app = submitted(cast)
    move(bearer(cast["district"]), app.pk, "accept")
    task = ReviewTask.objects.get(application=app, department=depts["party"])
    client = bearer(depts["users"]["party"])
    response = send(client, "post", f"{BASE}/reviews/{task.pk}/opinion", {"opinion": "maybe"})
    assert "opinion" in invalid(response)
    response = send(client, "post", f"{BASE}/reviews/{task.pk}/opinion", {"opinion": "disagree"})
    assert "reasons" in invalid(response)
    task.refresh_from_db()
    assert task.opinion == ""


def test_list_filters_are_checked(cast, depts):
    client = bearer(cast["resident"])
    assert "kind" in invalid(client.get(f"{BASE}/applications", {"kind": "fly"}))
    assert "state" in invalid(client.get(f"{BASE}/applications", {"state": "flying"}))
    assert "authority_code" in invalid(client.get(f"{BASE}/departments", {"authority_code": "37x"}))


# --- lists ---------------------------------------------------------------------------------------


def test_the_list_pages_and_filters(cast, depts):
    for i in range(3):
        establishment(cast["resident"], data={"name": f"历下区第{i}社区养老服务协会"})
    submitted(cast)
    client = bearer(cast["resident"])
    first = client.get(f"{BASE}/applications", {"page_size": 2}).json()
    assert first["count"] == 4 and len(first["results"]) == 2
    assert "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert client.get(f"{BASE}/applications", {"state": "submitted"}).json()["count"] == 1
    assert client.get(f"{BASE}/applications", {"q": "第1"}).json()["count"] == 1
    assert client.get(f"{BASE}/applications", {"kind": "change"}).json()["count"] == 0


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_the_rows(cast, depts):
    district = session(cast["district"])
    reviewer = session(depts["users"]["party"])
    urls = {
        district: [f"{BASE}/applications", f"{BASE}/deadlines"],
        reviewer: [f"{BASE}/reviews"],
    }

    def accepted_one() -> None:
        app = submitted(cast)
        move(bearer(cast["district"]), app.pk, "accept")

    accepted_one()
    few = {url: _queries(c, url) for c, us in urls.items() for url in us}
    for _ in range(3):
        accepted_one()
    many = {url: _queries(c, url) for c, us in urls.items() for url in us}
    assert many == few


def test_the_workflows_and_departments_are_published_as_data(cast, depts):
    client = bearer(cast["resident"])
    workflows = {w["kind"]: w for w in client.get(f"{BASE}/workflows").json()}
    assert {"establishment", "filing", "revocation"} <= set(workflows)
    accept = next(t for t in workflows["establishment"]["transitions"] if t["name"] == "accept")
    assert accept["capacity"] == "bureau" and accept["sources"] == ["submitted"]
    assert "supervisory_consent" in accept["guards"]
    assert {s["code"] for s in workflows["filing"]["states"]} >= {"community_checked", "filed"}
    reelection = workflows["reelection"]
    assert [a["code"] for a in reelection["approval_attachments"]] == ["audit_report"]
    units = client.get(
        f"{BASE}/departments", {"authority_code": "370102", "kind": "supervisory"}
    ).json()
    assert [u["name"] for u in units] == ["历下区教育和体育局"]
    everyone = client.get(f"{BASE}/departments", {"authority_code": "370102"}).json()
    assert len(everyone) == 4


def test_the_openapi_description_lists_the_registration_operations(cast):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {
        op["operationId"]
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "registration_applications_list",
        "registration_applications_create",
        "registration_applications_detail",
        "registration_applications_update",
        "registration_applications_transition",
        "registration_attachments_list",
        "registration_attachments_upload",
        "registration_attachments_download",
        "registration_attachments_delete",
        "registration_reviews_list",
        "registration_reviews_detail",
        "registration_reviews_opinion",
        "registration_deadlines_list",
        "registration_workflows_list",
        "registration_departments_list",
    } <= operations
