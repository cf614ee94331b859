"""Form helpers shared by the HTML views of every app."""

from __future__ import annotations

from typing import Any

from django import forms

from .errors import DomainError, is_terse_note

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The one date widget: a browser date picker (``<input type="date">``) whose value is always
    ``yyyy-mm-dd``, the only form the browser accepts. Django's ``DateInput`` formats the value
    in the language's first input format, which for Chinese is "2026/12/07": the browser drops
    it and shows the field empty. Every form's date field uses this widget."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or ISO_DATE)


def apply_service_errors(form: forms.Form, exc: DomainError) -> None:
    """A service refusal on the form: each ``details`` entry beside the field it names (the
    full message where the detail is a terse note such as 必填), anything else on top."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, message in details.items():
        if name in form.fields:
            text = str(message)
            form.add_error(name, exc.message if is_terse_note(text) else text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
