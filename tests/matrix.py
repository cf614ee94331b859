"""Machinery of the permission matrix: discover every endpoint, describe who may use it, check.

``discover()`` walks the URL resolver (HTML views and each method of each django-ninja
operation). ``tests/test_permission_matrix.py`` holds the POLICY table; an endpoint that is
discovered but not declared there fails the suite, so a new page or API operation cannot ship
without a line saying who may use it.

Vocabulary
----------
* **key**: ``namespace:url_name`` for an HTML view (``orgs:organization-detail``), the OpenAPI
  ``operationId`` for an API operation (``organizations_detail``).
* **cast**: the users of the root ``conftest.py`` (``cast`` fixture) plus ``anonymous``.
* **scope**: ``in`` = an object inside the acting user's scope (the association in 历下区
  解放桥社区, or the user's own thing); ``out`` = an object outside every scope but the
  superuser's (an organisation in 青岛). Endpoints without path parameters only run ``in``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView

ANONYMOUS = "anonymous"
# Every user of the shared cast, in a stable order (the root conftest's ``cast`` keys).
CAST = (
    "admin",
    "city",
    "district",
    "district_out",
    "street",
    "street_out",
    "community",
    "hub",
    "reviewer",
    "org_user",
    "org_user_out",
    "inspector",
    "expert",
    "party",
    "resident",
    "qingdao",
)
USERS = (ANONYMOUS, *CAST)

# Handy groups of cast names for the POLICY table.
PUBLIC = frozenset(USERS)
SIGNED_IN = frozenset(CAST)
SUPERUSER = frozenset({"admin"})
CITY = frozenset({"admin", "city"})
BUREAU = frozenset({"admin", "city", "district"})  # district_out / qingdao lack 历下区
STAFF = SIGNED_IN - {"resident"}
# Who sees the association `orgs["assoc"]` (历下区 解放桥社区; granted to org_user, hub, reviewer).
SEES_ASSOC = frozenset(
    {"admin", "city", "district", "street", "community", "hub", "reviewer", "org_user"}
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# --- discovery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    key: str
    route: str  # the Django route, e.g. "api/v1/organizations/<int:org_id>"
    method: str
    kind: str  # "html" or "api"
    params: tuple[str, ...]  # path parameters of the route
    url_name: str | None  # for reverse(): "namespace:name"
    methods_known: bool  # False for function views: their methods come from the POLICY

    @property
    def id(self) -> str:
        suffix = f" {self.route}" if self.params else ""
        return f"{self.method} {self.key}{suffix}"


@dataclass(frozen=True)
class Exclusion:
    pattern: str  # regex matched against the route
    reason: str


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str | None, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        else:
            yield prefix + str(entry.pattern), namespace, entry


def _path_view(callback: Any) -> PathView | None:
    """The django-ninja PathView behind an API URL (its view is a closure over it)."""
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _class_methods(callback: Any) -> tuple[str, ...] | None:
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return None
    return tuple(
        m
        for m in HTTP_METHODS
        if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
    )


def _function_methods(callback: Any) -> tuple[str, ...] | None:
    """Methods named by ``require_http_methods`` (``require_GET``/``require_POST``) anywhere in
    the decorator chain; None when the view does not restrict them."""
    func = callback
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            return tuple(m for m in HTTP_METHODS if m in cell.cell_contents)
        func = getattr(func, "__wrapped__", None)
    return None


def discover(
    exclusions: Iterable[Exclusion], html_methods: Callable[[str], tuple[str, ...]]
) -> list[Endpoint]:
    """Every (endpoint, method) the URLconf serves, minus the declared exclusions.

    ``html_methods(key)`` gives the methods of a function view (the POLICY's declaration).
    """
    skip = [re.compile(e.pattern) for e in exclusions]
    found: dict[tuple[str, str, str], Endpoint] = {}
    for route, namespace, pattern in _walk(get_resolver()):
        if any(rx.search(route) for rx in skip):
            continue
        params = tuple(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else ()
        params = params or tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        path_view = _path_view(pattern.callback)
        if path_view is not None:
            for op in path_view.operations:
                op_id = op.operation_id or op.api.get_openapi_operation_id(op)
                for method in op.methods:
                    found[(op_id, route, method)] = Endpoint(
                        op_id, route, method, "api", params, None, True
                    )
            continue
        key = name or route
        kind = "api" if isinstance(pattern.callback, functools.partial) else "html"
        known = _class_methods(pattern.callback) or _function_methods(pattern.callback)
        for method in known or html_methods(key):
            found[(key, route, method)] = Endpoint(
                key, route, method, kind, params, name, known is not None
            )
    return sorted(found.values(), key=lambda e: (e.route, e.key, e.method))


# --- policy ------------------------------------------------------------------------------------

KwargsBuilder = Callable[["World", str], dict[str, dict[str, Any]]]
BodyBuilder = Callable[["World", str, str], dict[str, Any]]
# (texts the answer must show, texts it must not show), or None when the user is not checked.
ContentsBuilder = Callable[["World", str], "tuple[Iterable[str], Iterable[str]] | None"]


@dataclass(frozen=True)
class Rule:
    """Who may use one endpoint.

    ``allow``: cast names allowed on an object inside their scope (``PUBLIC`` includes
    anonymous). ``allow_out``: who may reach the object outside every scope (normally only the
    superuser; the others must get the same 404 as for a missing object).
    ``target(world, user)`` returns ``{"in": kwargs, "out": kwargs}`` for the path parameters.
    ``methods``: the HTTP methods of a function view (class views and API operations say
    it themselves). ``unsafe_allow``: a different allow-set for POST/PUT/PATCH/DELETE.
    ``body(world, user, scope)``: a valid request body for unsafe methods, so that an allowed
    request really writes (``writes``: an allowed unsafe request must change something).
    ``scoped_body``: for endpoints without path parameters (create), also send the body for an
    object outside the user's scope (``scope == "out"``). ``form_denial``: an HTML form may
    refuse by re-rendering with the service's error (200), or by redirecting back with it as a
    message, instead of 403/404 (nothing may change). ``hidden_out``: False when the object is
    visible to everyone allowed (reference data such as regions), so refusing to act on one
    outside the user's scope may be any denial instead of the 404 of a missing object.
    ``multipart``: send an API body as multipart/form-data (file uploads) instead of JSON.
    ``query``: a query string, sent with every method. ``users``: a sample of the cast for
    slow endpoints whose answer cannot depend on the user (the OpenAPI description).
    ``contents(world, user)``: for a list, what an allowed GET must show and must not show
    (names of objects inside and outside the user's scope), built before the request; None
    for users it does not check. Status codes alone do not say what a list leaks.
    """

    allow: frozenset[str]
    target: KwargsBuilder | None = None
    allow_out: frozenset[str] = SUPERUSER
    methods: tuple[str, ...] = ("GET",)
    unsafe_allow: frozenset[str] | None = None
    body: BodyBuilder | None = None
    scoped_body: bool = False
    writes: bool = True
    form_denial: bool = False
    hidden_out: bool = True
    multipart: bool = False
    query: dict[str, Any] = field(default_factory=dict)
    users: tuple[str, ...] = USERS
    contents: ContentsBuilder | None = None
    note: str = ""

    def allowed(self, method: str, user: str, scope: str) -> bool:
        who = self.allow
        if method not in SAFE_METHODS and self.unsafe_allow is not None:
            who = self.unsafe_allow
        if scope == "out":
            return user in who and user in self.allow_out
        return user in who


@dataclass
class World:
    """The shared fixtures, plus objects the target builders create on demand (cached for one
    test: they live in the test's savepoint, while the cast outlives it)."""

    cast: dict[str, Any]
    orgs: dict[str, Any]
    regions: dict[str, Any]
    cache: dict[Any, Any] = field(default_factory=dict)

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def user(self, name: str) -> Any:
        return None if name == ANONYMOUS else self.cast[name]


def objects(
    param: str, inside: Callable[[World], Any], outside: Callable[[World, str], Any]
) -> KwargsBuilder:
    """Target builder for ``<int:param>``: a fixed object inside, one outside the user's scope."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {"in": {param: inside(world).pk}, "out": {param: outside(world, user).pk}}

    return build


def foreign_org(world: World, user: str) -> Any:
    """The association in 青岛: outside every scope but the superuser's and the 青岛 bureau's
    (for whom the one in 章丘 is foreign)."""
    return world.orgs["far" if user == "qingdao" else "qingdao"]


def assoc(param: str) -> KwargsBuilder:
    """The association in 历下区 解放桥社区 (in) and a foreign one (out)."""
    return objects(param, lambda w: w.orgs["assoc"], foreign_org)


def group(param: str) -> KwargsBuilder:
    """The filed community group in 解放桥社区 (in) and a foreign association (out)."""
    return objects(param, lambda w: w.orgs["group"], foreign_org)


# --- masking: one record, every role, the page and the API ------------------------------------


@dataclass(frozen=True)
class Secret:
    """One personal value a record shows: ``full`` where the record view unmasks it, ``masked``
    (``core.validators.mask_*`` of it) elsewhere. ``on``: the answers that show it at all."""

    full: str
    masked: str
    on: frozenset[str] = frozenset({"page", "api"})


@dataclass(frozen=True)
class Mask:
    """One record type with personal data, checked for every user of the cast (and ``people``):
    its page and its API answer (through the session and through a bearer token) both open for
    exactly ``visible`` (the others get 403/404 or the sign-in answer, for both), and show
    each ``Secret`` whole where ``sees(user, record)`` (the app's ``<record>_view``) says so,
    masked and never whole where it does not.

    ``record(world)``: the record, built once per test, with personal data in every field the
    view masks. ``page``/``api``: its URLs (a list's, for records shown in a list).
    ``people(world, record)``: users outside the cast the record concerns (the expert of an
    entry …), checked too. ``page_holds(record)``: page texts that legitimately hold a whole
    value (a keeper's edit form), removed before looking.
    """

    record: Callable[[World], Any]
    secrets: Callable[[Any], tuple[Secret, ...]]
    sees: Callable[[Any, Any], bool]
    visible: frozenset[str]
    page: Callable[[Any], str]
    api: Callable[[Any], str]
    people: Callable[[World, Any], dict[str, Any]] | None = None
    page_holds: Callable[[Any], tuple[str, ...]] | None = None
    note: str = ""
