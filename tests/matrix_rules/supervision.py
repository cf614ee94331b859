"""Permission-matrix rules for the supervision app (merged into tests/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from npohub.supervision.models import AnnualReport, ReportAttachment
from npohub.supervision.services import (
    attachment_add,
    report_create,
    report_sections,
    report_transition,
    report_update_section,
)
from npohub.supervision.tests.factories import PDF, VALID
from tests.matrix import PUBLIC, SEES_ASSOC, SIGNED_IN, SUPERUSER, Rule, World, assoc, foreign_org

STAFF_ROLES = SIGNED_IN - {"resident"}
EDITORS = frozenset({"admin", "org_user"})
# A bureau covering 历下区 (the association's district) decides.
DECIDERS = frozenset({"admin", "city", "district"})
CREATORS = DECIDERS | {"org_user"}
# Anyone with a capacity on the (dual-managed) report: its organisation, supervisor, bureau.
HOLDERS = CREATORS | {"reviewer"}
DASHBOARD = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "qingdao"}
)


def _filled(world: World, org: Any, year: int) -> AnnualReport:
    admin = world.cast["admin"]
    report = report_create(actor=admin, organization=org, year=year, today=dt.date(year + 1, 2, 1))
    for section in report_sections(report):
        report = report_update_section(
            actor=admin, report=report, section=section.code, values=VALID[section.code]
        )
    return report


def draft(world: World, org: Any) -> AnnualReport:
    """A complete draft for 2025 (ready to submit)."""
    return world.once(("draft", org.pk), lambda: _filled(world, org, 2025))


def submitted(world: World, org: Any) -> AnnualReport:
    """A 2024 report through the first review, waiting for the bureau's conclusion."""

    def make() -> AnnualReport:
        admin = world.cast["admin"]
        report = _filled(world, org, 2024)
        on = dt.date(2025, 3, 1)
        report = report_transition(actor=admin, report=report, transition="submit", today=on)
        return report_transition(
            actor=admin, report=report, transition="supervisor_approve", today=on
        )

    return world.once(("submitted", org.pk), make)


def attached(world: World, org: Any) -> ReportAttachment:
    """An accounts note on the organisation's draft (uploaded by the superuser as the org)."""

    def make() -> ReportAttachment:
        return attachment_add(
            actor=world.cast["admin"],
            report=draft(world, org),
            kind="accounts_note",
            name="附注.pdf",
            stream=io.BytesIO(PDF),
        )

    return world.once(("attachment", org.pk), make)


def upload(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"kind": "other", "file": SimpleUploadedFile("矩阵.pdf", PDF)}


def reports(make: Any, param: str = "pk", **extra: Any) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: make(world, world.orgs["assoc"]).pk, **extra},
            "out": {param: make(world, foreign_org(world, user)).pk, **extra},
        }

    return build


def create_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"organization": world.orgs["assoc"].pk, "year": 2025}


def create_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"organization_id": world.orgs["assoc"].pk, "year": 2025}


POLICY: dict[str, Rule] = {
    "supervision:report-list": Rule(STAFF_ROLES),
    "supervision:report-create": Rule(
        STAFF_ROLES, methods=("POST",), unsafe_allow=CREATORS, body=create_form, form_denial=True
    ),
    "supervision:report-detail": Rule(SEES_ASSOC, target=reports(draft)),
    "supervision:report-print": Rule(SEES_ASSOC, target=reports(draft)),
    "supervision:report-section": Rule(
        EDITORS,
        target=reports(draft, section="staff"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"full_time_staff": "7"},
    ),
    "supervision:report-section-check": Rule(
        EDITORS,
        target=reports(draft, section="income"),
        methods=("POST",),
        body=lambda w, u, s: {"total_income": "1"},
        writes=False,
        note="checks the typed values, saves nothing",
    ),
    "supervision:report-transition": Rule(
        SEES_ASSOC,
        target=reports(draft),
        methods=("POST",),
        unsafe_allow=EDITORS,
        body=lambda w, u, s: {"transition": "submit"},
        form_denial=True,
    ),
    "supervision:report-review": Rule(
        DECIDERS,
        target=reports(submitted),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"conclusion": "pass"},
    ),
    # Attachments: the organisation while it holds the report; whoever sees the report reads them.
    "supervision:attachment-upload": Rule(
        SEES_ASSOC,
        target=reports(draft),
        methods=("POST",),
        unsafe_allow=EDITORS,
        body=upload,
        form_denial=True,
    ),
    "supervision:attachment-download": Rule(SEES_ASSOC, target=reports(attached)),
    "supervision:attachment-delete": Rule(
        SEES_ASSOC,
        target=reports(attached),
        methods=("POST",),
        unsafe_allow=EDITORS,
        form_denial=True,
    ),
    "supervision:calendar": Rule(STAFF_ROLES),
    "supervision:dashboard": Rule(DASHBOARD),
    "supervision:missing": Rule(DASHBOARD),
    "portal:supervision-conclusions": Rule(PUBLIC),
    "supervision_reports_list": Rule(STAFF_ROLES),
    "supervision_reports_create": Rule(STAFF_ROLES, unsafe_allow=CREATORS, body=create_json),
    "supervision_reports_detail": Rule(SEES_ASSOC, target=reports(draft, "report_id")),
    "supervision_reports_section_update": Rule(
        EDITORS,
        target=reports(draft, "report_id", section="staff"),
        body=lambda w, u, s: {"values": {"full_time_staff": 8}},
    ),
    "supervision_reports_validate": Rule(HOLDERS, target=reports(draft, "report_id")),
    "supervision_reports_transition": Rule(
        EDITORS, target=reports(draft, "report_id"), body=lambda w, u, s: {"transition": "submit"}
    ),
    "supervision_reports_conclude": Rule(
        DECIDERS,
        target=reports(submitted, "report_id"),
        body=lambda w, u, s: {"conclusion": "pass"},
    ),
    "supervision_attachments_upload": Rule(
        SEES_ASSOC,
        target=reports(draft, "report_id"),
        unsafe_allow=EDITORS,
        body=upload,
        multipart=True,
    ),
    "supervision_attachments_download": Rule(SEES_ASSOC, target=reports(attached, "attachment_id")),
    "supervision_attachments_delete": Rule(
        SEES_ASSOC, target=reports(attached, "attachment_id"), unsafe_allow=EDITORS
    ),
    "supervision_calendar": Rule(STAFF_ROLES, query={"year": 2025}),
    "supervision_stats": Rule(DASHBOARD, query={"year": 2025}),
    "supervision_missing_list": Rule(DASHBOARD, query={"year": 2025}),
    "public_supervision_conclusions": Rule(PUBLIC),
}

__all__ = ["POLICY", "SUPERUSER", "assoc"]
