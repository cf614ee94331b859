"""HTML forms of the stars pages (cleaning and widgets only; the services hold the rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.regions.forms import RegionCascadeField
from npohub.regions.models import Region

from .models import MONTH_SCALE, AwardKind, ScorecardItem
from .selectors import month_start, shift_month


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` → the first day of that month (default: last month)."""
    fallback = default or shift_month(month_start(timezone.localdate()), -1)
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return fallback


class ScoreRowForm(forms.Form):
    """One member's row of the bulk entry table: a points field per item, one reason and one
    evidence for the row's deductions."""

    reason = forms.CharField(label=_("扣分理由"), required=False, max_length=300)
    evidence = forms.CharField(label=_("扣分依据"), required=False, max_length=500)

    def __init__(self, *args: Any, items: list[ScorecardItem], prefix: str = "", **kwargs: Any):
        kwargs["prefix"] = prefix
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.code}"] = forms.DecimalField(
                label=item.name,
                min_value=Decimal("0"),
                max_value=item.max_points,
                decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "0.1", "class": "score-input"}),
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.code}"] for item in self.items]

    def lines(self) -> dict[str, Any]:
        from .services import LineInput

        data = self.cleaned_data
        return {
            item.code: LineInput(
                points=data[f"item_{item.code}"],
                reason=data.get("reason", ""),
                evidence=data.get("evidence", ""),
            )
            for item in self.items
        }


class AppealForm(forms.Form):
    grounds = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealDecisionForm(forms.Form):
    note = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    adjusted_points = forms.DecimalField(
        label=_("调整后得分"),
        required=False,
        min_value=Decimal("0"),
        max_value=MONTH_SCALE,
        max_digits=4,
        decimal_places=1,
    )


class InterviewRecordForm(forms.Form):
    held_on = forms.DateField(label=_("约谈日期"), widget=DateInput())
    outcome = forms.CharField(label=_("约谈情况"), widget=forms.Textarea(attrs={"rows": 3}))
    rectification_due = forms.DateField(label=_("整改期限"), required=False, widget=DateInput())


class InterviewResolveForm(forms.Form):
    rectified = forms.TypedChoiceField(
        label=_("整改结果"),
        choices=[("yes", _("整改到位")), ("no", _("整改不到位（标记退出孵化基地）"))],
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("核查意见"), widget=forms.Textarea(attrs={"rows": 3}))


class StarAssessmentForm(forms.Form):
    party_building_passed = forms.TypedChoiceField(
        label=_("党建落实（首要依据）"),
        choices=[("yes", _("合格")), ("no", _("不合格"))],
        coerce=lambda v: v == "yes",
    )
    party_note = forms.CharField(label=_("党建说明"), required=False, max_length=300)
    self_score = forms.DecimalField(label=_("自评（百分制）"), min_value=0, max_value=100)
    peer_score = forms.DecimalField(label=_("互评（百分制）"), min_value=0, max_value=100)
    resident_score = forms.DecimalField(label=_("群众评（百分制）"), min_value=0, max_value=100)


class StarFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    # A select per level from the user's scope down (names, never typed codes).
    region = RegionCascadeField(label=_("所在区划"))

    def __init__(self, *args: Any, region_root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionCascadeField, self.fields["region"]).root = region_root


class AwardRoundForm(forms.Form):
    title = forms.CharField(label=_("评选名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=AwardKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    winners = forms.IntegerField(
        label=_("评选名额"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("十佳默认10名"),
    )
    vote_opens = forms.DateField(label=_("投票开始"), widget=DateInput())
    vote_closes = forms.DateField(label=_("投票截止"), widget=DateInput())


class NominationForm(forms.Form):
    organization = forms.IntegerField(label=_("组织编号"), min_value=1)
    statement = forms.CharField(label=_("推荐理由"), widget=forms.Textarea(attrs={"rows": 3}))


# --- scorecard templates ---------------------------------------------------------------------


class TemplateForm(forms.Form):
    """The head of a scorecard version: its name and the locality it applies to."""

    name = forms.CharField(label=_("评分表名称"), max_length=100)
    region_code = forms.ChoiceField(
        label=_("适用辖区"),
        required=False,
        help_text=_("保存后立即生效，替换该辖区正在使用的评分表；已填报的月度评分不受影响"),
    )

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region_code"]).choices = region_choices


class TemplateItemForm(forms.Form):
    """One row of the items table. Lenient on purpose: the service names each bad row."""

    code = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    sort_order = forms.IntegerField(
        label=_("排序"),
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "narrow", "aria-label": _("排序")}),
    )
    name = forms.CharField(
        label=_("评分项目"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100, "aria-label": _("评分项目")}),
    )
    max_points = forms.CharField(
        label=_("分值"),
        required=False,
        widget=forms.NumberInput(
            attrs={"step": "0.1", "min": "0.1", "class": "score-input", "aria-label": _("分值")}
        ),
    )
    guidance = forms.CharField(
        label=_("评分要点"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, "aria-label": _("评分要点")}),
    )
    is_party_building = forms.BooleanField(
        label=_("党建项目"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-label": _("党建项目")}),
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(
            str(data.get(key) or "").strip() for key in ("name", "max_points", "guidance")
        )


TemplateItemFormSet = forms.formset_factory(
    TemplateItemForm, extra=0, can_delete=True, max_num=40, absolute_max=40, validate_max=True
)
ITEMS_PREFIX = "items"


def template_items(formset: Any) -> list[Any]:
    """The kept rows of a valid items formset as ``services.ItemInput``, in the order the
    排序 column gives (rows without a number keep their place after the numbered ones); new
    rows get a free code ``item1``, ``item2`` …; blank and deleted rows are left out."""
    from .services import ItemInput

    kept = [
        (form.cleaned_data.get("sort_order"), index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
    ]
    kept.sort(key=lambda row: (row[0] is None, row[0] or 0, row[1]))
    taken = {str(data.get("code") or "").strip() for _o, _i, data in kept}
    free = (f"item{n}" for n in range(1, 1000) if f"item{n}" not in taken)
    return [
        ItemInput(
            code=str(data.get("code") or "").strip() or next(free),
            name=data["name"],
            max_points=data["max_points"],
            guidance=data["guidance"],
            is_party_building=bool(data["is_party_building"]),
        )
        for _order, _index, data in kept
    ]


def items_formset_data(items: list[Any]) -> dict[str, Any]:
    """POST-like data of an items formset holding ``items`` (ItemInput or ScorecardItem) in
    their order, numbered 1, 2, 3 … (used to copy a version and to show refused rows)."""
    data: dict[str, Any] = {
        f"{ITEMS_PREFIX}-TOTAL_FORMS": str(len(items)),
        f"{ITEMS_PREFIX}-INITIAL_FORMS": "0",
    }
    for index, item in enumerate(items):
        row = f"{ITEMS_PREFIX}-{index}-"
        data.update(
            {
                f"{row}code": item.code,
                f"{row}sort_order": str(index + 1),
                f"{row}name": item.name,
                f"{row}max_points": str(item.max_points),
                f"{row}guidance": item.guidance,
            }
        )
        if item.is_party_building:
            data[f"{row}is_party_building"] = "on"
    return data
