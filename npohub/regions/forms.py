"""HTML input for the regions pages (cleaning only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UrbanRural


class UrbanRuralCorrectionForm(forms.Form):
    urban_rural = forms.ChoiceField(
        label=_("城乡属性"),
        choices=[
            (UrbanRural.URBAN, UrbanRural.URBAN.label),
            (UrbanRural.RURAL, UrbanRural.RURAL.label),
        ],
    )


class PickerQuery(forms.Form):
    """The picker's GET parameters: ``target`` is the name of the hidden input to fill."""

    target = forms.RegexField(regex=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$", required=False)
    root = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    parent = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    current = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", required=False)
    select = forms.RegexField(regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$", required=False)
    q = forms.CharField(max_length=50, required=False, strip=True)
