"""HTML input shaping for the annual-report pages (cleaning and widgets only; rules are in services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput, DocumentUploadForm
from npohub.orgs.models import REGISTERED_KINDS, Kind
from npohub.regions.codes import prefix_of
from npohub.regions.forms import RegionCascadeField
from npohub.regions.models import Region

from . import sections as sec
from .models import AttachmentKind, Conclusion, ReportState
from .selectors import ReportFilters

KIND_CHOICES = [("", _("全部类型"))] + [
    (k.value, k.label) for k in Kind if k.value in REGISTERED_KINDS
]


class ReportFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ReportState.choices]
    )
    kind = forms.ChoiceField(label=_("组织类型"), required=False, choices=KIND_CHOICES)
    conclusion = forms.ChoiceField(
        label=_("结论"), required=False, choices=[("", _("全部结论")), *Conclusion.choices]
    )
    # A select per level from the user's scope down (names, never typed codes).
    region = RegionCascadeField(label=_("所在区划"))
    q = forms.CharField(label=_("组织名称"), required=False, max_length=100)

    def __init__(self, *args: Any, region_root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionCascadeField, self.fields["region"]).root = region_root

    def to_filters(self) -> ReportFilters:
        """The list's filters (the page and its export read them the same way); an invalid
        one (shown as an error) is left out, not the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ReportFilters(
            year=data.get("year"),
            state=data.get("state", ""),
            kind=data.get("kind", ""),
            conclusion=data.get("conclusion", ""),
            region_prefix=prefix_of(data["region"]) if data.get("region") else "",
            search=data.get("q", ""),
        )


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("年检结论"), choices=Conclusion.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("理由（基本合格、不合格须写明）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=30)
    note = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(DocumentUploadForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, kinds=AttachmentKind.choices, **kwargs)


class CreateForm(forms.Form):
    organization = forms.IntegerField(min_value=1)
    year = forms.IntegerField(min_value=2000, max_value=2100)


def section_form_class(section: sec.Section, kind: str) -> type[forms.Form]:
    """A form with one input per field of the section for this kind (computed ones read-only)."""
    fields: dict[str, Any] = {}
    for f in section.fields_for(kind):
        attrs = {"disabled": True} if f.computed else {}
        if f.type == sec.BOOL:
            fields[f.code] = forms.BooleanField(label=f.label, required=False)
        elif f.type == sec.INT:
            fields[f.code] = forms.CharField(
                label=f.label, required=False, widget=forms.NumberInput(attrs={"min": 0, **attrs})
            )
        elif f.type in (sec.MONEY, sec.RATIO):
            fields[f.code] = forms.CharField(
                label=f.label,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", **attrs}),
            )
        elif f.type == sec.DATE:
            fields[f.code] = forms.CharField(label=f.label, required=False, widget=DateInput())
        elif f.code in (
            "officers",
            "summary",
            "changes",
            "problems",
            "measures",
            "major_projects",
            "government_purchase",
        ):
            fields[f.code] = forms.CharField(
                label=f.label, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
        else:
            fields[f.code] = forms.CharField(label=f.label, required=False)
        # Required for submission, not for saving a draft: shown with the required mark.
        fields[f.code].show_required = f.required and not f.computed
        if f.help:
            fields[f.code].help_text = f.help
    return type(f"{section.code.title()}Form", (forms.Form,), fields)
