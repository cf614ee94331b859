"""No raw state or move code in any workflow's history, in Chinese or in English.

Every workflow registered with ``core.workflows`` is covered: its records in the demo (a few
in each state they are in) and one record given a history of every move its table knows (so
each state and move label is shown once), read as the superuser on the record's page with the
interface in 简体中文 and in English. The history blocks (``components/workflow_history.html``,
marked ``data-history``) must show labels only: after every label of the language is taken
out, no state or move code (``core.workflows.all_state_and_move_codes``) may remain.

A new workflow fails ``test_every_workflow_has_a_page_here`` until its page is added to
``PAGES``; the labels of every registered workflow must have an English translation."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from npohub.accounts.models import User
from npohub.core import workflows as engine

from .crawl import code_pattern, raw_codes_in

pytestmark = pytest.mark.django_db

logger = logging.getLogger(__name__)

# The page showing a record's history, per workflow key.
PAGES: dict[str, Callable[[Any], str]] = {
    "registration.application": lambda o: reverse("registration:application-detail", args=[o.pk]),
    "enforcement.complaint": lambda o: reverse("enforcement:complaint-detail", args=[o.pk]),
    "enforcement.case": lambda o: reverse("enforcement:case-detail", args=[o.pk]),
    "inspections.plan": lambda o: reverse("inspections:plan-detail", args=[o.pk]),
    "inspections.check": lambda o: reverse("inspections:check-detail", args=[o.pk]),
    "ratings.round": lambda o: reverse("ratings:round-detail", args=[o.pk]),
    "ratings.objection": lambda o: reverse("ratings:application-detail", args=[o.application_id]),
    "ratings.grade": lambda o: reverse("ratings:grade-list"),
    "stars.appeal": lambda o: reverse("stars:appeal-detail", args=[o.pk]),
    "stars.interview": lambda o: reverse("stars:interview-detail", args=[o.pk]),
    "stars.award_round": lambda o: reverse("stars:award-detail", args=[o.pk]),
    "credit.objection": lambda o: reverse("credit:request-detail", args=[o.pk]),
    "credit.repair": lambda o: reverse("credit:request-detail", args=[o.pk]),
    "supervision.report": lambda o: reverse("supervision:report-detail", args=[o.pk]),
    "hubs.escalation": lambda o: reverse("hubs:escalation-detail", args=[o.pk]),
}
LANGUAGES = ("zh-hans", "en")
PER_STATE = 2  # demo records read per workflow and state
MARK = "历史核对"  # the note of the synthetic history rows
BLOCK = re.compile(r"<div[^>]*\bdata-history\b[^>]*>(.*?)</table>", re.S)
TAG = re.compile(r"<[^>]+>")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _labels(workflow: engine.Workflow[Any]) -> set[str]:
    labels = {str(label) for _value, label in workflow.states.choices}
    return labels | {str(move.label) for move in workflow.all_moves()}


def _every_move(workflow: engine.Workflow[Any], obj: Any) -> list[engine.Transition]:
    """Every move the record's table and the workflow know (per-kind tables included)."""
    seen: dict[str, engine.Transition] = {}
    for move in [*workflow.table_of(obj), *workflow.all_moves()]:
        seen.setdefault(move.name, move)
    return list(seen.values())


def history_text(html: str) -> str:
    """The visible text of a page's history blocks."""
    return " ".join(unescape(TAG.sub(" ", block)) for block in BLOCK.findall(html))


def codes_left(text: str, labels: set[str], pattern: re.Pattern[str] | None) -> list[str]:
    """The codes in ``text`` once every label is taken out (English labels hold words such as
    "submitted" that are codes too: only what no label explains counts)."""
    for label in sorted(labels, key=len, reverse=True):
        if label:
            text = text.replace(label, " ")
    return raw_codes_in(text, pattern)


def test_codes_left_finds_a_raw_code_beside_labels_but_not_inside_one():
    pattern = code_pattern({"submit", "supervisor_review", "accepted"})
    labels = {"Submitted for review", "Accepted"}
    text = "Submitted for review Accepted submit → supervisor_review"
    assert codes_left(text, labels, pattern) == ["submit", "supervisor_review"]
    assert codes_left("Accepted", labels, pattern) == []
    html = '<div class="table-wrap" data-history><table><td>系统：accept → accepted</td></table>'
    assert "accept → accepted" in history_text(html)


def test_every_workflow_has_a_page_here():
    missing = sorted(set(engine.registered()) - set(PAGES))
    assert not missing, f"add the page showing their history to PAGES: {missing}"


def test_every_state_and_move_label_reads_in_english():
    untranslated = []
    for key, workflow in sorted(engine.registered().items()):
        with translation.override("en"):
            labels = _labels(workflow)
        untranslated += [f"{key}: {label}" for label in sorted(labels) if CJK.search(label)]
    assert not untranslated, "no English in locale/en:\n" + "\n".join(untranslated)


def _records(workflow: engine.Workflow[Any]) -> list[Any]:
    """Up to PER_STATE demo records in each state the workflow's records are in."""
    chosen: dict[str, list[Any]] = {}
    for obj in workflow.model._default_manager.order_by("-pk")[:2000]:
        bucket = chosen.setdefault(workflow.state_of(obj), [])
        if len(bucket) < PER_STATE:
            bucket.append(obj)
    return [obj for bucket in chosen.values() for obj in bucket]


def _read(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, f"{url} ({language}): {response.status_code}"
    return response.content.decode()


def test_no_workflow_history_shows_a_raw_code_in_chinese_or_english(demo_site):
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    usernames = set(User.objects.values_list("username", flat=True))
    pattern = code_pattern(set(engine.all_state_and_move_codes()) - usernames)
    problems, walked, states = [], 0, {}
    for key, workflow in sorted(engine.registered().items()):
        records = _records(workflow)
        if not records:
            problems.append(f"{key}: no record in the demo")
            continue
        states[key] = {workflow.state_of(o) for o in records}
        sample = records[0]
        for move in _every_move(workflow, sample):
            sources = sorted(str(s) for s in move.sources)
            engine.record_event(
                workflow,
                sample,
                move=move.name,
                from_state=sources[0] if sources else "",
                to_state=move.target,
                actor=admin,
                note=MARK,
            )
        for obj in records:
            url = PAGES[key](obj)
            for language in LANGUAGES:
                html = _read(client, url, language)
                walked += 1
                text = history_text(html)
                if obj is sample and MARK not in text:
                    problems.append(f"{key} {url} ({language}): the history is not shown")
                with translation.override(language):
                    labels = set().union(*(_labels(w) for w in engine.registered().values()))
                left = codes_left(text, labels, pattern)
                if left:
                    problems.append(f"{key} {url} ({language}): {', '.join(left)}")
    logger.info("walked %s history pages; states per workflow: %s", walked, states)
    assert not problems, "\n".join(problems)
