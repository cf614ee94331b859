"""What an import file looks like: the two import kinds, their columns (the template's headers,
notes and example row), the accepted header aliases, and the staff menu item.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from npohub.accounts.models import Viewer
from npohub.core.navigation import NavItem, register

from ..models import (
    Kind,
)
from ..permissions import can_import
from ..validation import (
    FIELD_HEADERS,
)

REGISTERED = "registered"


COMMUNITY_GROUP = "community_group"


IMPORT_KINDS = {
    REGISTERED: gettext_lazy("登记的社会组织"),
    COMMUNITY_GROUP: gettext_lazy("备案社区社会组织"),
}


ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


# The template's example row starts with this; such rows are skipped, never imported.
EXAMPLE_PREFIX = "示例："


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    note: str = ""
    example: Any = ""
    is_text: bool = False  # codes and phone numbers: a text cell, so Excel keeps every digit


REGISTERED_COLUMNS: tuple[Column, ...] = (
    Column("kind", FIELD_HEADERS["kind"], True, "社会团体、社会服务机构、基金会", "社会团体"),
    Column(
        "name", FIELD_HEADERS["name"], True, "不超过200字", EXAMPLE_PREFIX + "历下区社区营造促进会"
    ),
    Column(
        "uscc",
        FIELD_HEADERS["uscc"],
        True,
        "18位；第1位为5（民政），第2位：1社会团体、2社会服务机构、3基金会",
        "51370102MJD1234565",
        True,
    ),
    Column(
        "category_code", FIELD_HEADERS["category_code"], False, "类别名称或代码", "城乡社区服务"
    ),
    Column(
        "management_level",
        FIELD_HEADERS["management_level"],
        False,
        "全国性、省级、市级、县（区）级、街道（乡镇）级；默认县（区）级",
        "县（区）级",
    ),
    Column(
        "authority_region_code",
        FIELD_HEADERS["authority_region_code"],
        True,
        "登记管理机关所在县级及以上区划的6位或12位代码",
        "370102",
        True,
    ),
    Column(
        "community_code",
        FIELD_HEADERS["community_code"],
        False,
        "住所所在社区/村的12位统计用区划代码",
        "370102001002",
        True,
    ),
    Column("address", FIELD_HEADERS["address"], False, "", "济南市历下区解放路2号"),
    Column(
        "supervisory_unit",
        FIELD_HEADERS["supervisory_unit"],
        False,
        "非直接登记类别必填",
        "",
    ),
    Column(
        "legal_representative_name", FIELD_HEADERS["legal_representative_name"], False, "", "王芳"
    ),
    Column(
        "legal_representative_id_number",
        FIELD_HEADERS["legal_representative_id_number"],
        False,
        "18位居民身份证号",
        "",
        True,
    ),
    Column(
        "legal_representative_phone",
        FIELD_HEADERS["legal_representative_phone"],
        False,
        "",
        "",
        True,
    ),
    Column("registered_funds", FIELD_HEADERS["registered_funds"], False, "数字，单位元", 30000),
    Column(
        "foundation_type", FIELD_HEADERS["foundation_type"], False, "基金会填：公募或非公募", ""
    ),
    Column(
        "certificate_form",
        FIELD_HEADERS["certificate_form"],
        False,
        "社会服务机构填：法人、合伙或个体",
        "",
    ),
    Column("is_charity", FIELD_HEADERS["is_charity"], False, "是 / 否", "否"),
    Column("purpose", FIELD_HEADERS["purpose"], False, "", "促进社区营造"),
    Column("business_scope", FIELD_HEADERS["business_scope"], False, "", "社区服务、培训"),
    Column("activity_area", FIELD_HEADERS["activity_area"], False, "社会团体必填", "历下区"),
    Column(
        "registration_date",
        FIELD_HEADERS["registration_date"],
        True,
        "日期，如 2024-03-01",
        dt.date(2021, 6, 1),
    ),
    Column(
        "status",
        FIELD_HEADERS["status"],
        False,
        "正常、活动异常、限期停止活动、已注销、已撤销；默认正常。已有组织的状态请用状态变更办理",
        "正常",
    ),
    Column("phone", FIELD_HEADERS["phone"], False, "", "0531-12345678", True),
)


GROUP_COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", True, "同一社区/村内不得重名", EXAMPLE_PREFIX + "解放桥社区舞蹈队"),
    Column(
        "community_code",
        FIELD_HEADERS["community_code"],
        True,
        "备案组织所属社区/村的12位统计用区划代码",
        "370102001002",
        True,
    ),
    Column("category_code", "类别", False, "生活服务、社区事务、文体活动、公益慈善等", "文体活动"),
    Column("legal_representative_name", "负责人", False, "", "李娜"),
    Column("legal_representative_phone", "负责人手机", False, "", "13800000000", True),
    Column("registration_date", "备案日期", True, "日期，如 2024-03-01", dt.date(2023, 4, 1)),
    Column("purpose", "宗旨/活动内容", False, "", "组织居民开展广场舞活动"),
    Column("address", "住所", False, "活动场所地址", "解放桥社区活动中心"),
    Column("phone", "联系电话", False, "", "", True),
    Column("status", "状态", False, "正常、活动异常、已注销等；默认正常", "正常"),
)


COLUMNS = {REGISTERED: REGISTERED_COLUMNS, COMMUNITY_GROUP: GROUP_COLUMNS}


# Required columns: the fields every row of that kind must have (file-level check).
REQUIRED_COLUMNS = {
    kind: tuple(c.field for c in columns if c.required) for kind, columns in COLUMNS.items()
}


def import_kind_for(kind: str) -> str:
    """The organisation kind whose permissions an import kind needs."""
    return Kind.COMMUNITY_GROUP if kind == COMMUNITY_GROUP else Kind.ASSOCIATION


def can_import_any(user: Viewer) -> bool:
    return any(can_import(user, kind=import_kind_for(k)) for k in IMPORT_KINDS)


def register_import_navigation() -> None:
    """The staff menu item "批量导入" (called from ``OrgsConfig.ready``)."""
    register(
        NavItem(
            label=gettext_lazy("批量导入"),
            url_name="imports:home",
            visible=can_import_any,
            order=40,
        )
    )


def _normalise_header(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    text = text.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text)


def header_aliases(kind: str) -> dict[str, str]:
    """Accepted header text → field: the template's headers and the standard field labels."""
    aliases = {}
    for column in COLUMNS[kind]:
        aliases[_normalise_header(FIELD_HEADERS[column.field])] = column.field
        aliases[_normalise_header(column.header)] = column.field
    if kind == COMMUNITY_GROUP:
        aliases[_normalise_header("负责人身份证号")] = "legal_representative_id_number"
        aliases[_normalise_header(FIELD_HEADERS["legal_representative_id_number"])] = (
            "legal_representative_id_number"
        )
    return aliases
