"""Every section and field label of the annual report has an English entry in the catalogue
(English pages showed 52 of them in Chinese)."""

from __future__ import annotations

import re

from django.utils import translation

from npohub.supervision.sections import SECTIONS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_report_section_and_field_label_reads_in_english():
    untranslated = []
    with translation.override("en"):
        for section in SECTIONS:
            labels = [
                section.label,
                *(f.label for f in section.fields),
                *(f.help for f in section.fields if f.help),
            ]
            untranslated += [str(label) for label in labels if CHINESE.search(str(label))]
    assert untranslated == []
