"""Registry search: Chinese substrings, USCC prefixes and pinyin initials.

What a query means (the same on SQLite and PostgreSQL, and what the tests check by brute force):

* The query is split on whitespace into terms (at most ``MAX_TERMS``); an organisation matches
  when it matches **every** term ("历下 养老" = both substrings).
* A term matches when, after ASCII lower-casing (``fold``), it is a **substring** of
  - the current name, or any former name (one at a time: never across two names), or
  - the pinyin initials of the current name or of a former name (``name_initials``;
    "jnsmz" finds 济南市民政局, and "ylfw" finds 历下区养老服务协会: substring, not prefix,
    because Chinese names start with a place name users often leave out);
* or, when the term looks like a USCC prefix (2–18 USCC characters with a digit), the USCC
  **starts with** it, case-insensitively.

Only ASCII letters are case-folded (SQLite's ``lower()``); other scripts match exactly.

How it is answered (migration ``0004_search_index`` builds the index and its triggers):

* Every organisation has one ``orgs_search_doc.body``: the folded names and initials, one per
  line, kept current by SQL triggers on ``orgs_organization`` (every write path is covered).
* Terms of 3+ characters use the trigram index: SQLite FTS5 ``trigram`` (``MATCH`` on a quoted
  phrase); PostgreSQL ``LIKE '%term%'`` served by the ``pg_trgm`` GIN index, ANDed with "the
  body holds every bigram of the term" (the bigram GIN below) so the planner has a selective
  index even where it would seq-scan for the LIKE alone.
* Terms of 1–2 characters never touch a trigram index (SQLite 3.40's FTS5 returns a silently
  empty result, pg_trgm has no selectivity). They use a bigram index (migration
  ``0005_search_bigrams``): SQLite, a contentless FTS5 table of the body's character bigrams
  built by the same triggers (2 characters = one token, 1 character = a prefix query);
  PostgreSQL, a GIN index on the stored bigram array (2 characters; 1 character scans). Terms
  holding ASCII punctuation or spaces scan the narrow doc table with ``instr``/``strpos``
  (~16 ms at city size, 37 k organisations).
* USCC prefixes use the unique index as a range (``uscc >= p AND uscc < p || 'Z'``).

Each term becomes one ``pk IN (subquery)`` filter, so the search composes with whatever scoped
and filtered queryset it is given.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.db import connections
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg

from .models import Organization

MAX_TERMS = 5
MAX_TERM_LENGTH = 60
TRIGRAM_MIN = 3  # shorter terms must never reach a trigram index

_USCC_PREFIX = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2,18}$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Greater than every USCC character: ``p <= uscc < p + _USCC_TOP`` is "uscc starts with p".
_USCC_TOP = "Z"


def name_initials(*names: str) -> str:
    """Lower-case pinyin initials of each name, space separated: 济南市民政局 → "jnsmzj"."""
    parts = []
    for name in names:
        if not name:
            continue
        letters = "".join(
            syllable[0]
            for syllable in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
            if syllable
        )
        if letters:
            parts.append(letters.lower())
    return " ".join(dict.fromkeys(parts))


# --- Pinyin sort key -----------------------------------------------------------------------------

NAME_PINYIN_LENGTH = 1400  # 200 characters of at most 7 ("zhuang1") each

# A run of characters that have pinyin (pypinyin converts each run on its own).
_HAN_RUN = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"))
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=50_000)
def _piece_pinyin(piece: str) -> str:
    return "".join(
        lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
    )


@functools.lru_cache(maxsize=50_000)
def _run_pinyin(run: str) -> str:
    """pypinyin cuts a run into dictionary phrases (``mmseg.seg``) and converts each piece on
    its own; pieces ("解放桥", "社区", "舞蹈队") repeat across names far more than runs do."""
    return "".join(map(_piece_pinyin, mmseg.seg.cut(run)))


def name_pinyin(name: str) -> str:
    """The pinyin sort key of a name: each character's syllable followed by its tone digit
    (丁 → "ding1", 三 → "san1", 万 → "wan4"; neutral tone 5), other letters and digits
    lower-cased, everything else dropped. Only ``[a-z0-9]``, so the tone digit ends each
    syllable ("san1" < "sang1") and the key sorts the same under any collation of either
    engine: 丁 < 三 < 万, not code-point order (丁 < 万 < 三)."""
    parts: list[str] = []
    last = 0
    for match in _HAN_RUN.finditer(name):
        parts.append(_NOT_KEY.sub("", fold(name[last : match.start()])))
        parts.append(_run_pinyin(match.group()))
        last = match.end()
    parts.append(_NOT_KEY.sub("", fold(name[last:])))
    return "".join(parts)[:NAME_PINYIN_LENGTH]


def fold(text: str) -> str:
    """ASCII lower-casing only (what SQLite's lower() does), so both engines agree."""
    return text.translate(_ASCII_LOWER)


def search_terms(query: str) -> list[str]:
    """The distinct whitespace-separated terms of a query, in order, capped."""
    terms = [term[:MAX_TERM_LENGTH] for term in query.split()]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def is_uscc_prefix(term: str) -> bool:
    upper = term.upper()
    return bool(_USCC_PREFIX.match(upper)) and any(ch.isdigit() for ch in upper)


def classify(query: str) -> str:
    """What a single-term query looks like: "uscc" prefix, pinyin "initials", or "text"."""
    text = query.strip()
    if is_uscc_prefix(text):
        return "uscc"
    if re.fullmatch(r"[A-Za-z]+", text):
        return "initials"
    return "text"


def _phrase(text: str) -> str:
    """An FTS5 string literal: every character literal (no operators, no column filters)."""
    return '"' + text.replace('"', '""') + '"'


def _is_token_char(ch: str) -> bool:
    """A character the bigram index's ``ascii`` tokenizer keeps (non-ASCII, or ASCII alnum)."""
    return not ch.isascii() or ch.isalnum()


def term_subquery(term: str, vendor: str) -> tuple[str, list[Any]]:
    """SQL selecting the ids of organisations that match one term, and its parameters."""
    needle = fold(term)
    params: list[Any]
    if vendor == "sqlite":
        if len(needle) >= TRIGRAM_MIN:
            sql = "SELECT rowid FROM orgs_search_fts WHERE orgs_search_fts MATCH %s"
            params = [_phrase(needle)]
        elif all(_is_token_char(ch) for ch in needle):
            # one bigram token ("养老"), or every token starting with the character ("养"*)
            sql = "SELECT rowid FROM orgs_search_bi WHERE orgs_search_bi MATCH %s"
            params = [_phrase(needle) + ("*" if len(needle) == 1 else "")]
        else:
            sql = "SELECT org_id FROM orgs_search_doc WHERE instr(body, %s) > 0"
            params = [needle]
    elif vendor == "postgresql":
        if len(needle) >= TRIGRAM_MIN:
            # Both conditions are exact necessary conditions; the planner picks the pg_trgm
            # GIN (body) or the bigram GIN (grams), whichever is more selective. At city size
            # it otherwise seq-scans for the LIKE alone (~15 ms vs ~1-4 ms).
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql = "SELECT org_id FROM orgs_search_doc WHERE grams @> %s::text[] AND body LIKE %s"
            params = [
                sorted({needle[i : i + 2] for i in range(len(needle) - 1)}),
                "%" + escaped + "%",
            ]
        elif len(needle) == 2:
            sql = "SELECT org_id FROM orgs_search_doc WHERE grams @> ARRAY[%s]::text[]"
            params = [needle]
        else:
            sql = "SELECT org_id FROM orgs_search_doc WHERE strpos(body, %s) > 0"
            params = [needle]
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"registry search does not support {vendor}")
    if is_uscc_prefix(term):
        prefix = term.upper()
        sql += " UNION SELECT id FROM orgs_organization WHERE uscc >= %s AND uscc < %s"
        params += [prefix, prefix + _USCC_TOP]
    if vendor == "postgresql":
        # Evaluate the index lookup once (an InitPlan) and join its ids by primary key: left as
        # a plain IN, the planner may walk the name index of the whole table instead (~10x).
        sql = f"SELECT unnest(ARRAY({sql}))"
    return sql, params


