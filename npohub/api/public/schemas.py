"""Shapes of the public certificate verification and registration announcements (no sign-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class AnnouncementFilterIn(Schema):
    q: str = Field("", max_length=100, description="标题关键词或统一社会信用代码前缀")
    kind: str = Field(
        "", description="establishment / change / deregistration / revocation / filing"
    )


class AnnouncementOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    body: str
    published_on: dt.date
    organization_id: int
    organization_name: str
    uscc: str | None
    authority: str

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_uscc(obj: Any) -> str | None:
        return obj.organization.uscc  # type: ignore[no-any-return]

    @staticmethod
    def resolve_authority(obj: Any) -> str:
        return str(obj.authority_region.name)


class CertificateVerificationOut(Schema):
    """What the QR code's page says, as data: ``valid`` for the current version, else ``void``."""

    status: Literal["valid", "void"]
    number: str
    version: int
    issued_on: dt.date
    voided_on: dt.date | None
    void_reason: str
    organization_id: int
    organization_status: str
    content: dict[str, Any]

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return "valid" if obj.voided_on is None else "void"

    @staticmethod
    def resolve_organization_status(obj: Any) -> str:
        return str(obj.organization.status)
