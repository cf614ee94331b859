"""HTML forms of grade assessment: cleaning and widgets only (rules live in services)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.orgs.models import Kind

from .models import Level

if TYPE_CHECKING:
    from npohub.accounts.models import User
    from npohub.orgs.models import Organization
    from npohub.regions.models import Region

    from .models import Expert, Indicator, Round

KIND_CHOICES = [
    (Kind.ASSOCIATION.value, Kind.ASSOCIATION.label),
    (Kind.SOCIAL_SERVICE.value, Kind.SOCIAL_SERVICE.label),
    (Kind.FOUNDATION.value, Kind.FOUNDATION.label),
]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("组织评估的登记管理机关"))
    kinds = forms.MultipleChoiceField(
        label=_("参评组织类型"), choices=KIND_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    applications_until = forms.DateField(
        label=_("申报截止日期"), required=False, widget=DateInput()
    )
    copy_from = forms.ChoiceField(label=_("沿用指标体系"), required=False)

    def __init__(
        self, *args: object, regions: list[Region], rounds: list[Round], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["region"]).choices = [(r.code, r.name) for r in regions]
        cast(forms.ChoiceField, self.fields["copy_from"]).choices = [("", _("默认指标体系"))] + [
            (str(r.pk), r.name) for r in rounds
        ]
        self.fields["year"].initial = timezone.localdate().year


class IndicatorForm(forms.Form):
    parent = forms.ChoiceField(label=_("上级指标"), required=False)
    code = forms.CharField(label=_("编号"), max_length=20)
    name = forms.CharField(label=_("指标"), max_length=200)
    max_points = forms.IntegerField(label=_("分值"), min_value=1, max_value=1000)
    guidance = forms.CharField(
        label=_("评分说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: object, parents: list[Indicator] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if parents is None:
            del self.fields["parent"]
        else:
            cast(forms.ChoiceField, self.fields["parent"]).choices = [("", _("（一级指标）"))] + [
                (str(p.pk), f"{p.code} {p.name}") for p in parents
            ]


class ApplicationForm(forms.Form):
    organization = forms.ChoiceField(label=_("参评组织"))
    note = forms.CharField(
        label=_("申报说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, organizations: list[Organization], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["organization"]).choices = [
            (str(o.pk), o.name) for o in organizations
        ]


class PanelForm(forms.Form):
    expert = forms.ChoiceField(label=_("专家"))

    def __init__(self, *args: object, experts: list[Expert], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["expert"]).choices = [
            (str(e.pk), f"{e.user} {e.field}".strip()) for e in experts
        ]


class FinaliseForm(forms.Form):
    final_total = forms.DecimalField(
        label=_("审定得分"), max_digits=6, decimal_places=1, required=False
    )
    note = forms.CharField(
        label=_("委员会意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    reasons = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("0", _("异议不成立")), ("1", _("异议成立"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=_("书面复核决定"), widget=forms.Textarea(attrs={"rows": 3}))
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对票"), min_value=0)
    new_total = forms.DecimalField(
        label=_("复核后得分"), max_digits=6, decimal_places=1, required=False
    )


class ExpertForm(forms.Form):
    user = forms.ChoiceField(label=_("用户（评估专家角色）"))
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    field = forms.CharField(label=_("专业领域"), max_length=100, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)

    def __init__(self, *args: object, users: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["user"]).choices = [
            (str(u.pk), f"{u} ({u.username})") for u in users
        ]


class ConflictForm(forms.Form):
    organization_id = forms.IntegerField(label=_("组织编号"), min_value=1)
    reason = forms.CharField(label=_("回避事由"), max_length=300)


class DowngradeForm(forms.Form):
    reason = forms.CharField(label=_("降级事由"), max_length=300)


class GradeSearchForm(forms.Form):
    q = forms.CharField(label=_("名称/统一社会信用代码"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部"))] + list(Level.choices)
    )
