"""Form helpers shared by the HTML views of every app."""

from __future__ import annotations

from django import forms

from .errors import DomainError, is_terse_note


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
