"""One way to write dates and numbers on every page (issue 13, "Chinese everywhere")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from npohub.core.templatetags.npohub import cn_month, thousands

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = [
    *sorted((ROOT / "npohub").glob("**/templates/**/*.html")),
    *sorted((ROOT / "templates").glob("**/*.html")),
]
# A date written with the |date filter in a numeric pattern (Y-m-d, Y-m, Y/m/d …).
NUMERIC_DATE = re.compile(r"""\|date:["'][Yy][-/.]m""")


def _outside_machine_places(line: str) -> str:
    """The line without what is read by machines: input values, URLs, data attributes."""
    line = re.sub(r"""<input[^>]*>""", "", line)
    line = re.sub(r"""(href|action|hx-\w+|data-[\w-]+|value)="[^"]*\"""", "", line)
    return line


def test_no_template_writes_a_numeric_date_into_page_text():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if NUMERIC_DATE.search(_outside_machine_places(line))
    ]
    assert offenders == []


def test_a_month_reads_the_chinese_way_and_iso_in_english():
    assert cn_month(dt.date(2026, 5, 1)) == "2026年5月"
    assert cn_month("2026-05") == "2026年5月"
    assert cn_month(None) == ""
    with translation.override("en"):
        assert cn_month(dt.date(2026, 5, 1)) == "2026-05"


def test_counts_and_numbers_get_thousands_separators():
    assert thousands(37069) == "37,069"
    assert thousands(999) == "999"
    assert thousands(-1234567) == "-1,234,567"
    assert thousands("37069") == "37,069"
    assert thousands(Decimal("100000.00")) == "100,000.00"
    assert thousands(1234.5) == "1,234.5"
    assert thousands(None) == ""
    assert thousands("—") == "—"


def test_a_page_template_renders_a_count_with_its_separator():
    html = Template("{% load npohub %}共 {{ n|thousands }} 个").render(Context({"n": 37069}))
    assert html == "共 37,069 个"


def test_a_paginated_list_says_how_many_with_a_thousands_separator():
    from django.core.paginator import Paginator
    from django.template import RequestContext
    from django.test import RequestFactory

    page = Paginator(range(37069), 20).page(1)
    html = Template('{% include "components/pagination.html" with page=page %}').render(
        RequestContext(RequestFactory().get("/orgs/"), {"page": page})
    )
    assert "共 37,069 条" in html


def test_django_number_formatting_groups_chinese_counts_too():
    from django.contrib.humanize.templatetags.humanize import intcomma

    with translation.override("zh-hans"):
        assert intcomma(37069) == "37,069"


def test_a_chinese_form_label_ends_with_a_full_width_colon():
    from django import forms

    class NameForm(forms.Form):
        name = forms.CharField(label="名称")

    with translation.override("zh-hans"):
        assert str(NameForm()["name"].label_tag()).endswith("名称：</label>")
    with translation.override("en"):
        assert str(NameForm()["name"].label_tag()).endswith("名称:</label>")
