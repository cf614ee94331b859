"""The registration rules (domain-rules §1, rules 7–20) as pure checks.

Each check reads an application (and the registry) and returns ``{field: message}``; an empty
dict means it passes. The services run them on submit, on acceptance and again on approval,
so a record that became invalid meanwhile (say the legal representative took office elsewhere)
is caught before it reaches the registry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.params import DecimalOutOfRange, parse_decimal
from npohub.core.validators import uscc_check_character
from npohub.orgs.models import CLOSED_STATUSES, Category, Kind, ManagementLevel, Organization
from npohub.orgs.validation import OrganizationInput, clean_organization
from npohub.regions.models import Level, Region

from .models import Application
from .policy import policy_for
from .workflows import FINAL_STATES, S

Errors = dict[str, str]

# Registry fields an application may carry (the OrganizationInput names).
ORG_FIELDS = (
    "name",
    "category_code",
    "management_level",
    "community_code",
    "address",
    "supervisory_unit",
    "legal_representative_name",
    "legal_representative_id_number",
    "legal_representative_phone",
    "registered_funds",
    "foundation_type",
    "certificate_form",
    "is_charity",
    "purpose",
    "business_scope",
    "activity_area",
    "phone",
)
# Registry fields a change application may change, and which of them are announced (rule 15)
# or printed on the certificate (a change reissues it).
CHANGEABLE_FIELDS = (
    "name",
    "address",
    "community_code",
    "legal_representative_name",
    "legal_representative_id_number",
    "legal_representative_phone",
    "purpose",
    "business_scope",
    "registered_funds",
    "supervisory_unit",
    "activity_area",
)
ANNOUNCED_CHANGES = frozenset({"name", "address", "community_code", "legal_representative_name"})
CERTIFICATE_FIELDS = frozenset(
    {
        "name",
        "address",
        "community_code",
        "legal_representative_name",
        "registered_funds",
        "supervisory_unit",
        "business_scope",
        "activity_area",
    }
)
REPRESENTATIVE_FIELDS = frozenset({"legal_representative_name", "legal_representative_id_number"})


def _int(value: Any) -> int:
    try:
        return int(str(value).strip() or 0)
    except (TypeError, ValueError):
        return -1


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def placeholder_uscc(org_kind: str, division6: str) -> str:
    """A well-formed code used only to validate the other fields before a USCC is issued."""
    digit = {"association": "1", "social_service": "2", "foundation": "3"}.get(org_kind, "9")
    first17 = f"5{digit}{division6}500000001"
    return first17 + uscc_check_character(first17)


def proposed_input(app: Application) -> OrganizationInput:
    """The organisation the application would put in the registry, as registry input."""
    data = app.data or {}
    values = {f: data.get(f, "") for f in ORG_FIELDS}
    if app.kind == "change" and app.organization is not None:
        from npohub.orgs.validation import organization_input_of

        current = organization_input_of(app.organization)
        changes = data.get("changes", {}) or {}
        for key, value in changes.items():
            if key in CHANGEABLE_FIELDS:
                setattr(current, key, value)
        return current
    if app.kind == "reelection" and app.organization is not None:
        from npohub.orgs.validation import organization_input_of

        current = organization_input_of(app.organization)
        for key in ("legal_representative_name", "legal_representative_id_number"):
            if data.get(key):
                setattr(current, key, data[key])
        if data.get("legal_representative_phone"):
            current.legal_representative_phone = data["legal_representative_phone"]
        return current
    if not values.get("supervisory_unit") and app.supervisory_department is not None:
        values["supervisory_unit"] = app.supervisory_department.name
    authority = app.authority_region
    is_registered = app.org_kind in ("association", "social_service", "foundation")
    return OrganizationInput(
        kind=app.org_kind,
        uscc=placeholder_uscc(app.org_kind, authority.code[:6]) if is_registered else "",
        authority_region_code=authority.code,
        registration_date=timezone.localdate().isoformat(),
        status="active",
        **{k: v for k, v in values.items() if k in OrganizationInput.__dataclass_fields__},
    )


def check_record(app: Application) -> Errors:
    """The registry fields themselves (rule 11 required fields, codes, ID numbers)."""
    if app.kind in ("name_approval", "preparation", "articles", "deregistration", "revocation"):
        return {}
    _cleaned, errors = clean_organization(proposed_input(app))
    errors.pop("uscc", None)
    errors.pop("registration_date", None)
    # The supervisory unit is checked at acceptance (check_supervisory_consent, rule 10).
    errors.pop("supervisory_unit", None)
    return errors


def check_name(app: Application) -> Errors:
    """Rule 19 (composition, banned words, one name) and uniqueness in the registry."""
    if app.kind not in ("name_approval", "preparation", "establishment", "change", "filing"):
        return {}
    name = str((app.data.get("changes") or {}).get("name", "") if app.kind == "change" else "")
    name = (name or app.data.get("name", "") or "").strip()
    if app.kind == "change" and not name:
        return {}
    if not name:
        return {"name": _("请填写组织名称")}
    policy = policy_for(app.authority_region.code)
    errors: Errors = {}
    if app.org_kind != Kind.COMMUNITY_GROUP:
        division_names = _division_names(app.authority_region)
        sector = name
        for prefix in sorted(division_names, key=len, reverse=True):
            if name.startswith(prefix):
                sector = name[len(prefix) :]
                break
        else:
            level = app.data.get("management_level", "")
            if level != ManagementLevel.NATIONAL:
                errors["name"] = _(
                    "名称应以登记管理机关所在行政区划名称开头（如“%(example)s”）"
                ) % {"example": app.authority_region.name}
        banned = [w for w in policy["forbidden_name_words"] if w in sector]
        if banned:
            errors["name"] = _("名称中不得使用“%(words)s”等误导性用语") % {
                "words": "、".join(banned)
            }
        if app.data.get("management_level", "") != ManagementLevel.NATIONAL:
            national = [w for w in policy["national_only_name_words"] if w in name]
            if national:
                errors["name"] = _("地方性社会组织名称不得冠以“%(words)s”") % {
                    "words": "、".join(national)
                }
        if not any(name.endswith(form) for form in policy["name_forms"]):
            errors.setdefault(
                "name",
                _("名称应以组织形式结尾（如协会、研究会、促进会、服务中心、基金会）"),
            )
    if errors:
        return errors
    others = Organization.objects.exclude(status__in=CLOSED_STATUSES).filter(name=name)
    if app.organization_id:
        others = others.exclude(pk=app.organization_id)
    if app.org_kind == Kind.COMMUNITY_GROUP:
        others = others.filter(kind=Kind.COMMUNITY_GROUP, community__code=app.address_code)
    else:
        others = others.exclude(kind=Kind.COMMUNITY_GROUP)
    if others.exists():
        return {"name": _("名称“%(name)s”已被其他组织使用") % {"name": name}}
    pending = (
        Application.objects.filter(name=name, org_kind=app.org_kind)
        .exclude(pk=app.pk)
        .exclude(state__in=FINAL_STATES - {S.APPROVED})
        .exclude(state=S.DRAFT)
    )
    if app.organization_id:
        pending = pending.exclude(organization_id=app.organization_id)
    # An approved name reservation of someone else blocks the name while it is valid.
    reserved = pending.filter(kind="name_approval", state=S.APPROVED)
    today = timezone.localdate().isoformat()
    if any(
        (r.result or {}).get("valid_until", "") >= today and r.applicant_id != app.applicant_id
        for r in reserved
    ):
        return {"name": _("名称“%(name)s”已被他人核准预留") % {"name": name}}
    in_flight = pending.exclude(kind="name_approval").exclude(state=S.APPROVED)
    if app.kind != "name_approval" and in_flight.exclude(applicant_id=app.applicant_id).exists():
        return {"name": _("名称“%(name)s”正在他人的登记申请中使用") % {"name": name}}
    return {}


def _division_names(region: Region) -> set[str]:
    """Full and short names of the authority's region and its ancestors (济南市 / 济南 …)."""
    names: set[str] = set()
    node: Region | None = region
    while node is not None:
        names.add(node.name)
        for suffix in ("省", "市", "区", "县", "自治州", "自治县", "地区", "盟", "旗"):
            if node.name.endswith(suffix) and len(node.name) - len(suffix) >= 2:
                names.add(node.name[: -len(suffix)])
        node = node.parent
    return names


