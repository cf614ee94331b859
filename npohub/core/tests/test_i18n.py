"""English as the second language: shared messages, filters, and the catalogue itself."""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext, npgettext, pgettext

from npohub.core.errors import PermissionDenied
from npohub.core.i18n import in_source_language, short_label
from npohub.core.permissions import deny, require
from npohub.core.templatetags.npohub import duration_cn, yes_no, yuan
from npohub.core.validators import IdentifierError, uscc_validate

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_default_refusal_reads_in_english_and_keeps_its_code():
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        require(deny(""))
    assert refused.value.message == "You are not allowed to do this"
    assert refused.value.code == "permission_denied"
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        require(deny(""))
    assert refused.value.message == "无权执行此操作"


def test_short_labels_drop_the_bracketed_note_in_either_language():
    label = gettext_lazy("社会服务机构（民办非企业单位）")
    with translation.override("en"):
        assert short_label(label) == "Social service institution"
        assert in_source_language(label) == "社会服务机构（民办非企业单位）"
    with translation.override("zh-hans"):
        assert short_label(label) == "社会服务机构"


def test_identifier_errors_read_in_english():
    with translation.override("en"), pytest.raises(IdentifierError) as english:
        uscc_validate("5137")
    assert english.value.message == "The USCC must have 18 characters; this one has 4"
    assert english.value.code == "uscc_length"


def test_yuan_counts_in_millions_in_english_and_in_wan_and_yi_in_chinese():
    with translation.override("en"):
        assert yuan(5000) == "CNY 5,000.00"
        assert yuan(30000) == "CNY 30,000.00"
        assert yuan(Decimal("1500000")) == "CNY 1.50 million"
        assert yuan(2_500_000_000) == "CNY 2.50 billion"
        assert yes_no(True) == "Yes"
        assert duration_cn(dt.timedelta(minutes=30)) == "30 min"
    with translation.override("zh-hans"):
        assert yuan(5000) == "5,000.00元"
        assert yuan(30000) == "3.00万元"
        assert yuan(120_000_000) == "1.20亿元"
        assert duration_cn(dt.timedelta(hours=2)) == "2 小时"


# --- The catalogue ---------------------------------------------------------------------------


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _catalogue_entries(path: Path) -> list[Entry]:
    """The active entries of a .po file (obsolete ``#~`` entries skipped)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry.line:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            rest, keyword = line, ""
        text = ast.literal_eval(rest)
        if keyword == "msgctxt":
            entry.context, target = text, ("context", 0)
        elif keyword == "msgid":
            entry.msgid, entry.line, target = text, number, ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.plural, target = text, ("plural", 0)
        elif keyword.startswith("msgstr"):
            entry.msgstr.append(text)
            target = ("msgstr", len(entry.msgstr) - 1)
        else:  # a continuation line
            assert target is not None, f"line {number}: stray string"
            name, index = target
            if name == "context":
                entry.context = (entry.context or "") + text
            elif name == "msgid":
                entry.msgid += text
            elif name == "plural":
                entry.plural = (entry.plural or "") + text
            else:
                entry.msgstr[index] += text
    finish()
    return entries


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = [e for e in _catalogue_entries(CATALOGUE) if e.msgid]
    assert len(entries) > 500
    untranslated = [f"{e.line}: {e.msgid}" for e in entries if not all(e.msgstr)]
    fuzzy = [f"{e.line}: {e.msgid}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


def test_the_compiled_catalogue_matches_the_po_file():
    """``compilemessages`` was run after the last edit of django.po."""
    stale = []
    with translation.override("en"):
        for e in _catalogue_entries(CATALOGUE):
            if not e.msgid:
                continue
            if e.plural is None:
                got = pgettext(e.context, e.msgid) if e.context else gettext(e.msgid)
            elif e.context:
                got = npgettext(e.context, e.msgid, e.plural, 1)
            else:
                got = ngettext(e.msgid, e.plural, 1)
            if got != e.msgstr[0]:
                stale.append(f"{e.line}: {e.msgid}")
    assert not stale, "run compilemessages:\n" + "\n".join(stale)
