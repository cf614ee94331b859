"""The walk itself, on a tiny site with one of each defect: it follows links and GET forms (not
POST forms, not other sites), and reports a dead link, a page that fails, a raw code in the
visible text (not in attributes) and a date input the browser cannot hold."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from .crawl import (
    Walker,
    bad_date_inputs,
    code_pattern,
    english_error_page,
    parse,
    raw_codes_in,
)

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.crawler.sample_site")
def test_the_walk_reports_each_kind_of_defect_and_where_the_link_came_from():
    walker = Walker(
        who="样例",
        client=Client(raise_request_exception=False),
        codes=code_pattern({"submit", "in_review", "kind"}),
        signed_in=False,
        per_pattern=1,
    )
    result = walker.walk("/")

    found = {(p.kind, p.url, p.referrer) for p in result.problems}
    assert ("status", "/missing/", "/") in found
    assert ("status", "/broken/", "/") in found
    assert any(k == "raw_code" and u == "/codes/" for k, u, _r in found)
    assert ("date_input", "/dates/", "") in found
    assert [p.detail for p in result.problems if p.url == "/codes/"] == [
        "显示了代码 in_review, submit"
    ]
    assert not [p for p in result.problems if p.url == "/ok/"]  # a code in an attribute is fine
    assert "/search/?q=%E5%85%BB%E8%80%81&kind=b" in walker.seen  # the form's default values
    assert not any("missing-post" in url or "example.com" in url for url in walker.seen)
    assert walker.per["deep"] == 1  # one URL per page type
    assert result.max_depth == 2


def test_lone_ampersands_in_attributes_stay_as_the_browser_reads_them():
    page = parse("<a href='/regions/picker/?target=x&current=1&amp;root=2'>选择</a>")
    assert page.links == ["/regions/picker/?target=x&current=1&root=2"]


def test_codes_are_found_as_whole_words_next_to_chinese_but_not_inside_words_or_file_names():
    pattern = code_pattern({"submit", "draft"})
    assert raw_codes_in("状态draft，下一步submit", pattern) == ["draft", "submit"]
    assert raw_codes_in("submitted drafts draft.pdf re_submit", pattern) == []


def test_a_date_input_holds_only_empty_or_iso_values():
    page = parse(
        "<input type='date' name='a' value='2026/12/07'><input type='date' name='b' value=''>"
        "<input type='date' name='c' value='2026-12-07'><input name='d' value='2026/12/07'>"
    )
    assert [d.name for d in bad_date_inputs(page.date_inputs)] == ["a"]


def test_english_error_pages_are_recognised_and_chinese_pages_are_not():
    assert english_error_page("<h1>Not Found</h1><p>The requested resource…</p>", full_page=True)
    assert english_error_page("<html><body>Page not found</body></html>", full_page=True)
    assert not english_error_page("<html><body>页面不存在</body></html>", full_page=True)
