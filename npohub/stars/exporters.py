"""Exports of the star-rating lists (core.exports): monthly scores and the year's ranking, each
the page's check, query reading and scoped selector, with the columns the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, check_form, register

from . import selectors
from .forms import StarFilterForm, parse_month
from .models import AppealState
from .permissions import sees_star_work


def _card_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    """As the score list reads its query: month (yyyy-mm), low (below 6 only)."""
    month = query.get("month")
    return {
        "period": parse_month(month) if month else None,
        "below": Decimal("6") if query.get("low") else None,
    }


register(
    ExportDefinition(
        key="stars.scorecards",
        title=_("月度评分"),
        list_url="stars:scorecard-list",
        may_export=sees_star_work,
        filters=_card_filters,
        records=lambda user, f: selectors.scorecard_list_for(
            user, period=f["period"], below=f["below"]
        ),
        columns=[
            attr(_("组织"), "organization.name"),
            Column(_("月份"), lambda c: c.period.strftime("%Y-%m") if c.period else ""),
            attr(_("评分单位"), "hub.name"),
            attr(_("得分"), "total"),
        ],
    )
)


def _star_filters(query: Mapping[str, Any]) -> tuple[int, str]:
    """As the star list reads its query: year (default last year) and region."""
    form = check_form(StarFilterForm(query))
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year - 1
    region = (data.get("region") or "").strip()
    return year, region.rstrip("0") if len(region) == 12 else region


def _passed(item: Any) -> str:
    return str(_("合格")) if item.party_building_passed else str(_("不合格"))


register(
    ExportDefinition(
        key="stars.ratings",
        title=_("星级评定"),
        list_url="stars:star-list",
        may_export=sees_star_work,
        filters=_star_filters,
        records=lambda user, f: selectors.star_ranking(user, f[0], region_prefix=f[1]),
        columns=[
            attr(_("排名"), "rank"),
            attr(_("年度"), "year"),
            attr(_("组织"), "organization.name"),
            Column(_("党建"), _passed),
            attr(_("月度平均"), "monthly_average"),
            attr(_("自评"), "self_score"),
            attr(_("互评"), "peer_score"),
            attr(_("群众评"), "resident_score"),
            attr(_("综合得分"), "composite"),
            attr(_("星级"), "stars"),
            Column(_("状态"), lambda i: str(_("已公布")) if i.is_published else str(_("未公布"))),
        ],
    )
)


def _state(query: Mapping[str, Any], default: str = "") -> str:
    """The ``state`` parameter as the appeal and interview lists read it."""
    value = query.get("state")
    return default if value is None else str(value)[:40]


def _month(appeal: Any) -> str:
    period = appeal.line.scorecard.period
    return period.strftime("%Y-%m") if period else ""


register(
    ExportDefinition(
        key="stars.appeals",
        title=_("评分申诉"),
        list_url="stars:appeal-list",
        may_export=sees_star_work,
        filters=lambda query: _state(query, AppealState.SUBMITTED),
        records=lambda user, state: selectors.appeal_list_for(user, state=state),
        columns=[
            attr(_("组织"), "organization.name"),
            Column(_("月份"), _month),
            attr(_("项目"), "line.item.name"),
            attr(_("状态"), "state"),
            attr(_("提交时间"), "created_at"),
        ],
    )
)

register(
    ExportDefinition(
        key="stars.interviews",
        title=_("约谈任务"),
        list_url="stars:interview-list",
        may_export=sees_star_work,
        filters=_state,
        records=lambda user, state: selectors.interview_list_for(user, state=state),
        columns=[
            attr(_("组织"), "organization.name"),
            attr(_("事由"), "reason"),
            attr(_("说明"), "detail"),
            Column(_("承办人"), lambda t: str(t.assignee) if t.assignee_id else ""),
            attr(_("约谈期限"), "due_on"),
            attr(_("状态"), "state"),
        ],
    )
)
