"""A Django test-client walk of the site as one user: start at the landing page after sign-in,
follow every same-site link (``<a href>``, ``hx-get``) and submit every GET form with its default
values, breadth first, and report what a person would trip over.

Problems reported for each page (``Problem.kind``):

- ``status``: a link or form leads to a 4xx/5xx answer (a dead end), or raises.
- ``error_page``: an English error page (Django's technical page or its bare default pages) or
  a full page with no Chinese at all.
- ``raw_code``: a state, move or choice code (``in_review``, ``close_applications`` …) as a
  whole word in the visible text (not in attributes, scripts or styles).
- ``date_input``: an ``<input type="date">`` whose value is not ``yyyy-mm-dd`` (the browser
  drops "2026/12/07" and shows the field empty).
- ``login_redirect``: a signed-in user is sent to the sign-in page by a link the page gave them.

To stay cheap the walk visits at most a few URLs per *pattern* (the resolved URL name plus the
names of the query parameters), so it reaches every page type a role can reach without walking
every organisation.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

# --- page parsing ---------------------------------------------------------------------------

HIDDEN_TEXT_TAGS = frozenset({"script", "style", "template", "noscript", "title", "head"})
VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
SKIPPED_INPUT_TYPES = frozenset({"submit", "button", "image", "reset", "file"})


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DateInput:
    name: str
    value: str


class PageParser(HTMLParser):
    """Links, GET forms with their default values, date inputs and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.htmx_links: list[str] = []
        self.forms: list[Form] = []
        self.date_inputs: list[DateInput] = []
        self.text: list[str] = []
        self._hidden_depth = 0
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[str] | None = None
        self._option_attrs: dict[str, str] = {}
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag in HIDDEN_TEXT_TAGS:
            self._hidden_depth += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.htmx_links.append(attrs["hx-get"])
        if tag == "form":
            self._form = Form(action=attrs.get("action", ""), method=attrs.get("method", "get"))
            self.forms.append(self._form)
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            name = attrs.get("name", "")
            if kind == "date":
                self.date_inputs.append(DateInput(name=name, value=attrs.get("value", "")))
            if self._form is None or not name or kind in SKIPPED_INPUT_TYPES:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value", "on")))
                return
            self._form.fields.append((name, attrs.get("value", "")))
        elif tag == "select":
            self._select = (attrs.get("name", ""), [])
        elif tag == "option" and self._select is not None:
            self._option = []
            self._option_attrs = attrs
        elif tag == "textarea":
            self._textarea = (attrs.get("name", ""), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TEXT_TAGS and self._hidden_depth:
            self._hidden_depth -= 1
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, options = self._select
            if self._form is not None and name and options:
                chosen = next((v for v, selected in options if selected), options[0][0])
                self._form.fields.append((name, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            if self._form is not None and name:
                self._form.fields.append((name, "".join(parts)))
            self._textarea = None

    def _close_option(self) -> None:
        if self._option is None or self._select is None:
            return
        attrs = self._option_attrs
        value = attrs["value"] if "value" in attrs else "".join(self._option).strip()
        self._select[1].append((value, "selected" in attrs))
        self._option = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)
        if not self._hidden_depth:
            self.text.append(data)

    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


# An ``&`` that does not start a complete character reference: browsers keep it as it is inside
# attributes ("?target=x&current=1" is not "?target=x¤t=1"); Python's parser would not.
LONE_AMPERSAND = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(LONE_AMPERSAND.sub("&amp;", html))
    parser.close()
    return parser


# --- checks ---------------------------------------------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own error pages: the technical 404/500 pages (DEBUG) and the bare defaults.
TECHNICAL_MARKERS = (
    "Using the URLconf defined in",
    "You're seeing this error because you have <code>DEBUG = True</code>",
    "Traceback (most recent call last)",
    "<h1>Not Found</h1>",
    "<h1>Server Error (500)</h1>",
    "<h1>Bad Request (400)</h1>",
    "<h1>403 Forbidden</h1>",
    "CSRF verification failed",
)


def code_pattern(codes: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of ``codes`` as a whole word (ASCII word boundaries, so a code
    next to Chinese characters is found too)."""
    words = sorted(set(codes), key=lambda c: (-len(c), c))
    if not words:
        return None
    return re.compile(
        r"(?<![A-Za-z0-9_\-./:])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_\-/.])"
    )


def raw_codes_in(text: str, pattern: re.Pattern[str] | None) -> list[str]:
    if pattern is None:
        return []
    return sorted(set(pattern.findall(text)))


def bad_date_inputs(inputs: Iterable[DateInput]) -> list[DateInput]:
    """Date inputs whose value a browser cannot hold (anything but empty or yyyy-mm-dd)."""
    return [d for d in inputs if d.value and not ISO_DATE.fullmatch(d.value)]


def english_error_page(html: str, *, full_page: bool) -> str:
    """Why ``html`` is an English error page ('' if it is not)."""
    for marker in TECHNICAL_MARKERS:
        if marker in html:
            return marker
    if full_page and not CJK.search(html):
        return "页面没有中文"
    return ""


# --- the walk -------------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str
    url: str
    detail: str
    referrer: str = ""

    @property
    def pattern(self) -> str:
        parts = urlsplit(self.url)
        return pattern_of(parts.path, parts.query) or parts.path

    def __str__(self) -> str:
        via = f" (链接来自 {self.referrer})" if self.referrer else ""
        return f"[{self.kind}] {self.url}: {self.detail}{via}"


@dataclass
class Visit:
    url: str
    depth: int
    referrer: str
    htmx: bool = False  # an hx-get: requested as htmx does (HX-Request header)


@dataclass
class WalkResult:
    who: str
    landing: str
    pages: int = 0
    requests: int = 0
    seconds: float = 0.0
    max_depth: int = 0
    problems: list[Problem] = field(default_factory=list)
    patterns: Counter[str] = field(default_factory=Counter)
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def grouped(self) -> list[str]:
        """One line per kind of problem and page type (with how many URLs showed it)."""
        groups: dict[tuple[str, str, str], list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(
                (p.kind, p.pattern, p.detail if p.kind != "date_input" else ""), []
            ).append(p)
        lines = []
        for (_kind, _pattern, _detail), problems in groups.items():
            more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
            lines.append(f"{self.who}: {problems[0]}{more}")
        return lines


# Never requested: Django's admin (a developer tool outside the product), static files, the JSON
# API and the language switch. Sign-out is a POST form; it is also skipped by name, so a link
# to it would not end the walk.
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/api/", "/i18n/", "/jsi18n/")
SKIP_NAMES = frozenset({"accounts:logout", "set_language"})


def name_of(path: str) -> str | None:
    """The URL name of a path (``<unresolved>…`` when none; None: never requested)."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        return f"<unresolved>{path}"
    return None if name in SKIP_NAMES else name


def pattern_of(path: str, query: str) -> str | None:
    """The page type of a URL: its URL name plus the names of the query parameters that have a
    value (a page number is not a new type)."""
    name = name_of(path)
    if name is None:
        return None
    keys = sorted({k for k, v in parse_qsl(query, keep_blank_values=True) if v} - {"page"})
    return name + ("?" + "&".join(keys) if keys else "")


class Walker:
    """Walk the site as one signed-in user (or anonymously) with the Django test client."""

    def __init__(
        self,
        *,
        who: str,
        client: Client,
        codes: re.Pattern[str] | None,
        max_depth: int = 4,
        per_pattern: int = 2,
        per_name: int = 4,
        signed_in: bool = True,
    ) -> None:
        self.who = who
        self.client = client
        self.codes = codes
        self.max_depth = max_depth
        self.per_pattern = per_pattern
        self.per_name = per_name
        self.signed_in = signed_in
        self.seen: set[str] = set()
        self.per: Counter[str] = Counter()
        self.per_view: Counter[str] = Counter()

    # -- URLs

    def normalise(self, href: str, base: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return None
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            return None
        if parts.path.startswith(SKIP_PREFIXES):
            return None
        return urlunsplit(("", "", parts.path, parts.query, ""))

    def admit(self, url: str) -> bool:
        """Whether to request ``url``: not seen, and its page type not yet walked enough."""
        if url in self.seen:
            return False
        parts = urlsplit(url)
        pattern = pattern_of(parts.path, parts.query)
        if pattern is None or self.per[pattern] >= self.per_pattern:
            return False
        name = pattern.split("?", 1)[0]
        if self.per_view[name] >= self.per_name:
            return False
        self.seen.add(url)
        self.per[pattern] += 1
        self.per_view[name] += 1
        return True

    # -- requests

    def _get(self, url: str, *, htmx: bool = False):  # noqa: ANN202 - a test client response
        """GET inside a savepoint, rolled back when the page failed (so one failing page cannot
        poison PostgreSQL's transaction for the rest of the walk)."""
        headers = {"HX-Request": "true"} if htmx else {}
        sid = transaction.savepoint()
        try:
            response = self.client.get(url, headers=headers)
        except Exception:
            transaction.savepoint_rollback(sid)
            raise
        if response.status_code >= 500:
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)
        return response

    def walk(self, start: str) -> WalkResult:
        result = WalkResult(who=self.who, landing=start)
        started = time.perf_counter()
        queue: deque[Visit] = deque()
        if self.admit(start):
            queue.append(Visit(start, 0, ""))
        while queue:
            visit = queue.popleft()
            self.visit(visit, queue, result)
        result.seconds = time.perf_counter() - started
        result.patterns = self.per
        return result

    def visit(self, visit: Visit, queue: deque[Visit], result: WalkResult) -> None:
        url = visit.url
        result.max_depth = max(result.max_depth, visit.depth)
        for _hop in range(5):
            result.requests += 1
            t0 = time.perf_counter()
            try:
                response = self._get(url, htmx=visit.htmx)
                result.slowest.append((time.perf_counter() - t0, url))
            except Exception as exc:  # a view raised: the page is a 500
                result.problems.append(
                    Problem("status", url, f"异常 {type(exc).__name__}: {exc}", visit.referrer)
                )
                return
            if response.status_code not in (301, 302, 303, 307, 308):
                break
            target = self.normalise(response["Location"], url)
            if target is None:
                return
            if self.signed_in and urlsplit(target).path.startswith("/accounts/login/"):
                result.problems.append(
                    Problem("login_redirect", url, "已登录用户被转到登录页", visit.referrer)
                )
                return
            if target in self.seen and target != url:
                return
            self.seen.add(target)
            url = target
        else:
            result.problems.append(Problem("status", url, "重定向次数过多", visit.referrer))
            return
        result.pages += 1
        status = response.status_code
        if status >= 400:
            result.problems.append(Problem("status", url, f"HTTP {status}", visit.referrer))
        content_type = response.get("Content-Type", "")
        if "text/html" not in content_type or getattr(response, "streaming", False):
            # A download (an export, a PDF): one per URL name is enough to know it answers.
            name = name_of(urlsplit(url).path)
            if name is not None and status < 400:
                self.per_view[name] = self.per_name
            return
        html = response.content.decode(response.charset or "utf-8", errors="replace")
        full_page = "<html" in html[:500].lower()
        why = english_error_page(html, full_page=full_page)
        if why:
            result.problems.append(Problem("error_page", url, why, visit.referrer))
        if status >= 400:
            return
        page = parse(html)
        codes = raw_codes_in(page.visible_text(), self.codes)
        if codes:
            result.problems.append(Problem("raw_code", url, "显示了代码 " + ", ".join(codes)))
        for bad in bad_date_inputs(page.date_inputs):
            result.problems.append(
                Problem(
                    "date_input", url, f"日期输入框 {bad.name} 的值 {bad.value!r} 不是 yyyy-mm-dd"
                )
            )
        if visit.depth >= self.max_depth:
            return
        for links, htmx in ((page.links, False), (page.htmx_links, True)):
            for href in links:
                target = self.normalise(href, url)
                if target is not None and self.admit(target):
                    queue.append(Visit(target, visit.depth + 1, url, htmx))
        for form in page.forms:
            if form.method.lower() != "get":
                continue
            action = self.normalise(form.action or url, url)
            if action is None:
                continue
            parts = urlsplit(action)
            query = urlencode(form.fields)
            target = urlunsplit(("", "", parts.path, query, ""))
            if self.admit(target):
                queue.append(Visit(target, visit.depth + 1, url))
