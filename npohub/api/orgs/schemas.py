"""Input and output shapes of /api/v1/organizations/. Shapes only: the rules live in orgs.

Inputs forbid unknown fields so a misspelt field is a 422, not a silent no-op.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict

from ..errors import ErrorOut as ErrorOut

# 注册资金 as its column holds it (DecimalField(16, 2)): 0 ≤ x < 10^14, two places at most, so
# 1e30 is a 422 naming the field rather than a stored value no page can read.
Funds = Annotated[
    Decimal,
    Field(ge=0, lt=10**14, max_digits=16, decimal_places=2, description="注册资金（元）"),
]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class OrganizationIn(StrictIn):
    """A whole organisation record (create, PUT). Choices accept the value or the Chinese label."""

    kind: str = Field(
        ..., description="association / social_service / foundation / community_group"
    )
    name: str
    uscc: str = ""
    category_code: str = ""
    management_level: str = ""
    authority_region_code: str = ""
    community_code: str = ""
    address: str = ""
    supervisory_unit: str = ""
    legal_representative_name: str = ""
    legal_representative_id_number: str = ""
    legal_representative_phone: str = ""
    registered_funds: Funds | None = None
    foundation_type: str = ""
    certificate_form: str = ""
    is_charity: bool = False
    purpose: str = ""
    business_scope: str = ""
    activity_area: str = ""
    registration_date: dt.date | None = None
    status: str = ""
    phone: str = ""


class OrganizationPatchIn(StrictIn):
    """Any subset of the record (PATCH); the fields sent replace the current values."""

    kind: str | None = None
    name: str | None = None
    uscc: str | None = None
    category_code: str | None = None
    management_level: str | None = None
    authority_region_code: str | None = None
    community_code: str | None = None
    address: str | None = None
    supervisory_unit: str | None = None
    legal_representative_name: str | None = None
    legal_representative_id_number: str | None = None
    legal_representative_phone: str | None = None
    registered_funds: Funds | None = None
    foundation_type: str | None = None
    certificate_form: str | None = None
    is_charity: bool | None = None
    purpose: str | None = None
    business_scope: str | None = None
    activity_area: str | None = None
    registration_date: dt.date | None = None
    phone: str | None = None


class StatusChangeIn(StrictIn):
    status: str = Field(..., description="active / abnormal / suspended / deregistered / revoked")
    reason: str
    effective_on: dt.date | None = None


class OrganizationFilterIn(Schema):
    """List filters (query string)."""

    region: str = Field("", description="区划代码（2/4/6/9/12位），含下级")
    kind: str = ""
    category: str = Field("", description="类别代码")
    status: str = ""
    level: str = Field("", description="管理层级")
    year: int | None = Field(None, ge=1949, le=2100, description="登记年份")
    q: str = Field("", max_length=100, description="名称（≥2字）、拼音首字母或信用代码前缀")
    order: str = Field(
        "name", description="name, -name, registration_date, -registration_date, uscc, updated"
    )


class PublicFilterIn(Schema):
    q: str = Field("", max_length=100)
    kind: str = ""
    region: str = ""


class CategoryOut(Schema):
    code: str
    name: str


class OrganizationListOut(Schema):
    id: int
    name: str
    uscc: str | None
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    category: CategoryOut | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    management_level: str
    address_code: str
    community_name: str | None = None
    registration_date: dt.date | None

    @staticmethod
    def resolve_community_name(obj: Any) -> str | None:
        return obj.community.name if obj.community_id else None


class PersonOut(Schema):
    name: str
    id_number: str
    phone: str


class OrganizationDetailOut(Schema):
    id: int
    name: str
    former_names: list[Any]
    uscc: str | None
    kind: str
    kind_label: str
    category: CategoryOut | None
    management_level: str
    authority_region_code: str | None
    community_code: str | None
    address_code: str
    address: str
    supervisory_unit: str
    legal_representative: PersonOut | None
    registered_funds: Decimal | None
    foundation_type: str
    certificate_form: str
    is_charity: bool
    purpose: str
    business_scope: str
    activity_area: str
    registration_date: dt.date | None
    status: str
    status_label: str
    status_changed_on: dt.date | None
    phone: str
    parent_id: int | None
    personal_data_masked: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class FieldChangeOut(Schema):
    field: str
    old_value: Any
    new_value: Any
    changed_at: dt.datetime
    actor: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return obj.audit_event.actor_label if obj.audit_event_id else ""


class AsOfOut(Schema):
    date: dt.date
    existed: bool
    values: dict[str, Any] | None


class PublicOrganizationOut(Schema):
    """The public register: never ID numbers, phones or internal notes."""

    id: int
    name: str
    uscc: str | None
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    category: str | None = None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    registration_date: dt.date | None

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category.name if obj.category_id else None


class PublicOrganizationDetailOut(PublicOrganizationOut):
    address: str
    legal_representative_name: str
    purpose: str
    business_scope: str

    @staticmethod
    def resolve_legal_representative_name(obj: Any) -> str:
        return obj.legal_representative.name if obj.legal_representative_id else ""
