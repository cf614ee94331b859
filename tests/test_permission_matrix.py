"""The permission matrix: every URL and API operation × every role × inside/outside its scope.

Adding a page or an API operation? Add one ``Rule`` to ``POLICY`` below, keyed by the URL name
(``namespace:name``) or the OpenAPI ``operationId``. ``test_every_endpoint_is_declared`` fails
until you do. Helpers and vocabulary: ``tests/matrix.py``.

For each (endpoint, method) one test builds the shared cast once, then for every user and
scope sends the request inside a savepoint that is rolled back, so requests never see each
other's writes. A denial must change nothing (row counts of every NPOHub model, and the
Organization and User rows).
"""

from __future__ import annotations

import functools
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from openpyxl import Workbook

from npohub.accounts.models import ApiToken, Role, User
from npohub.orgs.imports import COMMUNITY_GROUP, GROUP_COLUMNS
from npohub.orgs.models import ImportJob, ImportStatus, Organization
from npohub.orgs.validation import organization_input_of

from .matrix import (
    ANONYMOUS,
    BUREAU,
    CAST,
    PUBLIC,
    SAFE_METHODS,
    SEES_ASSOC,
    SIGNED_IN,
    STAFF,
    Endpoint,
    Exclusion,
    Rule,
    World,
    assoc,
    discover,
    foreign_org,
)

# --- what is not in the matrix, and why -------------------------------------------------------

EXCLUDED = [
    Exclusion(r"^admin/", "Django admin: its own staff/superuser checks, tested by Django"),
    Exclusion(r"^static/|^media/", "static and uploaded files, served without views in production"),
    Exclusion(
        r"^i18n/", "set_language: switches the interface language for anyone, stores nothing"
    ),
    Exclusion(r"^jsi18n/", "JavaScript translation catalogue, public and read-only"),
    Exclusion(
        r"^api/v1/$", "django-ninja's api-root: answers 404 to everyone (a reverse() anchor)"
    ),
]

# --- target and body builders --------------------------------------------------------------

# A region code inside each user's own scope (for dashboards, creating in "my" region).
HOME_COMMUNITY = {
    "district_out": "c_ms_village",
    "street_out": "c_ms_village",
    "qingdao": "qd_comm",
}


def home_community(world: World, user: str) -> Any:
    return world.regions[HOME_COMMUNITY.get(user, "c_jfq1")]


def foreign_community(world: World, user: str) -> Any:
    """A community outside this user's scope (and every scope but the superuser's)."""
    return world.regions["c_jfq1" if user == "qingdao" else "qd_comm"]


def community_group_json(world: World, user: str, scope: str) -> dict[str, Any]:
    where = home_community(world, user) if scope == "in" else foreign_community(world, user)
    return {
        "kind": "community_group",
        "name": f"矩阵测试舞蹈队{user}",
        "community_code": where.code,
        "registration_date": "2024-03-01",
    }


def community_group_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {**community_group_json(world, user, scope), "management_level": "street"}


def org_in_scope(world: World, user: str, scope: str) -> Organization:
    return world.orgs["assoc"] if scope == "in" else foreign_org(world, user)


def whole_record(world: World, user: str, scope: str) -> dict[str, Any]:
    values = asdict(organization_input_of(org_in_scope(world, user, scope)))
    values["address"] = "矩阵测试地址"
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def org_form(world: World, user: str, scope: str) -> dict[str, Any]:
    values = whole_record(world, user, scope)
    return {k: ("" if v is None else v) for k, v in values.items() if k != "is_charity"}


def own_region(world: World, user: str) -> dict[str, dict[str, Any]]:
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    foreign = world.regions["jinan" if user == "qingdao" else "qingdao"]
    return {"in": {"code": region.code}, "out": {"code": foreign.code}}


def stranger(world: World) -> User:
    """A user no administrator but the superuser manages (no region)."""
    return world.once(
        "stranger", lambda: User.objects.create(username="stranger", role=Role.RESIDENT)
    )


