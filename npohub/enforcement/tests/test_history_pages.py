"""Complaint and case histories read from the one history, shown in words (Chinese and English),
never as codes; a move that is no longer possible comes back as a message, not an error page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from npohub.core.audit import actor_label_for
from npohub.enforcement import services

from .factories import complaint, decided

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 10)


def _history_block(page) -> str:
    """The 办理记录 section: the last card of both detail pages."""
    html = page.content.decode()
    return html[html.rindex('<section class="card"><h2>') :]


def _codes(workflow) -> set[str]:
    codes = {str(value) for value, _label in workflow.states.choices}
    return codes | {move.name for move in workflow.all_moves()}


def _raw_codes(block: str, workflow) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", block)
    return sorted(c for c in _codes(workflow) if re.search(rf"(?<![\w-]){c}(?![\w-])", text))


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["收到投诉举报", "受理", "待受理", "已受理", "答复投诉人", "已答复", "系统"]),
        ("en", ["Accept", "Accepted", "System"]),
    ],
)
def test_the_complaint_log_names_moves_and_states_in_words(cast, orgs, language, expected):
    c = complaint(orgs["assoc"])
    district = cast["district"]
    services.complaint_transition(actor=district, complaint=c, transition="accept")
    services.complaint_transition(actor=district, complaint=c, transition="reply", note="已核查")
    services.complaint_transition(actor=district, complaint=c, transition="close")

    page = _client(district, language).get(reverse("enforcement:complaint-detail", args=[c.pk]))

    block = _history_block(page)
    assert page.status_code == 200
    assert _raw_codes(block, services.COMPLAINT_WORKFLOW) == []
    for words in expected:
        assert words in block
    assert "system" not in block


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["创建案件", "已立案", "作出行政处罚决定", "已作出决定"]),
        ("en", ["Case created", "Case opened", "Decision made"]),
    ],
)
def test_the_case_log_names_moves_and_states_in_words(cast, orgs, language, expected):
    case = decided(cast["district"], orgs["assoc"], [{"kind": "warning"}], on=ON)

    page = _client(cast["district"], language).get(
        reverse("enforcement:case-detail", args=[case.pk])
    )

    block = _history_block(page)
    assert page.status_code == 200
    assert _raw_codes(block, services.CASE_WORKFLOW) == []
    for words in expected:
        assert words in block


def test_a_withdrawn_proposal_shows_the_system_and_the_reason_in_the_log(cast, orgs, regions):
    from npohub.enforcement.services.missing_reports import _propose_revocation

    from .factories import file_report

    file_report(orgs["assoc"], 2025, cast["district"])
    case = _propose_revocation(
        org=orgs["other"],
        years=[2022, 2023, 2024],
        ref="missing-reports:2022-2024",
        actor=None,
        on=dt.date(2026, 5, 31),
    )
    services.case_propose_missing_reports(actor=None, on=dt.date(2026, 5, 31))

    page = _client(cast["district"], "zh-hans").get(
        reverse("enforcement:case-detail", args=[case.pk])
    )

    block = _history_block(page)
    assert _raw_codes(block, services.CASE_WORKFLOW) == []
    assert "撤回拟立案" in block and "平台自 2025 年度起才有年度报告数据" in block


def test_the_api_gives_each_history_row_its_labels_in_the_shared_history_shape(cast, orgs):
    c = complaint(orgs["assoc"])
    services.complaint_transition(actor=cast["district"], complaint=c, transition="accept")
    client = Client()
    client.force_login(cast["district"])

    body = client.get(f"/api/v1/enforcement/complaints/{c.pk}").json()

    assert [
        (h["move"], h["move_label"], h["from_label"], h["to_label"], h["actor"])
        for h in body["history"]
    ] == [
        ("submit", "收到投诉举报", "", "待受理", "系统"),
        ("accept", "受理", "待受理", "已受理", actor_label_for(cast["district"])),
    ]
    # The moves the caller may make now, by code and label (the page offers the same).
    assert [(m["name"], m["label"]) for m in body["moves"]] == [
        ("transfer", "转办"),
        ("investigate", "开始核查"),
        ("reply", "答复投诉人"),
    ]


def test_a_move_no_longer_possible_is_a_message_not_an_error_page(cast, orgs):
    c = complaint(orgs["assoc"])
    services.complaint_transition(actor=cast["district"], complaint=c, transition="accept")
    client = _client(cast["district"], "zh-hans")

    response = client.post(
        reverse("enforcement:complaint-transition", args=[c.pk]), {"transition": "accept"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "投诉举报处于“已受理”状态，不能“受理”"
    ]
    c.refresh_from_db()
    assert c.state == "accepted"
