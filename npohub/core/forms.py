"""Form helpers shared by the HTML views of every app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, is_terse_note
from .i18n import labelled
from .uploads import ACCEPTED

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The one date widget: a browser date picker (``<input type="date">``) whose value is always
    ``yyyy-mm-dd``, the only form the browser accepts. Django's ``DateInput`` formats the value
    in the language's first input format, which for Chinese is "2026/12/07": the browser drops
    it and shows the field empty. Every form's date field uses this widget."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or ISO_DATE)


class DocumentUploadForm(forms.Form):
    """The upload form of any stored document (``core.uploads``): a kind among ``kinds`` and
    the file, with the accepted types offered to the browser and named in the help text."""

    kind = forms.ChoiceField(label=_("材料类型"))
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args: Any, kinds: Iterable[tuple[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = list(kinds)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ACCEPTED)
        self.fields["file"].help_text = _(
            "接受 PDF、图片（PNG/JPG/GIF）和 Word/Excel/PowerPoint（.docx/.xlsx/.pptx）文件"
        )


def apply_service_errors(form: forms.Form, exc: DomainError) -> None:
    """A service refusal on the form: each ``details`` entry beside the field it names, anything
    else on top. The one helper for every app; a form may tune it with these optional hooks:

    - ``detail_field(key) -> str``: the field a detail key is shown at (the service says
      ``authority_region``, the form's field is ``authority_code``);
    - ``detail_label(key) -> str | None``: a label for a detail that names no field, shown on top
      as "label：text";
    - ``denial_field(exc) -> str | None``: where a refusal without details belongs;
    - ``service_message_when``: when the field shows the service's full sentence instead of the
      detail text — ``"terse"`` (default: only for terse notes such as 必填), ``"single"`` (also
      when the refusal has one detail) or ``"always"``.
    """
    details: dict[str, Any] = dict(exc.details) if isinstance(exc.details, dict) else {}
    denial_field = getattr(form, "denial_field", None)
    if not details and denial_field is not None:
        name = denial_field(exc)
        if name and name in form.fields:
            details = {name: exc.message}
    field_for = getattr(form, "detail_field", None)
    label_for = getattr(form, "detail_label", None)
    when = getattr(form, "service_message_when", "terse")
    placed = False
    for key, message in details.items():
        name = field_for(key) if field_for is not None else key
        texts = [str(m) for m in message] if isinstance(message, list) else [str(message)]
        if name in form.fields:
            for text in texts:
                full = (
                    when == "always"
                    or is_terse_note(text)
                    or (when == "single" and len(details) == 1)
                )
                form.add_error(name, exc.message if full else text)
            placed = True
            continue
        label = label_for(key) if label_for is not None else None
        if label and not all(is_terse_note(t) for t in texts):
            for text in texts:
                form.add_error(None, labelled(label, text))
            placed = True
    if not placed:
        form.add_error(None, exc.message)
