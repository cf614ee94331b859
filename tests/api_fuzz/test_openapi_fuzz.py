"""The API description matches the API's behaviour: schemathesis generates requests for every
operation of ``/api/v1/openapi.json`` (valid ones, and invalid ones for the server-error
check), sends them in-process to the Django WSGI application on the demo (a tenth of the city,
every ``demo_*`` command) as each role in turn (bearer tokens of a city bureau, a street
officer, hub staff and an organisation's user, then an anonymous caller), and checks every
answer:

- never a server error (5xx);
- the body matches the schema the operation declares for that status;
- the status is one the operation declares.

Deterministic (hypothesis derandomised: the same requests every run) and bounded: at most
``2 × FUZZ_EXAMPLES`` requests per operation and role (``NPOHUB_FUZZ_EXAMPLES`` in the
environment changes it; default 2). Each role starts from the demo as loaded (a savepoint
rolled back after it). What was sent and every failure with its request (as curl) and, for a
5xx, the server's traceback are written to ``test-artifacts/api-fuzz-<database>-<role>.txt``.

Marked ``fuzz``: part of ``make test-sqlite`` (so of ``make test`` and ``.ci/run``), one test on
one worker for a few minutes; ``make test-pg`` leaves it out (``-m "not fuzz"``): what it checks
is the API's description, the same on both engines, and the engines' own bounds are tested by
each app's model tests on both.
"""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from npohub.accounts.models import ApiToken, TokenScope, User
from npohub.accounts.services import api_token_create

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

FUZZ_EXAMPLES = int(os.environ.get("NPOHUB_FUZZ_EXAMPLES", "2"))
SCHEMA_PATH = "/api/v1/openapi.json"
# City bureau (the whole city), a street officer (one street), hub staff (the organisations it
# serves) and an organisation's own user; None is an anonymous caller (public operations answer,
# the others 401).
ROLES: tuple[str | None, ...] = ("city", "street", "hub", "org", None)
if os.environ.get("NPOHUB_FUZZ_ROLES"):  # e.g. "city,org,anonymous" while fixing one
    ROLES = tuple(
        None if r == "anonymous" else r for r in os.environ["NPOHUB_FUZZ_ROLES"].split(",")
    )
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@dataclass
class Run:
    role: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0


@pytest.fixture(scope="module")
def wsgi_app():
    """Django's WSGI handler, without closing the test's database connection after each
    request (as the test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(fuzz_demo, wsgi_app, django_db_blocker):
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)


class ServerErrors:
    """The traceback of each exception the application raised while answering (Django turns
    it into a 500 page; the report needs where it came from)."""

    def __init__(self) -> None:
        self.last: str | None = None

    def __call__(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self.last = traceback.format_exc(limit=-6)


def _token_for(username: str) -> tuple[ApiToken, str]:
    user = User.objects.get(username=username)
    token, raw = api_token_create(
        actor=user, user=user, name="fuzz", scope=TokenScope.READ_WRITE, expires_in_days=1
    )
    return token, raw


def _fuzz_operation(operation, headers, app, run: Run, errors: ServerErrors, token) -> None:
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    label = operation.label

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES * 2,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=strategy)
    def check(case):
        if token is not None and not ApiToken.objects.filter(pk=token.pk, revoked_at=None).exists():
            raise AssertionError("the fuzzer's own token was revoked")
        errors.last = None
        response = case.call(app=app, headers=headers)
        run.requests += 1
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure, AssertionError) as exc:
            found = run.failures.setdefault(label, [])
            if len(found) < 3:
                text = f"{exc}\n    request: {case.as_curl_command()}"
                if response.status_code >= 500 and errors.last:
                    text += "\n" + errors.last
                found.append(text)

    check()


def test_every_operation_answers_as_the_openapi_description_says_for_every_role(
    api_schema, wsgi_app
):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    runs = []
    for role in ROLES:
        # Each role starts from the demo as loaded: what one role created, the next never sees.
        savepoint = transaction.savepoint()
        try:
            runs.append(_fuzz_as(role, operations, wsgi_app))
        finally:
            transaction.savepoint_rollback(savepoint)
    failed = [run for run in runs if run.failures]
    assert not failed, "\n".join(_summary(run) for run in failed)


def _fuzz_as(role: str | None, operations, app) -> Run:
    headers: dict[str, str] = {}
    token = None
    if role is not None:
        token, raw = _token_for(role)
        headers["Authorization"] = f"Bearer {raw}"
    run = Run(role or "anonymous")
    errors = ServerErrors()
    signals.got_request_exception.connect(errors)
    started = time.perf_counter()
    try:
        for operation in operations:
            _fuzz_operation(operation, headers, app, run, errors, token)
    finally:
        signals.got_request_exception.disconnect(errors)
        run.seconds = time.perf_counter() - started
        _report(run, len(operations))
    return run


def _summary(run: Run) -> str:
    lines = [f"{len(run.failures)} operations failed as {run.role}:"]
    for label, texts in sorted(run.failures.items()):
        lines.append(f"- {label}: {texts[0].splitlines()[0] if texts[0] else ''}")
    return "\n".join(lines)


def _report(run: Run, operations: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"api-fuzz-{connection.vendor}-{run.role}.txt"
    lines = [
        f"role {run.role}: {operations} operations, {run.requests} requests, "
        f"{run.seconds:.1f} s, statuses {dict(sorted(run.statuses.items()))}",
        f"{len(run.failures)} operations failed",
    ]
    for label, texts in sorted(run.failures.items()):
        lines.append(f"\n== {label}")
        lines.extend(texts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