def check_founding_minimums(app: Application) -> Errors:
    """Rules 7–8: members and activity funds (associations), original fund (foundations)."""
    if app.kind not in ("establishment", "preparation"):
        return {}
    data = app.data or {}
    policy = policy_for(app.authority_region.code)
    errors: Errors = {}
    if app.org_kind == Kind.ASSOCIATION:
        community = _is_community_level(app)
        individual = _int(data.get("individual_members", 0))
        units = _int(data.get("unit_members", 0))
        if individual < 0 or units < 0:
            errors["individual_members"] = _("会员数量应为非负整数")
            return errors

        def limit(key: str) -> int:
            local = policy.get(f"community_{key}") if community else None
            return int(local if local is not None else policy[f"association_{key}"])

        min_ind, min_unit, min_mixed = (
            limit("min_individual_members"),
            limit("min_unit_members"),
            limit("min_mixed_members"),
        )
        if individual and units:
            if individual + units < min_mixed:
                errors["individual_members"] = _(
                    "个人会员和单位会员混合组成的，会员总数不得少于 %(n)s 个（现为 %(have)s 个）"
                ) % {"n": min_mixed, "have": individual + units}
        elif units:
            if units < min_unit:
                errors["unit_members"] = _("单位会员不得少于 %(n)s 个（现为 %(have)s 个）") % {
                    "n": min_unit,
                    "have": units,
                }
        elif individual < min_ind:
            errors["individual_members"] = _("个人会员不得少于 %(n)s 个（现为 %(have)s 个）") % {
                "n": min_ind,
                "have": individual,
            }
        funds = _decimal(data.get("registered_funds"))
        national = data.get("management_level") == ManagementLevel.NATIONAL
        minimum = Decimal(
            policy["community_min_funds"]
            if community and policy.get("community_min_funds") is not None
            else policy[
                "association_min_funds_national" if national else "association_min_funds_local"
            ]
        )
        if funds is None or funds < minimum:
            errors["registered_funds"] = _("%(scope)s社会团体的活动资金不得少于 %(min)s 元") % {
                "scope": _("全国性") if national else _("地方性"),
                "min": _yuan(minimum),
            }
    elif app.org_kind == Kind.FOUNDATION:
        if app.authority_region.level > Level.PROVINCE:
            errors["authority_region"] = _("基金会只能由民政部或省级民政部门登记")
        funds = _decimal(data.get("registered_funds"))
        ftype = data.get("foundation_type", "")
        national = data.get("management_level") == ManagementLevel.NATIONAL
        if ftype == "public":
            key = (
                "foundation_min_fund_national_public"
                if national
                else "foundation_min_fund_local_public"
            )
        elif ftype == "non_public":
            key = "foundation_min_fund_non_public"
        else:
            errors["foundation_type"] = _("请选择基金会类型（公募或非公募）")
            return errors
        minimum = Decimal(policy[key])
        if funds is None or funds < minimum:
            errors["registered_funds"] = _("该类基金会的原始基金不得低于 %(min)s 元") % {
                "min": _yuan(minimum)
            }
        if not data.get("funds_paid_in_cash"):
            errors["funds_paid_in_cash"] = _("基金会原始基金必须为到账货币资金")
    return errors


