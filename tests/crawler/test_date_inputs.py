"""One date widget: every ``<input type="date">`` a form renders holds its value as yyyy-mm-dd,
whatever the language. Django's own ``DateInput`` writes the language's first input format,
"2026/12/07" in Chinese, which the browser rejects and shows as an empty field."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.utils import translation

import npohub
from npohub.core.forms import DateInput

DAY = dt.date(2026, 12, 7)


def form_modules():
    """Every ``forms*.py`` module of every NPOHub app."""
    for config in apps.get_app_configs():
        if not config.name.startswith("npohub."):
            continue
        for info in pkgutil.iter_modules([config.path]):
            if info.name.startswith("forms"):
                yield importlib.import_module(f"{config.name}.{info.name}")


def date_widgets():
    for module in form_modules():
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, forms.BaseForm)):
                continue
            if cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if getattr(field.widget, "input_type", "") == "date":
                    yield f"{module.__name__}.{name}.{field_name}", field.widget


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_core_date_widget_writes_iso_dates_in_every_language(language):
    with translation.override(language):
        html = DateInput().render("on", DAY)
    assert 'type="date"' in html and 'value="2026-12-07"' in html


def test_every_date_field_of_every_form_holds_its_value_as_yyyy_mm_dd_in_chinese():
    found = dict(date_widgets())
    assert len(found) >= 30  # the walk reaches the forms (credit, hubs, party, stars …)
    with translation.override("zh-hans"):
        wrong = {name: w.format_value(DAY) for name, w in found.items()}
    assert {name: v for name, v in wrong.items() if v != "2026-12-07"} == {}


def test_no_app_builds_its_own_date_widget_instead_of_the_core_one():
    """Forms that add date fields at run time are not in ``base_fields``: read the source."""
    own = re.compile(r"forms\.DateInput\(|input_type\s*=\s*[\"']date")
    root = Path(npohub.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path != root / "core" / "forms.py"
        and own.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
