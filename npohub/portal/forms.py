"""The public search form: text, kind, status and district."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from npohub.orgs.models import Kind, Status
from npohub.orgs.selectors import OrganizationFilters
from npohub.regions.models import Region
from npohub.registration.models import AnnouncementKind

LANDING_ORDER = "-registration_date"


class PortalSearchForm(forms.Form):
    q = forms.CharField(
        label=_("名称、统一社会信用代码或拼音首字母"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("如：养老、ylfw、51370102")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("组织类型"), required=False, choices=[("", _("全部类型")), *Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("登记状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    region = forms.ChoiceField(label=_("所在区县"), required=False)

    def __init__(self, *args: Any, districts: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", _("全市")),
            *((d.code, d.name) for d in districts),
        ]
        self.districts = {d.code: d for d in districts}

    def to_filters(self) -> OrganizationFilters:
        """The registry filters for a valid form (nothing filtered when it is not valid)."""
        if not self.is_valid():
            return OrganizationFilters(order=LANDING_ORDER)
        data = self.cleaned_data
        district = self.districts.get(data["region"])
        search = data["q"].strip()
        return OrganizationFilters(
            search=search,
            kind=data["kind"],
            status=data["status"],
            region_prefix=district.prefix if district else "",
            # A search lists names alphabetically; without one, the newest come first.
            order="name" if search else LANDING_ORDER,
        )


class AnnouncementSearchForm(forms.Form):
    """The public list of registration announcements: title or USCC prefix, and kind."""

    q = forms.CharField(
        label=_("标题或统一社会信用代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("如：养老、51370102")}),
    )
    kind = forms.ChoiceField(
        label=_("公告类型"),
        required=False,
        choices=[("", _("全部公告")), *AnnouncementKind.choices],
    )

    def criteria(self) -> tuple[str, str]:
        """(q, kind) for a valid form; nothing filtered when it is not valid."""
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["q"].strip(), self.cleaned_data["kind"]
