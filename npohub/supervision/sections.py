"""The annual report's sections per organisation kind, as data, and their validation.

A report's content is ``AnnualReport.data[section][field]``. Each kind lists its sections in
``SECTIONS``; a section may apply only to some kinds, to charities, or only when rule 26 asks
for a rectification report. ``validate`` returns every error with the section and field it
concerns, so the form and the API can point at the exact input. There is deliberately no fee
field anywhere: the annual inspection is free (rule 23, SRT art. 35, MFQ art. 30).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ASSOCIATION = "association"
SOCIAL_SERVICE = "social_service"
FOUNDATION = "foundation"
ALL_KINDS = frozenset({ASSOCIATION, SOCIAL_SERVICE, FOUNDATION})
TEXT, INT, MONEY, BOOL, DATE, RATIO = "text", "int", "money", "bool", "date", "ratio"


@dataclass(frozen=True)
class Field:
    code: str
    label: StrOrPromise
    type: str = TEXT
    required: bool = False
    kinds: frozenset[str] = ALL_KINDS
    help: StrOrPromise = ""
    computed: bool = False  # filled by the platform (ratios); never typed in


@dataclass(frozen=True)
class Section:
    code: str
    label: StrOrPromise
    fields: tuple[Field, ...]
    kinds: frozenset[str] = ALL_KINDS
    charity_only: bool = False
    rectification_only: bool = False

    def fields_for(self, kind: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if kind in f.kinds)

    def field(self, code: str) -> Field | None:
        return next((f for f in self.fields if f.code == code), None)


_AF = frozenset({ASSOCIATION})
_FD = frozenset({FOUNDATION})

SECTIONS: tuple[Section, ...] = (
    Section(
        "basic",
        _l("基本信息"),
        (
            Field("org_name", _l("组织名称"), required=True),
            Field("uscc", _l("统一社会信用代码"), required=True),
            Field("legal_representative", _l("法定代表人/负责人"), required=True),
            Field("address", _l("住所"), required=True),
            Field("contact_phone", _l("联系电话")),
            Field("supervisory_unit", _l("业务主管单位")),
        ),
    ),
    Section(
        "governance",
        _l("负责人与会议"),
        (
            Field("officers", _l("负责人（每行“职务：姓名”）"), required=True),
            Field("general_assemblies", _l("会员（代表）大会召开次数"), INT, kinds=_AF),
            Field("council_meetings", _l("理事会召开次数"), INT, required=True),
            Field("supervisor_meetings", _l("监事（会）会议次数"), INT),
            Field("changes", _l("本年度负责人及机构变动情况")),
        ),
    ),
    Section(
        "staff",
        _l("人员情况"),
        (
            Field("full_time_staff", _l("专职工作人员数"), INT, required=True),
            Field("part_time_staff", _l("兼职工作人员数"), INT),
            Field("individual_members", _l("个人会员数"), INT, kinds=_AF),
            Field("unit_members", _l("单位会员数"), INT, kinds=_AF),
            Field("volunteers", _l("志愿者人数"), INT),
        ),
    ),
    Section(
        "party",
        _l("党建情况"),
        (
            Field("party_members", _l("正式党员人数"), INT, required=True),
            Field("has_party_organization", _l("已建立党组织"), BOOL),
            Field("party_organization", _l("党组织名称（或所属联合党组织）")),
            Field("party_instructor", _l("党建工作指导员")),
        ),
    ),
    Section(
        "activities",
        _l("业务活动与项目"),
        (
            Field("summary", _l("年度业务活动情况"), required=True),
            Field("projects", _l("开展项目数"), INT),
            Field("beneficiaries", _l("服务人次"), INT),
            Field("government_purchase", _l("承接政府购买服务情况")),
        ),
    ),
    Section(
        "income",
        _l("收入情况"),
        (
            Field("donation_income", _l("捐赠收入"), MONEY, required=True),
            Field("government_grants", _l("政府补助收入"), MONEY, required=True),
            Field("service_income", _l("提供服务收入"), MONEY, required=True),
            Field("dues_income", _l("会费收入"), MONEY, kinds=_AF),
            Field("investment_income", _l("投资收益"), MONEY),
            Field("other_income", _l("其他收入"), MONEY),
            # Issue 13: computed from the parts (typing it only invited a mismatch).
            Field(
                "total_income",
                _l("收入合计"),
                MONEY,
                computed=True,
                help=_l("由以上各项收入自动合计，无需填写"),
            ),
        ),
    ),
    Section(
        "expenditure",
        _l("支出情况"),
        (
            Field("program_expenses", _l("业务活动成本（公益事业支出）"), MONEY, required=True),
            Field("admin_expenses", _l("管理费用（行政办公支出）"), MONEY, required=True),
            Field("wages", _l("工作人员工资福利"), MONEY, required=True),
            Field("fundraising_expenses", _l("筹资费用"), MONEY),
            Field("other_expenses", _l("其他支出"), MONEY),
            Field("total_expenditure", _l("支出合计"), MONEY, required=True),
        ),
    ),
    Section(
        "assets",
        _l("资产负债"),
        (
            Field("total_assets", _l("资产合计"), MONEY, required=True),
            Field("total_liabilities", _l("负债合计"), MONEY, required=True),
            Field("net_assets", _l("净资产合计"), MONEY, required=True),
        ),
    ),
    Section(
        "foundation_ratios",
        _l("公益支出与管理费用比例"),
        (
            Field("prior_year_income", _l("上年度总收入"), MONEY, required=True),
            Field("three_year_average_income", _l("前三年收入平均数"), MONEY),
            Field("prior_year_fund_balance", _l("上年末基金余额"), MONEY, required=True),
            Field("spending_ratio", _l("公益事业支出比例"), RATIO, computed=True),
            Field("admin_ratio", _l("工资福利和管理费用占总支出比例"), RATIO, computed=True),
            Field("audit_firm", _l("审计机构"), required=True),
            Field("audit_opinion", _l("审计意见"), required=True),
        ),
        kinds=_FD,
    ),
    Section(
        "charity",
        _l("慈善组织信息公开"),
        (
            Field("disclosed_on", _l("年度报告在慈善中国公开日期"), DATE, required=True),
            Field("related_parties_filed", _l("已报送关联方清单"), BOOL),
            Field("major_projects", _l("上年度重大项目情况")),
        ),
        charity_only=True,
    ),
    Section(
        "rectification",
        _l("整改报告"),
        (
            Field("problems", _l("上年度年检发现的问题"), required=True),
            Field("measures", _l("整改措施与完成情况"), required=True),
        ),
        rectification_only=True,
    ),
)
SECTION_BY_CODE = {s.code: s for s in SECTIONS}

INCOME_PARTS = (
    "donation_income",
    "government_grants",
    "service_income",
    "dues_income",
    "investment_income",
    "other_income",
)
EXPENDITURE_PARTS = (
    "program_expenses",
    "admin_expenses",
    "wages",
    "fundraising_expenses",
    "other_expenses",
)


def sections_for(kind: str, *, is_charity: bool, needs_rectification: bool) -> list[Section]:
    """The sections a report of this kind must contain (rule 26 adds the rectification one)."""
    return [
        s
        for s in SECTIONS
        if kind in s.kinds
        and (is_charity or not s.charity_only)
        and (needs_rectification or not s.rectification_only)
    ]


def parse(field: Field, raw: Any) -> tuple[Any, str]:
    """Turn one input into its stored value; returns (value, error message or "")."""
    if field.type == BOOL:
        return raw in (True, "true", "on", "1", 1, "yes"), ""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None, ""
    if field.type == INT:
        try:
            value = int(text)
        except ValueError:
            return None, _("请输入整数")
        return (value, "") if value >= 0 else (None, _("不能为负数"))
    if field.type in (MONEY, RATIO):
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None, _("请输入金额（元）")
        if not amount.is_finite() or amount < 0:
            return None, _("不能为负数")
        return str(amount.quantize(Decimal("0.01"))), ""
    return text[:4000], ""


def money(data: dict[str, Any], code: str) -> Decimal:
    value = data.get(code)
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def income_total(income: dict[str, Any]) -> str | None:
    """收入合计: the sum of the income parts given (None while no part is filled in)."""
    given = [p for p in INCOME_PARTS if income.get(p) not in (None, "")]
    if not given:
        return None
    return f"{sum((money(income, p) for p in given), Decimal('0')):.2f}"


def foundation_ratios(
    expenditure: dict[str, Any],
    ratios: dict[str, Any],
    *,
    foundation_type: str,
    policy: dict[str, Any],
) -> dict[str, Decimal | None]:
    """JJH art. 29 / CSF art. 61: public-benefit spending ratio and wages+admin cost ratio."""
    spending = money(expenditure, "program_expenses")
    total = money(expenditure, "total_expenditure")
    admin = money(expenditure, "admin_expenses") + money(expenditure, "wages")
    if foundation_type == "non_public":
        base = money(ratios, "prior_year_fund_balance")
    else:
        base = money(ratios, "prior_year_income")
        average = money(ratios, "three_year_average_income")
        if policy["foundation_public_allow_three_year_average"] and average > 0:
            # CSF art. 61: measured against last year's income or the 3-year average,
            # whichever the foundation meets (the smaller base).
            base = min(base, average) if base > 0 else average
    q = Decimal("0.0001")
    return {
        "spending_ratio": (spending / base).quantize(q) if base > 0 else None,
        "admin_ratio": (admin / total).quantize(q) if total > 0 else None,
    }


@dataclass(frozen=True)
class Problem:
    section: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"section": self.section, "field": self.field, "message": self.message}


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def _sum_check(
    problems: list[Problem],
    section: Section,
    data: dict[str, Any],
    total: str,
    parts: tuple[str, ...],
) -> None:
    if data.get(total) in (None, ""):
        return
    summed = sum((money(data, p) for p in parts), Decimal("0"))
    stated = money(data, total)
    if summed != stated:
        field = section.field(total)
        assert field is not None
        problems.append(
            Problem(
                section.code,
                total,
                _("%(section)s：%(field)s（%(stated)s）与各分项之和（%(summed)s）不一致")
                % {
                    "section": section.label,
                    "field": field.label,
                    "stated": f"{stated:.2f}",
                    "summed": f"{summed:.2f}",
                },
            )
        )


def validate(
    *,
    kind: str,
    data: dict[str, Any],
    sections: list[Section],
    foundation_type: str,
    policy: dict[str, Any],
) -> list[Problem]:
    """Every problem of a report's content: required inputs, totals, foundation ratios."""
    problems: list[Problem] = []
    for section in sections:
        values = data.get(section.code) or {}
        if not values:
            problems.append(
                Problem(
                    section.code,
                    "",
                    _("缺少“%(section)s”部分") % {"section": section.label},
                )
            )
            continue
        for field in section.fields_for(kind):
            if field.required and not field.computed and values.get(field.code) in (None, ""):
                problems.append(
                    Problem(
                        section.code,
                        field.code,
                        _("%(section)s：请填写“%(field)s”")
                        % {"section": section.label, "field": field.label},
                    )
                )
    codes = {s.code for s in sections}
    if "income" in codes:
        _sum_check(
            problems,
            SECTION_BY_CODE["income"],
            data.get("income") or {},
            "total_income",
            INCOME_PARTS,
        )
    if "expenditure" in codes:
        _sum_check(
            problems,
            SECTION_BY_CODE["expenditure"],
            data.get("expenditure") or {},
            "total_expenditure",
            EXPENDITURE_PARTS,
        )
    assets = data.get("assets") or {}
    if "assets" in codes and all(
        assets.get(k) not in (None, "") for k in ("total_assets", "total_liabilities", "net_assets")
    ):
        stated = money(assets, "total_assets")
        summed = money(assets, "total_liabilities") + money(assets, "net_assets")
        if stated != summed:
            problems.append(
                Problem(
                    "assets",
                    "total_assets",
                    _(
                        "资产负债：资产合计（%(stated)s）不等于负债合计与净资产合计之和（%(summed)s）"
                    )
                    % {"stated": f"{stated:.2f}", "summed": f"{summed:.2f}"},
                )
            )
    if "foundation_ratios" in codes and data.get("foundation_ratios"):
        problems.extend(_ratio_problems(data, foundation_type=foundation_type, policy=policy))
    return problems


