"""Small helpers for the two interface languages (Simplified Chinese is the source language).

Messages are written in Chinese and wrapped in ``gettext`` (formatted at call time, with named
placeholders) or ``gettext_lazy`` (module-level constants); ``locale/en`` holds the English.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, pgettext


def short_label(value: Any) -> str:
    """A label without its bracketed note, in either language:
    社会服务机构（民办非企业单位） → 社会服务机构; "Social service institution (private
    non-enterprise unit)" → "Social service institution"."""
    return str(value or "").split("（")[0].split(" (")[0]


def in_source_language(text: Any) -> str:
    """A (lazy) translatable text as written in the source, i.e. its Chinese msgid.

    For content that stays Chinese whatever the interface language: the spreadsheets users
    fill in and import again (column headers, choice labels).
    """
    with translation.override(None):
        return str(text)


def enumeration(items: Iterable[Any]) -> str:
    """Items listed in a sentence: 甲、乙、丙 (English: "A, B, C")."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def clauses(items: Iterable[Any]) -> str:
    """Messages joined into one: 甲；乙 (English: "A; B")."""
    return pgettext("clause separator", "；").join(str(item) for item in items)


def labelled(label: Any, text: Any) -> str:
    """A message prefixed by what it is about: 名称：不能为空 (English: "Name: …")."""
    return gettext("%(label)s：%(text)s") % {"label": label, "text": text}
