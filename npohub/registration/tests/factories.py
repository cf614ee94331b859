"""Test helpers for the registration app: departments, routes, documents, a ready application."""

from __future__ import annotations

import io
from typing import Any

from npohub.orgs.models import Category
from npohub.registration import services
from npohub.registration.models import Application, Department, ReviewRoute

# A minimal, valid, inactive PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

ASSOCIATION_DATA: dict[str, Any] = {
    "name": "历下区社区养老服务协会",
    "category_code": "community_service",
    "management_level": "county",
    "community_code": "370102001002",
    "address": "济南市历下区解放路 1 号",
    "legal_representative_name": "王建国",
    "legal_representative_id_number": "11010519491231002X",
    "legal_representative_phone": "13800000000",
    "registered_funds": "50000",
    "purpose": "为社区老年人提供养老服务",
    "business_scope": "助餐、助浴、文体活动",
    "activity_area": "历下区",
    "individual_members": 60,
    "unit_members": 0,
}


def departments(regions: dict[str, Any], reviewers: dict[str, Any]) -> dict[str, Department]:
    """Three joint-review departments for 历下区 establishments, plus a supervisory unit."""
    d = {
        "approval": Department.objects.create(
            name="历下区行政审批服务局", kind="approval", region=regions["lixia"]
        ),
        "party": Department.objects.create(
            name="历下区社会组织党委", kind="party", region=regions["lixia"]
        ),
        "industry": Department.objects.create(
            name="济南市民政局社会组织管理处", kind="civil_affairs", region=regions["jinan"]
        ),
        "supervisory": Department.objects.create(
            name="历下区教育和体育局", kind="supervisory", region=regions["lixia"]
        ),
    }
    for key, user in reviewers.items():
        d[key].members.add(user)
    for key in ("approval", "party", "industry"):
        ReviewRoute.objects.create(application_kind="establishment", department=d[key])
    return d


def attach(app: Application, actor: Any, *kinds: str) -> None:
    for kind in kinds:
        services.attachment_add(
            actor=actor, app=app, kind=kind, name=f"{kind}.pdf", stream=io.BytesIO(PDF)
        )


ESTABLISHMENT_DOCS = (
    "application_form",
    "articles",
    "premises",
    "identity",
    "capital_verification",
)


def establishment(actor: Any, **overrides: Any) -> Application:
    data = {**ASSOCIATION_DATA, **overrides.pop("data", {})}
    return services.application_create(
        actor=actor,
        kind="establishment",
        org_kind=overrides.pop("org_kind", "association"),
        authority_code=overrides.pop("authority_code", "370102"),
        data=data,
        **overrides,
    )


def ensure_category(code: str, name: str, direct: bool) -> Category:
    category, _ = Category.objects.get_or_create(
        code=code, defaults={"name": name, "is_direct_registration": direct}
    )
    return category


def app_history(app: Any, **filters: Any) -> Any:
    """The application's history rows in the one history (core.WorkflowEvent)."""
    from npohub.core.models import WorkflowEvent

    return WorkflowEvent.objects.filter(
        workflow="registration.application", object_id=app.pk, **filters
    ).order_by("occurred_at", "id")