def _ratio_problems(
    data: dict[str, Any], *, foundation_type: str, policy: dict[str, Any]
) -> list[Problem]:
    ratios = foundation_ratios(
        data.get("expenditure") or {},
        data.get("foundation_ratios") or {},
        foundation_type=foundation_type,
        policy=policy,
    )
    problems: list[Problem] = []
    label = SECTION_BY_CODE["foundation_ratios"].label
    spending = ratios["spending_ratio"]
    if foundation_type == "non_public":
        minimum = Decimal(str(policy["foundation_non_public_min_spending_ratio"]))
        basis = _(
            "非公募基金会公益事业支出不得低于上年末基金余额的%(min)s（《基金会管理条例》第二十九条）"
        )
    else:
        minimum = Decimal(str(policy["foundation_public_min_spending_ratio"]))
        basis = _(
            "公募基金会公益事业支出不得低于上年度总收入（或前三年收入平均数）的%(min)s（《基金会管理条例》第二十九条、《慈善法》第六十一条）"
        )
    if spending is not None and spending < minimum:
        problems.append(
            Problem(
                "foundation_ratios",
                "spending_ratio",
                _("%(section)s：公益事业支出比例为%(actual)s，")
                % {"section": label, "actual": _pct(spending)}
                + basis % {"min": _pct(minimum)},
            )
        )
    admin = ratios["admin_ratio"]
    maximum = Decimal(str(policy["foundation_max_admin_ratio"]))
    if admin is not None and admin > maximum:
        problems.append(
            Problem(
                "foundation_ratios",
                "admin_ratio",
                _(
                    "%(section)s：工资福利和管理费用占总支出%(actual)s，不得高于%(max)s（《基金会管理条例》第二十九条）"
                )
                % {"section": label, "actual": _pct(admin), "max": _pct(maximum)},
            )
        )
    return problems
