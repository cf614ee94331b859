"""HTML forms of the party pages: cleaning and widgets only; the rules live in services.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import User
from npohub.core.errors import NotFound
from npohub.core.forms import DateInput
from npohub.orgs.models import Organization
from npohub.regions.codes import prefix_of
from npohub.regions.forms import RegionCascadeField
from npohub.regions.models import Region

from .models import InstructorKind, PartyOrganization, Tier
from .selectors import PartyOrganizationFilters, organization_find_for_party
from .services import PartyOrganizationInput

DATE = DateInput()
ORG_REF_HELP = _("填写统一社会信用代码（18位）或组织编号")


def _region_code(value: str) -> str:
    value = (value or "").strip()
    if value and (not value.isdigit() or len(value) > 12 or len(value) < 2):
        raise forms.ValidationError(_("区划代码应为2至12位数字"))
    return value.ljust(12, "0") if value else ""


class OrgRefField(forms.CharField):
    """An organisation by USCC or id, resolved inside the user's party scope by the form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("help_text", ORG_REF_HELP)
        super().__init__(**kwargs)


class UserBoundForm(forms.Form):
    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        self.user: User | AnonymousUser = user if user is not None else AnonymousUser()
        super().__init__(*args, **kwargs)

    def _org(self, name: str) -> Organization | None:
        ref = (self.cleaned_data.get(name) or "").strip()
        if not ref:
            return None
        try:
            return organization_find_for_party(self.user, ref)
        except NotFound:
            self.add_error(name, _("未找到该组织，或不在您的党建工作范围内"))
            return None


class PartyOrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("名称"), required=False)
    # A select per level from the user's scope down (names, never typed codes).
    region = RegionCascadeField(label=_("所在区划"))
    tier = forms.ChoiceField(
        label=_("层级"), required=False, choices=[("", _("全部")), *Tier.choices]
    )
    dissolved = forms.BooleanField(label=_("含已撤销"), required=False)

    def __init__(self, *args: Any, region_root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionCascadeField, self.fields["region"]).root = region_root

    def to_filters(self) -> PartyOrganizationFilters:
        """The list's filters (the page and its export read them the same way); an invalid
        one (shown as an error) is left out, not the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PartyOrganizationFilters(
            region_prefix=prefix_of(data["region"]) if data.get("region") else "",
            tier=data.get("tier", ""),
            search=data.get("q", ""),
            include_dissolved=bool(data.get("dissolved")),
        )


class PartyOrganizationForm(UserBoundForm):
    name = forms.CharField(label=_("党组织名称"), max_length=200)
    tier = forms.ChoiceField(label=_("层级"), choices=Tier.choices)
    host_organization = OrgRefField(
        label=_("所在单位"),
        required=False,
        help_text=_("独立党支部、单位党总支/党委填写所在社会组织；行业党委填写依托的枢纽组织"),
    )
    region_code = forms.CharField(
        label=_("所在区划代码"),
        required=False,
        max_length=12,
        help_text=_("留空则取所在单位的住所区划；联合党支部必填"),
    )
    parent = forms.ModelChoiceField(
        label=_("上级党组织"), required=False, queryset=PartyOrganization.objects.none()
    )
    industry = forms.CharField(
        label=_("行业（行业党委）"),
        required=False,
        max_length=50,
        help_text=_("如：社会工作、养老服务"),
    )
    secretary_name = forms.CharField(label=_("书记姓名"), required=False, max_length=50)
    secretary_phone = forms.CharField(label=_("书记电话"), required=False, max_length=20)
    approval_ref = forms.CharField(label=_("批复文号"), required=False, max_length=100)
    established_on = forms.DateField(label=_("成立日期"), widget=DATE)
    formal_members = forms.IntegerField(label=_("正式党员"), min_value=0, initial=0)
    probationary_members = forms.IntegerField(label=_("预备党员"), min_value=0, initial=0)
    activists = forms.IntegerField(label=_("入党积极分子"), min_value=0, initial=0)
    covered = forms.CharField(
        label=_("覆盖单位（联合党支部）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个统一社会信用代码或组织编号，一般不超过5个单位"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    EDIT_EXCLUDED = (
        "host_organization",
        "formal_members",
        "probationary_members",
        "activists",
        "covered",
    )

    def __init__(self, *args: Any, editing: PartyOrganization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import party_organizations_visible_to

        parents = party_organizations_visible_to(self.user).filter(
            tier__in=[Tier.GENERAL_BRANCH, Tier.COMMITTEE], dissolved_on__isnull=True
        )
        if editing is not None:
            parents = parents.exclude(pk=editing.pk)
            for name in self.EDIT_EXCLUDED:
                del self.fields[name]
        self.fields["parent"].queryset = parents.order_by("name")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(po: PartyOrganization) -> dict[str, Any]:
        return {
            "name": po.name,
            "tier": po.tier,
            "region_code": po.region_code,
            "parent": po.parent_id,
            "industry": po.industry,
            "secretary_name": po.secretary.name if po.secretary else "",
            "secretary_phone": po.secretary.phone if po.secretary else "",
            "approval_ref": po.approval_ref,
            "established_on": po.established_on,
            "note": po.note,
        }

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data.get("region_code", ""))

    def to_input(self) -> PartyOrganizationInput | None:
        """The service input, or None after adding an error for an unknown organisation."""
        data = self.cleaned_data
        host = self._org("host_organization") if "host_organization" in self.fields else None
        covered = []
        for line in (data.get("covered") or "").splitlines():
            if line.strip():
                try:
                    covered.append(organization_find_for_party(self.user, line))
                except NotFound:
                    self.add_error(
                        "covered",
                        _("未找到“%(ref)s”，或不在您的党建工作范围内") % {"ref": line.strip()},
                    )
        if self.errors:
            return None
        return PartyOrganizationInput(
            name=data["name"],
            tier=data["tier"],
            established_on=data["established_on"],
            region_code=data.get("region_code", ""),
            host_organization=host,
            parent=data.get("parent"),
            industry=data.get("industry", ""),
            secretary_name=data.get("secretary_name", ""),
            secretary_phone=data.get("secretary_phone", ""),
            approval_ref=data.get("approval_ref", ""),
            formal_members=data.get("formal_members") or 0,
            probationary_members=data.get("probationary_members") or 0,
            activists=data.get("activists") or 0,
            note=data.get("note", ""),
            covered=covered,
        )


class MemberCountForm(forms.Form):
    as_of = forms.DateField(label=_("截至日期"), widget=DATE, initial=timezone.localdate)
    formal_members = forms.IntegerField(label=_("正式党员"), min_value=0)
    probationary_members = forms.IntegerField(label=_("预备党员"), min_value=0, initial=0)
    activists = forms.IntegerField(label=_("入党积极分子"), min_value=0, initial=0)


class DissolveForm(forms.Form):
    dissolved_on = forms.DateField(label=_("撤销日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("撤销原因"), max_length=300)


class CoverageForm(UserBoundForm):
    organization = OrgRefField(label=_("单位"))
    start_date = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)


class EndDateForm(forms.Form):
    end_date = forms.DateField(label=_("终止日期"), widget=DATE, initial=timezone.localdate)


class StaffMembersForm(forms.Form):
    as_of = forms.DateField(label=_("截至日期"), widget=DATE, initial=timezone.localdate)
    formal_members = forms.IntegerField(label=_("从业人员中正式党员"), min_value=0)
    source = forms.CharField(
        label=_("来源"), required=False, max_length=100, help_text=_("如：年度报告、党员摸底")
    )


class WorkStationForm(UserBoundForm):
    name = forms.CharField(label=_("工作站名称"), max_length=200)
    host_organization = OrgRefField(label=_("依托枢纽组织"))
    region_code = forms.CharField(
        label=_("所在区划代码"),
        required=False,
        max_length=12,
        help_text=_("留空则取枢纽组织住所区划"),
    )
    established_on = forms.DateField(label=_("设立日期"), widget=DATE)
    budget_year = forms.IntegerField(label=_("经费年度"), required=False, min_value=2000)
    budget_amount = forms.DecimalField(
        label=_("年度经费（元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data.get("region_code", ""))


class BudgetForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, initial=lambda: timezone.localdate().year
    )
    amount = forms.DecimalField(label=_("经费（元）"), min_value=0, max_digits=12, decimal_places=2)


class StationLinkForm(UserBoundForm):
    organization = OrgRefField(label=_("社会组织"), required=False)
    party_organization = forms.ModelChoiceField(
        label=_("或党组织"), required=False, queryset=PartyOrganization.objects.none()
    )
    start_date = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import party_organizations_visible_to

        self.fields["party_organization"].queryset = (  # type: ignore[attr-defined]
            party_organizations_visible_to(self.user)
            .filter(dissolved_on__isnull=True)
            .order_by("name")
        )


class InstructorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), required=False, max_length=20)
    kind = forms.ChoiceField(label=_("类别"), choices=InstructorKind.choices)
    unit_label = forms.CharField(label=_("所在单位"), required=False, max_length=200)
    region_code = forms.CharField(label=_("所在区划代码"), max_length=12)
    appointed_on = forms.DateField(label=_("选派日期"), widget=DATE, initial=timezone.localdate)

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data.get("region_code", ""))


class InstructorEndForm(forms.Form):
    ended_on = forms.DateField(label=_("离任日期"), widget=DATE, initial=timezone.localdate)


class AssignForm(UserBoundForm):
    organization = OrgRefField(label=_("联系单位"))
    start_date = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)
