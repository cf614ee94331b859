"""HTML input for the preferences page: one channel select per registered kind. Cleaning only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from .models import Channel
from .selectors import PreferenceRow


class PreferencesForm(forms.Form):
    """Fields are named by kind code; the service decides what is stored."""

    def __init__(self, *args: Any, rows: list[PreferenceRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.kind] = forms.ChoiceField(
                label=row.label, choices=Channel.choices, initial=row.channel, required=False
            )

    def chosen_channels(self) -> dict[str, str]:
        """The kinds submitted with a channel (a kind left out keeps its current one)."""
        return {kind: channel for kind, channel in self.cleaned_data.items() if channel}

    def rows_with_fields(self) -> list[tuple[PreferenceRow, BoundField]]:
        return [(row, self[row.kind]) for row in self.rows]