def managed_user(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a user inside the actor's own region; out: the stranger."""
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    inside = world.once(
        ("managed", region.code),
        lambda: User.objects.create(
            username=f"managed{region.code}",
            role=Role.COMMUNITY_WORKER,
            region=region,
            scope_prefix=region.prefix,
        ),
    )
    return {"in": {"pk": inside.pk}, "out": {"pk": stranger(world).pk}}


def own_token(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a token of the acting user; out: the stranger's token."""

    def token(owner: User, name: str) -> ApiToken:
        return ApiToken.objects.create(
            user=owner, name=name, key_prefix=name[:8], key_hash=f"matrix-{name}"
        )

    owner = world.user(user) or world.cast["street"]
    mine = world.once(("token", owner.pk), lambda: token(owner, f"t{owner.pk}"))
    theirs = world.once("stranger-token", lambda: token(stranger(world), "stranger"))
    return {"in": {"pk": mine.pk}, "out": {"pk": theirs.pk}}


def user_form(world: World, user: str, scope: str) -> dict[str, Any]:
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    return {
        "username": f"matrix-{user}",
        "password": "Matrix-Pass-2024!",
        "display_name": "矩阵",
        "role": Role.COMMUNITY_WORKER,
        "region": region.code,
        "is_active": "on",
    }


# --- imports: a one-row spreadsheet, and jobs waiting to be committed ---------------------------


@functools.cache
def group_workbook(community_code: str, name: str) -> bytes:
    """A community-group import file (the template's headers) with one valid row."""
    values = {
        "name": name,
        "community_code": community_code,
        "category_code": "文体活动",
        "legal_representative_name": "李娜",
        "legal_representative_phone": "13800000000",
        "registration_date": "2024-03-01",
        "purpose": "组织居民开展文体活动",
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in GROUP_COLUMNS])
    sheet.append([values.get(c.field, "") for c in GROUP_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def group_upload(world: World, user: str, scope: str) -> dict[str, Any]:
    """A multipart body: one new group in the user's own community (a fresh file each time)."""
    data = group_workbook(home_community(world, user).code, f"矩阵导入舞蹈队{user}")
    return {"kind": COMMUNITY_GROUP, "file": SimpleUploadedFile("matrix.xlsx", data)}


def previewed_job(world: World, owner: User, community: Any) -> ImportJob:
    """A validated community-group job of ``owner``, one row in ``community``, ready to commit."""

    def make() -> ImportJob:
        job = ImportJob(
            created_by=owner,
            kind=COMMUNITY_GROUP,
            filename="matrix.xlsx",
            status=ImportStatus.PREVIEW,
            total_rows=1,
            processed_rows=1,
            summary={"create": 1, "update": 0, "unchanged": 0},
        )
        data = group_workbook(community.code, f"矩阵导入舞蹈队{owner.pk}")
        job.file.save("matrix.xlsx", ContentFile(data), save=False)
        job.save()
        return job

    return world.once(("job", owner.pk), make)


def import_job(param: str) -> Any:
    """In: a job the acting user uploaded (rows in their own community); out: the stranger's
    job (rows outside every scope but the superuser's). Jobs are private to their creator."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        actor = world.user(user)
        owner = actor or world.cast["street"]
        mine = previewed_job(world, owner, home_community(world, user))
        theirs = previewed_job(world, stranger(world), world.regions["qd_comm"])
        return {"in": {param: mine.pk}, "out": {param: theirs.pk}}

    return build


def community(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a community in the user's own region; out: one outside it (and every scope but the
    superuser's). Both have an inferred urban/rural flag, so a bureau may correct it."""
    return {
        "in": {"code": home_community(world, user).code},
        "out": {"code": foreign_community(world, user).code},
    }


PASSWORD = {"password": "Matrix-Pass-2024!", "password_again": "Matrix-Pass-2024!"}
SAMPLE = (ANONYMOUS, "resident", "district")
USER_ADMINS = frozenset({"admin", "city", "district", "qingdao"})
REGION_STAFF = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "community", "qingdao"}
)
# May add a filed community group in their own region (bureaus and streets).
GROUP_CREATORS = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "qingdao"}
)
# Bureau staff, who may correct a community's urban/rural flag in their own region.
CORRECTORS = frozenset({"admin", "city", "district", "district_out", "qingdao"})
RURAL = {"urban_rural": "rural"}
STATUS_CHANGE = {"status": "abnormal", "reason": "矩阵测试", "effective_on": "2024-03-01"}


# --- the policy table ----------------------------------------------------------------------