def _is_community_level(app: Application) -> bool:
    category = app.category
    level = (app.data or {}).get("management_level", "")
    return bool(
        category is not None
        and category.code in policy_for(app.authority_region.code)["community_categories"]
        and level in ("county", "street")
    )


def check_legal_representative(app: Application) -> Errors:
    """Rule 12: no one represents two associations; a foundation's representative nothing else."""
    if app.kind not in ("establishment", "change", "reelection"):
        return {}
    data = app.data or {}
    if app.kind == "change":
        id_number = (data.get("changes") or {}).get("legal_representative_id_number", "")
    else:
        id_number = data.get("legal_representative_id_number", "")
    id_number = (id_number or "").strip().upper()
    if not id_number:
        return {}
    represented = Organization.objects.exclude(status__in=CLOSED_STATUSES).filter(
        legal_representative__id_number=id_number
    )
    if app.organization_id:
        represented = represented.exclude(pk=app.organization_id)
    field = "legal_representative_id_number"
    if app.org_kind == Kind.FOUNDATION and represented.exists():
        other = represented.first()
        return {
            field: _("基金会的法定代表人不得同时担任其他组织的法定代表人（现任“%(org)s”）")
            % {"org": other.name if other else ""}
        }
    if app.org_kind == Kind.ASSOCIATION:
        other = represented.filter(kind=Kind.ASSOCIATION).first()
        if other is not None:
            return {
                field: _(
                    "该人员已担任社会团体“%(org)s”的法定代表人，不得同时担任两个社会团体的法定代表人"
                )
                % {"org": other.name}
            }
    foundation = represented.filter(kind=Kind.FOUNDATION).first()
    if foundation is not None:
        return {
            field: _("该人员是基金会“%(org)s”的法定代表人，不得再担任其他组织的法定代表人")
            % {"org": foundation.name}
        }
    return {}


def check_branch(app: Application) -> Errors:
    """Rule 13: a 民非 has no branches; a branch has no sub-branches."""
    parent_id = (app.data or {}).get("parent_id")
    if app.kind != "establishment" or not parent_id:
        return {}
    parent = Organization.objects.filter(pk=_int(parent_id)).first()
    if parent is None:
        return {"parent_id": _("所属组织不存在")}
    if parent.kind == Kind.SOCIAL_SERVICE:
        return {"parent_id": _("社会服务机构（民办非企业单位）不得设立分支机构")}
    if parent.kind != Kind.ASSOCIATION:
        return {"parent_id": _("只有社会团体可以设立分支机构")}
    if parent.parent_id:
        return {"parent_id": _("分支机构不得再设立分支机构")}
    if parent.is_closed:
        return {"parent_id": _("所属组织已注销或撤销")}
    return {}


