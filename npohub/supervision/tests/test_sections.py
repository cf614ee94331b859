"""Report content: totals, foundation ratios (JJH art. 29 / CSF art. 61), required sections, no fee."""

from __future__ import annotations

import copy
from decimal import Decimal

from npohub.supervision import sections as sec
from npohub.supervision.models import AnnualReport, ReportAttachment
from npohub.supervision.policy import DEFAULTS
from npohub.supervision.tests.factories import VALID


def _check(kind="association", data=None, foundation_type="public", charity=False, rect=False):
    data = copy.deepcopy(VALID) if data is None else data
    sections = sec.sections_for(kind, is_charity=charity, needs_rectification=rect)
    return [
        p.as_dict()
        for p in sec.validate(
            kind=kind,
            data=data,
            sections=sections,
            foundation_type=foundation_type,
            policy=DEFAULTS,
        )
    ]


def test_a_complete_report_has_no_problems():
    assert _check() == []


def test_an_income_total_that_does_not_add_up_names_the_section_and_field():
    data = copy.deepcopy(VALID)
    data["income"]["total_income"] = "160.00"
    assert _check(data=data) == [
        {
            "section": "income",
            "field": "total_income",
            "message": "收入情况：收入合计（160.00）与各分项之和（150.00）不一致",
        }
    ]


def test_an_expenditure_total_that_does_not_add_up_is_refused():
    data = copy.deepcopy(VALID)
    data["expenditure"]["total_expenditure"] = "1.00"
    assert _check(data=data) == [
        {
            "section": "expenditure",
            "field": "total_expenditure",
            "message": "支出情况：支出合计（1.00）与各分项之和（980.00）不一致",
        }
    ]


def test_assets_must_equal_liabilities_plus_net_assets():
    data = copy.deepcopy(VALID)
    data["assets"]["net_assets"] = "300.00"
    assert _check(data=data) == [
        {
            "section": "assets",
            "field": "total_assets",
            "message": "资产负债：资产合计（500.00）不等于负债合计与净资产合计之和（400.00）",
        }
    ]


def test_a_missing_section_and_a_missing_required_field_are_named():
    data = copy.deepcopy(VALID)
    del data["assets"]
    data["staff"] = {"part_time_staff": 1}
    assert _check(data=data) == [
        {
            "section": "staff",
            "field": "full_time_staff",
            "message": "人员情况：请填写“专职工作人员数”",
        },
        {"section": "assets", "field": "", "message": "缺少“资产负债”部分"},
    ]


def test_a_public_foundation_spending_below_70_percent_of_last_years_income_is_refused():
    data = copy.deepcopy(VALID)
    data["expenditure"] = {
        "program_expenses": "600.00",
        "admin_expenses": "20.00",
        "wages": "20.00",
        "total_expenditure": "640.00",
    }
    assert _check(kind="foundation", data=data) == [
        {
            "section": "foundation_ratios",
            "field": "spending_ratio",
            "message": "公益支出与管理费用比例：公益事业支出比例为60.00%，公募基金会公益事业支出不得低于上年度总收入（或前三年收入平均数）的70.00%（《基金会管理条例》第二十九条、《慈善法》第六十一条）",
        }
    ]


def test_the_three_year_average_may_carry_a_public_foundation_csf_61():
    data = copy.deepcopy(VALID)
    data["expenditure"] = {
        "program_expenses": "600.00",
        "admin_expenses": "20.00",
        "wages": "20.00",
        "total_expenditure": "640.00",
    }
    data["foundation_ratios"]["three_year_average_income"] = "800.00"
    assert _check(kind="foundation", data=data) == []


def test_wages_and_admin_costs_above_10_percent_of_spending_are_refused():
    data = copy.deepcopy(VALID)
    data["expenditure"] = {
        "program_expenses": "880.00",
        "admin_expenses": "60.00",
        "wages": "60.00",
        "total_expenditure": "1000.00",
    }
    problems = _check(kind="foundation", data=data)
    assert [p["field"] for p in problems] == ["admin_ratio"]
    assert (
        problems[0]["message"]
        == "公益支出与管理费用比例：工资福利和管理费用占总支出12.00%，不得高于10.00%（《基金会管理条例》第二十九条）"
    )


def test_a_non_public_foundation_is_measured_against_8_percent_of_its_fund_balance():
    data = copy.deepcopy(VALID)
    data["foundation_ratios"]["prior_year_fund_balance"] = "20000.00"  # 900 / 20000 = 4.5 %
    problems = _check(kind="foundation", data=data, foundation_type="non_public")
    assert [p["field"] for p in problems] == ["spending_ratio"]
    assert "非公募基金会公益事业支出不得低于上年末基金余额的8.00%" in problems[0]["message"]
    ratios = sec.foundation_ratios(
        data["expenditure"],
        data["foundation_ratios"],
        foundation_type="non_public",
        policy=DEFAULTS,
    )
    assert ratios == {"spending_ratio": Decimal("0.0450"), "admin_ratio": Decimal("0.0816")}


def test_charity_and_rectification_sections_are_required_only_when_they_apply():
    codes = [
        s.code for s in sec.sections_for("association", is_charity=False, needs_rectification=False)
    ]
    assert (
        "charity" not in codes and "rectification" not in codes and "foundation_ratios" not in codes
    )
    data = copy.deepcopy(VALID)
    del data["rectification"]
    assert _check(data=data, rect=True) == [
        {"section": "rectification", "field": "", "message": "缺少“整改报告”部分"}
    ]


FEE_WORDS = ("fee", "charge", "年检费", "收费", "缴费", "检查费")


def test_no_model_field_or_section_field_is_a_fee_rule_23():
    names = []
    for model in (AnnualReport, ReportAttachment):
        names += [(f.name, str(getattr(f, "verbose_name", ""))) for f in model._meta.get_fields()]
    for section in sec.SECTIONS:
        names += [(f.code, str(f.label)) for f in section.fields]
    offending = [n for n in names if any(w in n[0].lower() or w in n[1] for w in FEE_WORDS)]
    assert offending == []