def apply_search(qs: QuerySet[Organization], query: str) -> QuerySet[Organization]:
    """Narrow ``qs`` (already scoped and filtered) to the organisations matching ``query``."""
    vendor = connections[qs.db].vendor
    for term in search_terms(query):
        sql, params = term_subquery(term, vendor)
        qs = qs.filter(pk__in=RawSQL(sql, params))
    return qs


# --- Ranking -------------------------------------------------------------------------------------

RANK_EXACT, RANK_PREFIX, RANK_REGISTERED, RANK_OTHER = 0, 1, 2, 3


def _starts_with(field: str, prefix: str) -> Exact[str]:
    """``field`` starts with ``prefix``: a fixed-length ``Substr`` compared with ``=``, binary on
    both engines (``LIKE`` folds ASCII case on SQLite only)."""
    return Exact(Substr(field, 1, len(prefix)), Value(prefix))


def search_rank(query: str) -> Case | None:
    """How well an organisation matching ``query`` matches, as a database expression (so a
    paginated list sorts by it on both engines): 0 the name (or USCC) is the query, 1 the name
    (or the pinyin initials of the name, or the USCC) starts with the first term, 2 any other
    match that is a registered organisation (登记), 3 the other matches (filed community
    groups, 备案). ``None`` for an empty query."""
    terms = search_terms(query)
    if not terms:
        return None
    first = terms[0]
    exact = Q(name=" ".join(terms))
    prefix = Q(_starts_with("name", first))
    if is_uscc_prefix(first):
        exact |= Q(uscc=first.upper())
        prefix |= Q(_starts_with("uscc", first.upper()))
    if re.fullmatch(r"[A-Za-z]+", first):
        prefix |= Q(_starts_with("name_initials", fold(first)))
    return Case(
        When(exact, then=Value(RANK_EXACT)),
        When(prefix, then=Value(RANK_PREFIX)),
        When(~Q(kind="community_group"), then=Value(RANK_REGISTERED)),
        default=Value(RANK_OTHER),
        output_field=IntegerField(),
    )


def order_by_relevance(qs: QuerySet[Organization], query: str) -> QuerySet[Organization]:
    """``qs`` (already narrowed by ``apply_search``) best match first, then in pinyin order;
    in pinyin order alone when there is no query."""
    rank = search_rank(query)
    if rank is None:
        return qs.order_by(*PINYIN_ORDER)
    return qs.alias(search_rank=rank).order_by("search_rank", *PINYIN_ORDER)


PINYIN_ORDER = ("name_pinyin", "name", "id")


def matches(
    query: str, *, name: str, former_names: list[str], initials: str, uscc: str | None
) -> bool:
    """The reference semantics in plain Python (used by tests and the benchmark's checks)."""
    names = [fold(n) for n in (name, *former_names) if n]
    names += [fold(part) for part in initials.split()]
    for term in search_terms(query):
        needle = fold(term)
        hit = any(needle in n for n in names)
        if not hit and uscc and is_uscc_prefix(term):
            hit = uscc.startswith(term.upper())
        if not hit:
            return False
    return True