POLICY: dict[str, Rule] = {
    # accounts
    "accounts:login": Rule(
        PUBLIC, body=lambda w, u, s: {"username": "nobody", "password": "x"}, writes=False
    ),
    "accounts:logout": Rule(PUBLIC, writes=False, note="logs out whoever asks"),
    "accounts:me": Rule(SIGNED_IN, body=lambda w, u, s: {"name": "矩阵令牌"}),
    "accounts:token-revoke": Rule(
        SIGNED_IN, target=own_token, allow_out=frozenset(), note="only one's own tokens"
    ),
    "accounts:user-list": Rule(USER_ADMINS),
    "accounts:user-create": Rule(USER_ADMINS, body=user_form),
    "accounts:user-edit": Rule(USER_ADMINS, target=managed_user, body=user_form),
    "accounts:user-password": Rule(USER_ADMINS, target=managed_user, body=lambda w, u, s: PASSWORD),
    # organisations (HTML)
    "orgs:organization-list": Rule(STAFF),
    "orgs:organization-create": Rule(
        GROUP_CREATORS,
        query={"kind": "community_group"},
        body=community_group_form,
        scoped_body=True,
        form_denial=True,
    ),
    "orgs:organization-detail": Rule(SEES_ASSOC, target=assoc("pk")),
    "orgs:organization-edit": Rule(BUREAU, target=assoc("pk"), body=org_form),
    "orgs:organization-status": Rule(
        BUREAU, target=assoc("pk"), body=lambda w, u, s: STATUS_CHANGE
    ),
    # dashboards
    "dashboards:region": Rule(REGION_STAFF, target=own_region),
    # API: organisations
    "organizations_list": Rule(STAFF, query={"q": "协会"}),
    "organizations_create": Rule(GROUP_CREATORS, body=community_group_json, scoped_body=True),
    "organizations_detail": Rule(SEES_ASSOC, target=assoc("org_id")),
    "organizations_replace": Rule(
        SEES_ASSOC, target=assoc("org_id"), unsafe_allow=BUREAU, body=whole_record
    ),
    "organizations_patch": Rule(
        SEES_ASSOC,
        target=assoc("org_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"address": "矩阵"},
    ),
    "organizations_change_status": Rule(
        SEES_ASSOC, target=assoc("org_id"), unsafe_allow=BUREAU, body=lambda w, u, s: STATUS_CHANGE
    ),
    "organizations_history": Rule(SEES_ASSOC, target=assoc("org_id")),
    "organizations_as_of": Rule(SEES_ASSOC, target=assoc("org_id"), query={"date": "2024-01-01"}),
    # API: public register and documentation
    "public_organizations_list": Rule(PUBLIC, query={"q": "协会"}),
    "public_organizations_detail": Rule(PUBLIC, target=assoc("org_id"), allow_out=PUBLIC),
    "api:openapi-json": Rule(PUBLIC, users=SAMPLE, note="the API description is public"),
    "api:openapi-view": Rule(PUBLIC, users=SAMPLE, note="Swagger UI, served from /static/"),
    # public portal
    "portal:home": Rule(PUBLIC),
    "portal:organization": Rule(PUBLIC, target=assoc("pk"), allow_out=PUBLIC),
    # regions
    "regions:region-list": Rule(SIGNED_IN),
    "regions:picker": Rule(SIGNED_IN),
    "regions:urban-rural-correct": Rule(
        CORRECTORS,
        target=community,
        body=lambda w, u, s: RURAL,
        form_denial=True,
        hidden_out=False,
        note="bureaus in their region; a refusal comes back as a message on the list",
    ),
    # API: regions (reference data, any signed-in user reads it)
    "regions_list": Rule(SIGNED_IN, query={"parent": "370102"}),
    "regions_get": Rule(SIGNED_IN, target=community, allow_out=SIGNED_IN),
    "regions_correct_urban_rural": Rule(
        CORRECTORS, target=community, body=lambda w, u, s: RURAL, hidden_out=False
    ),
    # imports and exports (HTML)
    "imports:home": Rule(GROUP_CREATORS, note="roles that may import some kind"),
    "imports:template": Rule(
        SIGNED_IN,
        target=lambda w, u: {"in": {"kind": "registered"}, "out": {"kind": "no-such-kind"}},
        allow_out=frozenset(),
        users=SAMPLE,
        note="a blank spreadsheet, the same for everyone; out = an unknown kind",
    ),
    "imports:export": Rule(STAFF, note="exports what the user's list shows"),
    "imports:upload": Rule(
        GROUP_CREATORS,
        body=group_upload,
        form_denial=True,
        note="community groups: bureaus and streets; a refusal is a message on the import page",
    ),
    "imports:job": Rule(SIGNED_IN, target=import_job("pk"), note="only the creator's jobs"),
    "imports:commit": Rule(
        GROUP_CREATORS,
        target=import_job("pk"),
        form_denial=True,
        note="the creator, if their role may import; a refusal is a message on the job page",
    ),
    # API: imports
    "create_import": Rule(GROUP_CREATORS, body=group_upload, multipart=True),
    "get_import": Rule(SIGNED_IN, target=import_job("job_id")),
    "list_import_errors": Rule(SIGNED_IN, target=import_job("job_id")),
    "commit_import": Rule(GROUP_CREATORS, target=import_job("job_id")),
}

ENDPOINTS = discover(EXCLUDED, lambda key: POLICY[key].methods if key in POLICY else ("GET",))


# --- the checks ----------------------------------------------------------------------------

LOGIN_PATH = resolve_url(settings.LOGIN_URL)


def test_every_endpoint_is_declared():
    """A new URL or API operation must say who may use it (add a Rule to POLICY)."""
    missing = sorted({e.key for e in ENDPOINTS if e.key not in POLICY})
    assert not missing, (
        "These endpoints are not in the permission matrix. Add a Rule for each to POLICY in "
        "tests/test_permission_matrix.py (or an Exclusion with a reason):\n  "
        + "\n  ".join(
            f"{k}  ({', '.join(e.route for e in ENDPOINTS if e.key == k)})" for k in missing
        )
    )


def test_every_declared_endpoint_exists():
    """A rule for an endpoint that was renamed or removed is a rule that checks nothing."""
    stale = sorted(set(POLICY) - {e.key for e in ENDPOINTS})
    assert not stale, f"POLICY entries without an endpoint (renamed or removed?): {stale}"


def test_every_function_view_declares_its_methods():
    """Function views restrict their methods (require_GET / require_http_methods), so the
    matrix knows which ones to try."""
    loose = sorted({e.key for e in ENDPOINTS if e.kind == "html" and not e.methods_known})
    assert not loose, f"Views without require_http_methods / require_GET / require_POST: {loose}"


@functools.cache
def _snapshot_sql() -> tuple[str, ...]:
    """Raw SQL (built once): the row counts of every NPOHub table in one query, then every
    Organization and User row."""
    quote = connection.ops.quote_name
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m.__module__.startswith("npohub.") and m._meta.managed and not m._meta.proxy
        }
    )
    counts = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    rows = [
        f"SELECT * FROM {quote(m._meta.db_table)} ORDER BY {quote(m._meta.pk.column)}"
        for m in (Organization, User)
    ]
    return (counts, *rows)