def direct_category(app: Application) -> bool:
    """Rule 10: is the application in a direct-registration category (no supervisory unit)?"""
    if app.org_kind == Kind.COMMUNITY_GROUP:
        return True
    category: Category | None = app.category
    if category is None:
        return False
    configured = policy_for(app.authority_region.code)["direct_categories"]
    if configured is not None:
        return category.code in configured
    return category.is_direct_registration


def check_supervisory_consent(app: Application) -> Errors:
    """Rule 10: non-direct applications cannot be accepted without the unit's consent."""
    if app.kind in ("revocation", "filing", "name_approval") or app.is_direct:
        return {}
    errors: Errors = {}
    # A new organisation names its unit; an existing one has it in the registry.
    has_unit = app.supervisory_department_id is not None or bool(
        app.organization is not None
        and app.organization.kind != "community_group"
        and app.organization.supervisory_unit
    )
    if not has_unit:
        errors["supervisory_department"] = _("非直接登记类别须选择业务主管单位")
    if app.supervisory_consent_on is None:
        errors["supervisory_consent_on"] = _("请填写业务主管单位同意日期")
    if not app.attachments.filter(kind="supervisory_consent").exists():
        errors["attachments"] = _("请上传业务主管单位同意文件")
    return errors


def check_filing(app: Application) -> Errors:
    """A filing names its community (a village-level region) and a leader."""
    if app.kind != "filing":
        return {}
    data = app.data or {}
    errors: Errors = {}
    region = Region.objects.filter(code=app.address_code).first()
    if region is None or region.level != Level.VILLAGE:
        errors["community_code"] = _("请选择组织所在的社区或村")
    if not (data.get("legal_representative_name") or "").strip():
        errors["legal_representative_name"] = _("请填写负责人姓名")
    members = _int(data.get("members", 0))
    if members <= 0:
        errors["members"] = _("请填写成员人数")
    return errors


def late_change_flag(app: Application, today: dt.date) -> str:
    """Rule 14: a change filed more than 30 days after the supervisory unit's consent."""
    if app.kind != "change" or app.supervisory_consent_on is None:
        return ""
    days = policy_for(app.authority_region.code)["change_filing_days"]
    late = (today - app.supervisory_consent_on).days
    if late > days:
        return _("变更申请在业务主管单位同意后 %(late)s 日才提出，超过 %(days)s 日时限") % {
            "late": late,
            "days": days,
        }
    return ""


def representative_changes(app: Application) -> bool:
    """Does the application change the legal representative (rule 16 needs an audit)?"""
    if app.kind == "change":
        changes = (app.data or {}).get("changes") or {}
        org = app.organization
        current = org.legal_representative if org is not None else None
        new_id = (changes.get("legal_representative_id_number") or "").strip().upper()
        new_name = (changes.get("legal_representative_name") or "").strip()
        if current is None:
            return bool(new_id or new_name)
        return bool(
            (new_id and new_id != current.id_number) or (new_name and new_name != current.name)
        )
    return app.kind == "reelection"


def check_organization_open(app: Application) -> Errors:
    """Nothing but a closed organisation's history may be touched once it is closed."""
    org = app.organization
    if org is not None and org.is_closed:
        return {"organization": _("该组织已注销或撤销，不能办理此事项")}
    return {}


def check_amounts(app: Application) -> Errors:
    """Amounts the registry will store must fit its columns (registered funds: 16 digits, 2
    places): 1e30 is refused here, naming the field, not by the database on approval."""
    errors: Errors = {}
    for key in ("registered_funds", "new_registered_funds"):
        value = (app.data or {}).get(key)
        try:
            parse_decimal(value, max_digits=16, decimal_places=2, minimum=0)
        except DecimalOutOfRange:
            errors[key] = _(
                "活动资金应为以元为单位的金额，不超过一万亿元、最多两位小数（现为“%(value)s”）"
            ) % {"value": str(value)[:40]}
    return errors


ALL_CHECKS = (
    check_amounts,
    check_organization_open,
    check_record,
    check_name,
    check_founding_minimums,
    check_legal_representative,
    check_branch,
    check_filing,
)


def check_application(app: Application) -> Errors:
    """Every rule that applies to the application's content (not to its documents)."""
    errors: Errors = {}
    for check in ALL_CHECKS:
        for key, message in check(app).items():
            errors.setdefault(key, message)
    return errors
