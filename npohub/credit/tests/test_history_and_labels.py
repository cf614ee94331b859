"""Objections and repair on the one engine: the history in words (page and API), today's audit
kinds kept, the history rows moved into core's history; rule parameters and late entries'
sources in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent, WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.credit.models import CreditRequest, Listing, describe_parameters
from npohub.credit.services import (
    credit_evaluate,
    credit_request_file,
    credit_request_transition,
)
from npohub.credit.workflows import history_of

from .factories import fact

TODAY = timezone.localdate()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listing(org, kind="warning") -> Listing:
    fact(org, kind, TODAY - dt.timedelta(days=10))
    credit_evaluate(on=TODAY)
    return Listing.objects.get(organization=org, removed_on__isnull=True)


@pytest.mark.django_db
def test_the_request_log_names_each_move_and_state_in_words(orgs, cast):
    listing = _listing(orgs["assoc"])
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="处罚已被撤销"
    )
    credit_request_transition(
        actor=cast["district"], request=req, transition="uphold", note="处罚决定已撤销"
    )
    rows = history_of(req)
    assert [(r.move_label, r.from_label, r.to_label, r.note) for r in rows] == [
        ("提出异议", "", "待处理", "处罚已被撤销"),
        ("异议成立，移出名单", "待处理", "异议成立", "处罚决定已撤销"),
    ]
    html = _client(cast["district"]).get(reverse("credit:request-detail", args=[req.pk]))
    block = re.search(r'id="request-history".*?</section>', html.content.decode(), re.S)
    assert block is not None
    assert "异议成立，移出名单" in block.group(0) and "提出异议" in block.group(0)
    for code in ("uphold", "file", "filed", "upheld"):
        assert f">{code}<" not in block.group(0) and f" {code} " not in block.group(0)
    assert AuditEvent.objects.filter(kind="credit.objection_uphold").count() == 1


@pytest.mark.django_db
def test_a_repair_rejection_is_logged_with_the_repair_label_not_the_objection_one(orgs, cast):
    listing = _listing(orgs["assoc"])
    for item in listing.facts.all():
        item.resolved_on = TODAY
        item.save(update_fields=["resolved_on"])
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="repair", reasons="已改"
    )
    credit_request_transition(
        actor=cast["district"], request=req, transition="reject", note="材料不全"
    )
    assert [r.move_label for r in history_of(req)] == ["申请信用修复", "不予修复"]
    with translation.override("en"):
        assert history_of(req)[1].to_label == "Not upheld"
    assert AuditEvent.objects.filter(kind="credit.repair_reject").count() == 1


@pytest.mark.django_db
def test_refusals_keep_their_messages_and_change_nothing(orgs, cast):
    listing = _listing(orgs["assoc"])
    req = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="x"
    )
    with pytest.raises(ValidationFailed) as exc:
        credit_request_transition(actor=cast["district"], request=req, transition="uphold")
    assert exc.value.message == "请填写处理理由"
    with pytest.raises(PermissionDenied) as denied:
        credit_request_transition(
            actor=cast["org_user"], request=req, transition="reject", note="x"
        )
    assert denied.value.message == "只有该组织所属辖区的民政部门可以处理异议和信用修复申请"
    with pytest.raises(InvalidTransition):
        credit_request_transition(actor=cast["district"], request=req, transition="approve")
    req.refresh_from_db()
    assert req.state == "filed" and len(history_of(req)) == 1


@pytest.mark.django_db
def test_rule_parameters_read_as_words_on_the_rules_page_and_in_the_api(cast):
    html = _client(cast["city"]).get(reverse("credit:rule-list")).content.decode()
    assert "罚款金额低于5.00万元" in html
    assert "3年内不少于2次" in html and "列入活动异常名录满2年" in html
    assert "amount_below" not in html and "{&#x27;" not in html
    rules = {r["code"]: r for r in _client(cast["city"]).get("/api/v1/credit/rules").json()}
    assert rules["light_penalty"]["parameters"] == {"amount_below": 50000}
    assert rules["light_penalty"]["parameters_text"] == "罚款金额低于5.00万元"
    assert rules["annual_report"]["parameters_text"] == "—"


def test_parameters_in_english_use_the_catalogue():
    with translation.override("en"):
        text = describe_parameters({"amount_below": 50000, "min_count": 2, "window_years": 3})
    assert "罚款" not in text and "CNY 50,000.00" in text


@pytest.mark.django_db
def test_late_entries_name_their_source_in_words(orgs, cast):
    fact(
        orgs["assoc"],
        "annual_report_late",
        TODAY - dt.timedelta(days=40),
        entered_on=TODAY,
        source="supervision",
    )
    html = _client(cast["district"]).get(reverse("credit:late-entries")).content.decode()
    assert "<td>年度报告（年检）</td>" in html and "<td>supervision</td>" not in html
    rows = _client(cast["district"]).get("/api/v1/credit/late-entries").json()["results"]
    assert [(r["source"], r["source_label"]) for r in rows] == [("supervision", "年度报告（年检）")]


@pytest.mark.django_db
def test_the_request_api_names_the_state_in_words(orgs, cast):
    listing = _listing(orgs["assoc"])
    credit_request_file(actor=cast["org_user"], listing=listing, kind="objection", reasons="x")
    rows = _client(cast["district"]).get("/api/v1/credit/requests").json()["results"]
    assert [(r["state"], r["state_label"]) for r in rows] == [("filed", "待处理")]


# --- the data migration ------------------------------------------------------------------------

BEFORE = [("credit", "0002_seed_credit_rules"), ("core", "0002_workflow_event")]
AFTER = [("credit", "0004_history_in_core_and_choices")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_request_history_row_moves_into_the_one_history_per_kind_and_back(orgs, cast):
    old = _migrate(BEFORE)
    Rule = old.get_model("credit", "CreditRule")
    Listing_ = old.get_model("credit", "Listing")
    Request = old.get_model("credit", "CreditRequest")
    Change = old.get_model("credit", "CreditRequestStateChange")
    listing = Listing_.objects.create(
        organization_id=orgs["assoc"].pk,
        credit_list="abnormal",
        rule=Rule.objects.get(code="light_penalty"),
        reason="警告",
        legal_basis="x",
        listed_on=TODAY,
        clock_started_on=TODAY,
    )
    made = {}
    for kind in ("objection", "repair"):
        made[kind] = Request.objects.create(
            kind=kind,
            organization_id=orgs["assoc"].pk,
            listing=listing,
            state="rejected",
            reasons="理由",
            filed_by_id=cast["org_user"].pk,
            filed_on=TODAY,
        )
        Change.objects.create(
            request=made[kind],
            transition="file",
            from_state="",
            to_state="filed",
            note="理由",
            actor_id=cast["org_user"].pk,
            actor_label="协会",
        )
        Change.objects.create(
            request=made[kind],
            transition="reject",
            from_state="filed",
            to_state="rejected",
            note="不成立",
            actor_id=cast["district"].pk,
            actor_label="区民政局",
        )
    stamps = dict(Change.objects.values_list("pk", "created_at"))
    before = Change.objects.count()

    new = _migrate(AFTER)
    Event = new.get_model("core", "WorkflowEvent")
    assert Event.objects.filter(workflow="credit.objection").count() == 2
    assert Event.objects.filter(workflow="credit.repair").count() == 2
    assert Event.objects.filter(workflow__startswith="credit.").count() == before
    reject = Event.objects.get(workflow="credit.repair", move="reject")
    assert (reject.object_id, reject.from_state, reject.to_state, reject.note) == (
        made["repair"].pk,
        "filed",
        "rejected",
        "不成立",
    )
    assert (reject.actor_id, reject.actor_label) == (cast["district"].pk, "区民政局")
    assert sorted(
        Event.objects.filter(workflow__startswith="credit.").values_list("occurred_at", flat=True)
    ) == sorted(stamps.values())

    back = _migrate(BEFORE)
    rows = back.get_model("credit", "CreditRequestStateChange").objects.all()
    assert sorted(r.created_at for r in rows) == sorted(stamps.values())
    _migrate(AFTER)


# --- two bureaus deciding at once (PostgreSQL) ---------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("kind", "move", "note"), [("objection", "uphold", "处罚已撤销"), ("repair", "approve", "")]
)
def test_two_concurrent_decisions_leave_exactly_one_move_recorded(orgs, cast, kind, move, note):
    listing = _listing(orgs["assoc"])
    if kind == "repair":
        listing.facts.update(resolved_on=TODAY)
    req = credit_request_file(actor=cast["org_user"], listing=listing, kind=kind, reasons="理由")
    outcome = race(
        *[
            lambda: credit_request_transition(
                actor=cast["district"], request=req, transition=move, note=note
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, CreditRequest) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert WorkflowEvent.objects.filter(workflow=f"credit.{kind}", move=move).count() == 1

    page = reverse("credit:request-transition", args=[req.pk, move])

    def post() -> int:
        client = Client()
        client.force_login(cast["district"])
        return client.post(page, {"note": note}).status_code

    assert race(post, post) == [302, 302]  # both already decided: a message, not an error page
    assert WorkflowEvent.objects.filter(workflow=f"credit.{kind}", move=move).count() == 1