def snapshot() -> tuple[Any, ...]:
    """Row counts of every NPOHub table, plus the Organization and User rows (raw SQL: it runs
    twice for every unsafe request)."""
    with connection.cursor() as cursor:
        taken = []
        for sql in _snapshot_sql():
            cursor.execute(sql)
            taken.append(cursor.fetchall())
    return tuple(taken)


def build_url(endpoint: Endpoint, kwargs: dict[str, Any]) -> str:
    path = "/" + endpoint.route
    for name, value in kwargs.items():
        for prefix in ("<int:", "<str:", "<slug:", "<path:", "<uuid:", "<"):
            path = path.replace(f"{prefix}{name}>", str(value))
    assert "<" not in path, f"no value for a parameter of {endpoint.route}: {kwargs}"
    return path


def send(client: Client, endpoint: Endpoint, url: str, rule: Rule, body: Any) -> Any:
    method = endpoint.method.lower()
    if endpoint.method == "GET":
        return client.get(url, rule.query)
    if rule.query:
        url = f"{url}?{urlencode(rule.query)}"
    if endpoint.kind == "api" and rule.multipart:
        return getattr(client, method)(url, body or {})
    if endpoint.kind == "api":
        return getattr(client, method)(
            url, data=json.dumps(body or {}), content_type="application/json"
        )
    if endpoint.method == "POST":
        return client.post(url, body or {})
    return getattr(client, method)(
        url, data=urlencode(body or {}), content_type="application/x-www-form-urlencoded"
    )


