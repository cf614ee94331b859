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

import re
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from pypinyin import Style, lazy_pinyin

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
