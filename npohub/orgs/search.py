"""Registry search: Chinese substrings, USCC prefixes and pinyin initials.

Portable first version (LIKE on the base table); the indexed paths plug in here.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from pypinyin import Style, lazy_pinyin

from .models import Organization

_USCC_PREFIX = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2,18}$")
_INITIALS = re.compile(r"^[a-z]{2,30}$")


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


def classify(query: str) -> str:
    """What a query is: "uscc" prefix, pinyin "initials", or Chinese "text"."""
    text = query.strip()
    if _INITIALS.match(text):
        return "initials"
    if _USCC_PREFIX.match(text.upper()) and any(ch.isdigit() for ch in text):
        return "uscc"
    return "text"


def apply_search(qs: QuerySet[Organization], query: str) -> QuerySet[Organization]:
    text = query.strip()
    if not text:
        return qs
    kind = classify(text)
    if kind == "uscc":
        return qs.filter(uscc__startswith=text.upper())
    if kind == "initials":
        return qs.filter(Q(name_initials__startswith=text) | Q(name_initials__contains=" " + text))
    return qs.filter(Q(name__contains=text) | Q(former_names__icontains=text))