def outcome(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlparse(response.get("Location", ""))
        if target.path == LOGIN_PATH and "next=" in target.query:
            return "login"
    if status == 401:
        return "login"
    if status in (403, 404):
        return f"denied {status}"
    return "allowed" if status < 400 else f"error {status}"


def check(
    endpoint: Endpoint, rule: Rule, user: str, scope: str, got: str, changed: bool
) -> str | None:
    """None if the response is what the policy says; otherwise what went wrong."""
    unsafe = endpoint.method not in SAFE_METHODS
    if rule.allowed(endpoint.method, user, scope):
        if got != "allowed":
            return f"expected allowed, got {got}"
        if unsafe and rule.writes and not changed:
            return "allowed but nothing changed (is the Rule's body valid?)"
        return None
    if changed:
        return f"denied ({got}) but the database changed"
    if user == ANONYMOUS:
        return None if got == "login" else f"anonymous: expected the sign-in answer, got {got}"
    if scope == "out" and endpoint.params and user in rule.allow and rule.hidden_out:
        return (
            None
            if got == "denied 404"
            else f"outside scope: expected 404 like a missing id, got {got}"
        )
    if got.startswith("denied"):
        return None
    if got == "allowed" and rule.form_denial and unsafe:
        return None  # the form re-rendered with the service's refusal; nothing changed
    return f"expected denied, got {got}"


def clients_for(cast: dict[str, User]) -> dict[str, Client]:
    """One client per user, signed in once (each request restores its cookies afterwards)."""
    clients = {ANONYMOUS: Client()}
    for name in CAST:
        client = Client()
        client.force_login(cast[name])
        clients[name] = client
    return clients


def _fixture_body(fixture: Any) -> Any:
    """The function behind a root-conftest fixture, so the module builds the very same cast."""
    unwrap = getattr(fixture, "_get_wrapped_function", None)
    return unwrap() if unwrap is not None else fixture.__wrapped__


@dataclass(frozen=True)
class Shared:
    regions: dict[str, Any]
    cast: dict[str, User]
    orgs: dict[str, Organization]
    clients: dict[str, Client]


@pytest.fixture(scope="module")
def shared(django_db_setup: None, django_db_blocker: Any) -> Iterator[Shared]:
    """The root conftest's regions, cast and organisations, and a signed-in client per user,
    built once per module (once per xdist worker) inside a transaction that is rolled back at
    the end, like ``setUpTestData``. Each test runs in a savepoint of it (pytest-django's
    ``db``), and each request in a savepoint of the test's."""
    conftest = sys.modules["conftest"]
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            regions = _fixture_body(conftest.regions)(None)
            cast = _fixture_body(conftest.cast)(regions)
            orgs = _fixture_body(conftest.orgs)(cast, regions)
            built = Shared(regions, cast, orgs, clients_for(cast))
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(shared: Shared, db: None) -> World:
    """The shared cast, with a fresh cache for the objects this test's builders create."""
    return World(cast=shared.cast, orgs=shared.orgs, regions=shared.regions)


def scopes_of(endpoint: Endpoint, rule: Rule) -> tuple[str, ...]:
    if endpoint.params:
        return ("in", "out")
    if rule.scoped_body and endpoint.method not in SAFE_METHODS:
        return ("in", "out")
    return ("in",)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.key in POLICY], ids=lambda e: e.id)
def test_permission_matrix(endpoint: Endpoint, world: World, shared: Shared):
    rule = POLICY[endpoint.key]
    unsafe = endpoint.method not in SAFE_METHODS
    clients = shared.clients
    failures = []
    for user in rule.users:
        targets = rule.target(world, user) if rule.target else {"in": {}, "out": {}}
        for scope in scopes_of(endpoint, rule):
            kwargs = {k: v for k, v in targets[scope].items() if k in endpoint.params}
            url = build_url(endpoint, kwargs)
            body = rule.body(world, user, scope) if rule.body else None
            client = clients[user]
            cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
            with transaction.atomic():
                before = snapshot() if unsafe else None
                response = send(client, endpoint, url, rule, body)
                changed = unsafe and snapshot() != before
                transaction.set_rollback(True)
            client.cookies = cookies
            problem = check(endpoint, rule, user, scope, outcome(response), changed)
            if problem:
                failures.append(f"{user:>13} {scope:>3} {url}: {problem} [{response.status_code}]")
    assert not failures, f"{endpoint.id}\n" + "\n".join(failures)
