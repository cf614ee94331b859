"""The permission matrix: every URL and API operation × every role × inside/outside its scope.

Adding a page or an API operation? Add one ``Rule`` to ``POLICY`` below, keyed by the URL name
(``namespace:name``) or the OpenAPI ``operationId``. ``test_every_endpoint_is_declared`` fails
until you do. Helpers and vocabulary: ``tests/matrix.py``.

For each (endpoint, method) one test builds the shared cast once, then for every user and
scope sends the request inside a savepoint that is rolled back, so requests never see each
other's writes. A denial must change nothing (row counts of every NPOHub model, and the
Organization and User rows).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from openpyxl import Workbook

from npohub.accounts.models import ApiToken, Role, User
from npohub.notifications.kinds import all_kinds
from npohub.notifications.models import Notification
from npohub.orgs.imports import COMMUNITY_GROUP, GROUP_COLUMNS
from npohub.orgs.models import ImportJob, ImportStatus, Organization
from npohub.orgs.validation import organization_input_of

from .matrix import (
    ANONYMOUS,
    BUREAU,
    CAST,
    PUBLIC,
    SAFE_METHODS,
    SEES_ASSOC,
    SIGNED_IN,
    STAFF,
    Endpoint,
    Exclusion,
    Rule,
    World,
    assoc,
    discover,
    foreign_org,
)

# --- what is not in the matrix, and why -------------------------------------------------------

EXCLUDED = [
    Exclusion(r"^admin/", "Django admin: its own staff/superuser checks, tested by Django"),
    Exclusion(r"^static/|^media/", "static and uploaded files, served without views in production"),
    Exclusion(
        r"^i18n/", "set_language: switches the interface language for anyone, stores nothing"
    ),
    Exclusion(r"^jsi18n/", "JavaScript translation catalogue, public and read-only"),
    Exclusion(
        r"^api/v1/$", "django-ninja's api-root: answers 404 to everyone (a reverse() anchor)"
    ),
]

# --- target and body builders --------------------------------------------------------------

# A region code inside each user's own scope (for dashboards, creating in "my" region).
HOME_COMMUNITY = {
    "district_out": "c_ms_village",
    "street_out": "c_ms_village",
    "qingdao": "qd_comm",
}


def home_community(world: World, user: str) -> Any:
    return world.regions[HOME_COMMUNITY.get(user, "c_jfq1")]


def foreign_community(world: World, user: str) -> Any:
    """A community outside this user's scope (and every scope but the superuser's)."""
    return world.regions["c_jfq1" if user == "qingdao" else "qd_comm"]


def community_group_json(world: World, user: str, scope: str) -> dict[str, Any]:
    where = home_community(world, user) if scope == "in" else foreign_community(world, user)
    return {
        "kind": "community_group",
        "name": f"矩阵测试舞蹈队{user}",
        "community_code": where.code,
        "registration_date": "2024-03-01",
    }


def community_group_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {**community_group_json(world, user, scope), "management_level": "street"}


def org_in_scope(world: World, user: str, scope: str) -> Organization:
    return world.orgs["assoc"] if scope == "in" else foreign_org(world, user)


def whole_record(world: World, user: str, scope: str) -> dict[str, Any]:
    values = asdict(organization_input_of(org_in_scope(world, user, scope)))
    values["address"] = "矩阵测试地址"
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def org_form(world: World, user: str, scope: str) -> dict[str, Any]:
    values = whole_record(world, user, scope)
    return {k: ("" if v is None else v) for k, v in values.items() if k != "is_charity"}


def own_region(world: World, user: str) -> dict[str, dict[str, Any]]:
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    foreign = world.regions["jinan" if user == "qingdao" else "qingdao"]
    return {"in": {"code": region.code}, "out": {"code": foreign.code}}


def stranger(world: World) -> User:
    """A user no administrator but the superuser manages (no region)."""
    return world.once(
        "stranger", lambda: User.objects.create(username="stranger", role=Role.RESIDENT)
    )


def managed_user(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a user inside the actor's own region; out: the stranger."""
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    inside = world.once(
        ("managed", region.code),
        lambda: User.objects.create(
            username=f"managed{region.code}",
            role=Role.COMMUNITY_WORKER,
            region=region,
            scope_prefix=region.prefix,
        ),
    )
    return {"in": {"pk": inside.pk}, "out": {"pk": stranger(world).pk}}


def own_token(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a token of the acting user; out: the stranger's token."""

    def token(owner: User, name: str) -> ApiToken:
        return ApiToken.objects.create(
            user=owner, name=name, key_prefix=name[:8], key_hash=f"matrix-{name}"
        )

    owner = world.user(user) or world.cast["street"]
    mine = world.once(("token", owner.pk), lambda: token(owner, f"t{owner.pk}"))
    theirs = world.once("stranger-token", lambda: token(stranger(world), "stranger"))
    return {"in": {"pk": mine.pk}, "out": {"pk": theirs.pk}}


def user_form(world: World, user: str, scope: str) -> dict[str, Any]:
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    return {
        "username": f"matrix-{user}",
        "password": "Matrix-Pass-2024!",
        "display_name": "矩阵",
        "role": Role.COMMUNITY_WORKER,
        "region": region.code,
        "is_active": "on",
    }


# --- imports: a one-row spreadsheet, and jobs waiting to be committed ---------------------------


@functools.cache
def group_workbook(community_code: str, name: str) -> bytes:
    """A community-group import file (the template's headers) with one valid row."""
    values = {
        "name": name,
        "community_code": community_code,
        "category_code": "文体活动",
        "legal_representative_name": "李娜",
        "legal_representative_phone": "13800000000",
        "registration_date": "2024-03-01",
        "purpose": "组织居民开展文体活动",
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in GROUP_COLUMNS])
    sheet.append([values.get(c.field, "") for c in GROUP_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def group_upload(world: World, user: str, scope: str) -> dict[str, Any]:
    """A multipart body: one new group in the user's own community (a fresh file each time)."""
    data = group_workbook(home_community(world, user).code, f"矩阵导入舞蹈队{user}")
    return {"kind": COMMUNITY_GROUP, "file": SimpleUploadedFile("matrix.xlsx", data)}


def previewed_job(world: World, owner: User, community: Any) -> ImportJob:
    """A validated community-group job of ``owner``, one row in ``community``, ready to commit."""

    def make() -> ImportJob:
        job = ImportJob(
            created_by=owner,
            kind=COMMUNITY_GROUP,
            filename="matrix.xlsx",
            status=ImportStatus.PREVIEW,
            total_rows=1,
            processed_rows=1,
            summary={"create": 1, "update": 0, "unchanged": 0},
        )
        data = group_workbook(community.code, f"矩阵导入舞蹈队{owner.pk}")
        job.file.save("matrix.xlsx", ContentFile(data), save=False)
        job.save()
        return job

    return world.once(("job", owner.pk), make)


def import_job(param: str) -> Any:
    """In: a job the acting user uploaded (rows in their own community); out: the stranger's
    job (rows outside every scope but the superuser's). Jobs are private to their creator."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        actor = world.user(user)
        owner = actor or world.cast["street"]
        mine = previewed_job(world, owner, home_community(world, user))
        theirs = previewed_job(world, stranger(world), world.regions["qd_comm"])
        return {"in": {param: mine.pk}, "out": {param: theirs.pk}}

    return build


def failed_import_job(param: str) -> Any:
    """Like ``import_job``, but each job's commit failed (nothing written), so a retry runs it."""
    build_jobs = import_job(param)

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        targets = build_jobs(world, user)
        ids = [kwargs[param] for kwargs in targets.values()]
        ImportJob.objects.filter(pk__in=ids, status=ImportStatus.PREVIEW).update(
            status=ImportStatus.FAILED, attempts=1, message="写入失败"
        )
        return targets

    return build


def community(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a community in the user's own region; out: one outside it (and every scope but the
    superuser's). Both have an inferred urban/rural flag, so a bureau may correct it."""
    return {
        "in": {"code": home_community(world, user).code},
        "out": {"code": foreign_community(world, user).code},
    }


PASSWORD = {"password": "Matrix-Pass-2024!", "password_again": "Matrix-Pass-2024!"}
SAMPLE = (ANONYMOUS, "resident", "district")
USER_ADMINS = frozenset({"admin", "city", "district", "qingdao"})
REGION_STAFF = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "community", "qingdao"}
)
# May add a filed community group in their own region (bureaus and streets).
GROUP_CREATORS = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "qingdao"}
)
# Bureau staff, who may correct a community's urban/rural flag in their own region.
CORRECTORS = frozenset({"admin", "city", "district", "district_out", "qingdao"})
RURAL = {"urban_rural": "rural"}
STATUS_CHANGE = {"status": "abnormal", "reason": "矩阵测试", "effective_on": "2024-03-01"}


def unread_notification(world: World, owner: User) -> Notification:
    return world.once(
        ("notification", owner.pk),
        lambda: Notification.objects.create(recipient=owner, kind="matrix.test", title="矩阵通知"),
    )


def own_notification(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: an unread notification of the acting user; out: the stranger's (inboxes are private,
    even from the superuser)."""
    mine = unread_notification(world, world.user(user) or world.cast["street"])
    theirs = unread_notification(world, stranger(world))
    return {"in": {"pk": mine.pk}, "out": {"pk": theirs.pk}}


def with_unread_notification(body: dict[str, Any]) -> Any:
    """A body builder that first gives the acting user an unread notification to mark."""

    def build(world: World, user: str, scope: str) -> dict[str, Any]:
        if world.user(user) is not None:
            unread_notification(world, world.user(user))
        return body

    return build


def preference_change(world: World, user: str, scope: str) -> dict[str, str]:
    """A registered kind moved off its default channel (empty when no app registered one)."""
    kinds = all_kinds()
    return {kinds[0].code: "muted"} if kinds else {}


# Saving a preference writes a row and an audit event, but only if some app registered a kind.
PREFERENCES_WRITE = bool(all_kinds())
MARK_READ_NOTE = "marking read sets read_at only (no row count changes); denials tested in the app"


# --- registration certificates and announcements (helper "reg-cert") ---------------------------


def _certificate_of(world: World, org: Organization) -> Any:
    from npohub.registration.services import certificate_issue

    return world.once(
        ("certificate", org.pk),
        lambda: certificate_issue(org=org, app=None, today=dt.date(2026, 3, 2)),
    )


def certified_org(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: the association (with a current certificate); out: a foreign one (with one too)."""
    inside, outside = world.orgs["assoc"], foreign_org(world, user)
    _certificate_of(world, inside)
    _certificate_of(world, outside)
    return {"in": {"org_pk": inside.pk}, "out": {"org_pk": outside.pk}}


def certificate_target(param: str, attr: str = "pk") -> Any:
    """In: the association's certificate; out: a foreign organisation's (by pk or token)."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside = _certificate_of(world, world.orgs["assoc"])
        outside = _certificate_of(world, foreign_org(world, user))
        return {"in": {param: getattr(inside, attr)}, "out": {param: getattr(outside, attr)}}

    return build


def announcement_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: an announcement about the association; out: one about a foreign organisation."""
    from npohub.registration.models import Announcement

    def make(org: Organization) -> Any:
        return world.once(
            ("announcement", org.pk),
            lambda: Announcement.objects.create(
                kind="establishment",
                organization=org,
                title=f"{org.name}成立登记公告",
                body="矩阵测试公告",
                published_on=dt.date(2026, 3, 2),
                authority_region=org.authority_region,
            ),
        )

    inside, outside = make(world.orgs["assoc"]), make(foreign_org(world, user))
    return {"in": {"pk": inside.pk}, "out": {"pk": outside.pk}}


# --- end of "reg-cert" builders -------------------------------------------------------------------


# --- community: activity reports and filing delegation (helper "reg-filing") ---------------------

# Who may open the activity-report pages at all (groups, communities, streets, hubs, bureaus).
ACTIVITY_USERS = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "community", "hub"}
    | {"org_user", "org_user_out", "qingdao"}
)
# Who sees the report of 解放桥社区舞蹈队: its street and bureaus, its community (the reporter),
# the federation the street delegated to (hub), and the group's own account (org_user, granted).
REPORT_SEERS = frozenset({"admin", "city", "district", "street", "community", "hub", "org_user"})
# Who answers it (知悉 / 提出疑问): the street, the bureaus above it, the delegated federation.
REPORT_ANSWERERS = frozenset({"admin", "city", "district", "street", "hub"})
# Who may report for the group: its own account and its community.
GROUP_REPORTERS = frozenset({"admin", "community", "org_user"})
# Who sees delegations: street offices and bureaus (their region), hub staff (their own).
DELEGATION_VIEWERS = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "qingdao", "hub"}
)
# Who may delegate or end the delegation of 解放路街道.
DELEGATION_MANAGERS = frozenset({"admin", "city", "district", "street"})


def community_setup(world: World) -> dict[str, Any]:
    """解放路街道 delegates filing to a federation the hub works for; org_user becomes the
    account of the filed group 解放桥社区舞蹈队."""

    def make() -> dict[str, Any]:
        from django.utils import timezone

        from npohub.orgs.tests.factories import CommunityGroupFactory, grant
        from npohub.registration.services import filing_delegation_create

        federation = CommunityGroupFactory(
            name="解放路街道社会组织联合会", community=world.regions["c_jfq2"]
        )
        grant(world.cast["hub"], federation, "hub_member")
        grant(world.cast["org_user"], world.orgs["group"], "own")
        delegation = filing_delegation_create(
            actor=world.cast["street"],
            street=world.regions["jiefangqiao"],
            federation=federation,
            valid_from=timezone.localdate() - dt.timedelta(days=10),
        )
        return {"federation": federation, "delegation": delegation}

    return world.once("community_setup", make)


def _foreign_place(world: World, user: str) -> tuple[Any, Any]:
    """(street, community) outside the user's scope: 明水 for 青岛's bureau, else 八大关."""
    if user == "qingdao":
        return world.regions["mingshui"], world.regions["c_ms_village"]
    return world.regions["qd_street"], world.regions["qd_comm"]


def _activity_report(world: World, org: Organization, actor: Any) -> Any:
    from npohub.registration.services import activity_report_create

    return world.once(
        ("activity_report", org.pk),
        lambda: activity_report_create(
            actor=actor,
            org=org,
            title="矩阵测试活动",
            starts_on=dt.date(2026, 5, 1),
            location="社区广场",
            participants=100,
            description="矩阵测试",
        ),
    )


def activity_report_target(param: str) -> Any:
    """In: a report of 解放桥社区舞蹈队 (by its community); out: one of a foreign group."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        from npohub.orgs.tests.factories import CommunityGroupFactory

        community_setup(world)
        inside = _activity_report(world, world.orgs["group"], world.cast["community"])
        _street, place = _foreign_place(world, user)
        far_group = world.once(
            ("community_group", place.code),
            lambda: CommunityGroupFactory(name=f"{place.name}舞蹈队", community=place),
        )
        outside = _activity_report(world, far_group, world.cast["admin"])
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def with_community_setup(world: World, user: str) -> dict[str, dict[str, Any]]:
    """For endpoints without parameters: the delegation and grants exist before the request."""
    community_setup(world)
    return {"in": {}, "out": {}}


def activity_report_form(world: World, user: str, scope: str) -> dict[str, Any]:
    community_setup(world)
    return {
        "organization": world.orgs["group"].pk,
        "title": "矩阵测试活动",
        "starts_on": "2026-05-01",
        "location": "社区广场",
        "participants": 100,
        "description": "矩阵测试",
    }


def activity_report_json(world: World, user: str, scope: str) -> dict[str, Any]:
    values = activity_report_form(world, user, scope)
    return {"organization_id": values.pop("organization"), **values}


def delegation_target(param: str) -> Any:
    """In: 解放路街道's delegation; out: a delegation of a foreign street."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        from npohub.registration.services import filing_delegation_create

        inside = community_setup(world)["delegation"]
        street, _place = _foreign_place(world, user)
        federation = world.orgs["far" if user == "qingdao" else "qingdao"]
        outside = world.once(
            ("delegation", street.code),
            lambda: filing_delegation_create(
                actor=world.cast["admin"],
                street=street,
                federation=federation,
                valid_from=dt.date(2026, 1, 1),
            ),
        )
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def delegation_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "street": world.regions["jiefangqiao"].code,
        "federation": community_setup(world)["federation"].pk,
        "valid_from": "2026-01-01",
    }


def delegation_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "street_code": world.regions["jiefangqiao"].code,
        "federation_id": community_setup(world)["federation"].pk,
        "valid_from": "2026-01-01",
    }


def end_delegation(world: World, user: str, scope: str) -> dict[str, Any]:
    from django.utils import timezone

    return {"valid_until": timezone.localdate().isoformat()}


# --- end of "reg-filing" builders ----------------------------------------------------------------


# --- registration applications and joint review, API (helper "reg-api") -------------------------

# Who sees the establishment application of 历下区 once it is past the draft (the resident
# applied): the superuser, the bureaus of 历下区, and the cast's reviewer (its department has a
# task). A submitted one has no task yet, so no reviewer sees it.
SEES_APPLICATION = frozenset({"admin", "city", "district", "reviewer", "resident"})
SEES_SUBMITTED = frozenset({"admin", "city", "district", "resident"})
# May start an establishment application: founders (residents, organisation accounts) and bureau
# staff for a walk-in applicant (anywhere: the application is in 历下区 for everyone).
FOUNDERS = frozenset(
    {"admin", "city", "district", "district_out", "qingdao", "org_user", "org_user_out"}
    | {"resident"}
)
# May act on a review task: the department's members (the reviewer) and the superuser.
TASK_REVIEWERS = frozenset({"admin", "reviewer"})
SUPERUSER_SEES_ALL = "the superuser sees every application, so a foreign one is refused (403)"


def _reg_department(world: World, where: str) -> Any:
    """A joint-review department of 历下区 (the cast's reviewer is a member), or of 市南区
    (nobody of the cast is)."""
    from npohub.registration.models import Department

    def make() -> Any:
        region = world.regions["lixia" if where == "in" else "shinan"]
        department = Department.objects.create(
            name=f"矩阵联审部门{region.code}", kind="approval", region=region
        )
        if where == "in":
            department.members.add(world.cast["reviewer"])
        return department

    return world.once(("reg_department", where), make)


def _reg_application(world: World, where: str, state: str) -> Any:
    """An establishment in 历下区 by the resident (in) or in 市南区 by the stranger (out), with
    an application form attached by its applicant, put in ``state``; in review or 补正, the
    department of its place has a round-1 task (pending, or asking for more material)."""

    def make() -> Any:
        from django.utils import timezone

        from npohub.registration import services
        from npohub.registration.models import Application, ReviewTask
        from npohub.registration.tests.factories import ASSOCIATION_DATA, PDF

        inside = where == "in"
        applicant = world.cast["resident"] if inside else stranger(world)
        data = {**ASSOCIATION_DATA, "name": f"矩阵测试{state}协会"}
        if not inside:
            data["community_code"] = world.regions["qd_comm"].code
        app = services.application_create(
            actor=applicant,
            kind="establishment",
            org_kind="association",
            authority_code="370102" if inside else "370202",
            data=data,
        )
        services.attachment_add(
            actor=applicant,
            app=app,
            kind="application_form",
            name="申请书.pdf",
            stream=io.BytesIO(PDF),
        )
        reviewing = state in ("in_review", "supplement")
        today = timezone.localdate()
        Application.objects.filter(pk=app.pk).update(
            state=state,
            submitted_at=None if state == "draft" else timezone.now(),
            accepted_on=today if reviewing else None,
            deadline_days=60 if reviewing else None,
            review_round=1 if reviewing else 0,
            paused_since=today if state == "supplement" else None,
        )
        if reviewing:
            asks = state == "supplement"
            ReviewTask.objects.create(
                application=app,
                department=_reg_department(world, where),
                round=1,
                created_at=timezone.now(),
                due_on=today + dt.timedelta(days=10),
                opinion="more_material" if asks else "",
                reasons="矩阵测试：请补充材料" if asks else "",
            )
        app.refresh_from_db()
        return app

    return world.once(("reg_application", where, state), make)


def _reg_pair(world: World, user: str, state: str) -> tuple[Any, Any]:
    """(in, out) applications; for 青岛's bureau, which sees 市南区, 历下区's is the foreign one."""
    inside = _reg_application(world, "in", state)
    outside = inside if user == "qingdao" else _reg_application(world, "out", state)
    return inside, outside


def reg_application(param: str, state: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside, outside = _reg_pair(world, user, state)
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def reg_attachment(param: str, state: str) -> Any:
    """The application form (uploaded by the applicant) of the in / out application."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside, outside = _reg_pair(world, user, state)
        return {
            "in": {param: inside.attachments.get().pk},
            "out": {param: outside.attachments.get().pk},
        }

    return build


def reg_task(param: str) -> Any:
    """The pending review task of the in / out application in joint review."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside, outside = _reg_pair(world, user, "in_review")
        return {
            "in": {param: inside.review_tasks.get().pk},
            "out": {param: outside.review_tasks.get().pk},
        }

    return build


def reg_new_application(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "kind": "establishment",
        "org_kind": "association",
        "authority_code": "370102",
        "data": {"name": f"历下区矩阵{user}协会"},
    }


def reg_upload(world: World, user: str, scope: str) -> dict[str, Any]:
    from npohub.registration.tests.factories import PDF

    return {"kind": "other", "file": SimpleUploadedFile("矩阵.pdf", PDF)}


# --- end of "reg-api" builders -------------------------------------------------------------------


# --- registration pages, HTML (helper "reg-ui"; reuses the "reg-api" application builders) -----

# Who has the application pages at all (applicants, bureaus, streets, communities, hubs).
REG_LISTERS = SIGNED_IN - {"reviewer", "inspector", "expert", "party"}
# Who may open "new application" (some kind is offered): founders, filing starters, bureaus.
REG_STARTERS = REG_LISTERS - {"hub"}
# The bureau's overview and the deadline board (streets see the board too).
REG_BUREAUS = frozenset({"admin", "city", "district", "district_out", "qingdao"})
REG_DEADLINES = REG_BUREAUS | {"street", "street_out"}


def reg_form(world: World, user: str, scope: str) -> dict[str, Any]:
    """The establishment form as the page posts it (in 历下区)."""
    from npohub.registration.tests.factories import ASSOCIATION_DATA

    data = {k: str(v) for k, v in ASSOCIATION_DATA.items()}
    data.update(org_kind="association", authority_code="370102000000", name=f"历下区矩阵{user}协会")
    return data


def reg_edit_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"name": "历下区矩阵修改协会", "phone": "0531-12345678"}


# --- end of "reg-ui" builders --------------------------------------------------------------------


# --- the policy table ----------------------------------------------------------------------

POLICY: dict[str, Rule] = {
    # accounts
    "accounts:login": Rule(
        PUBLIC, body=lambda w, u, s: {"username": "nobody", "password": "x"}, writes=False
    ),
    "accounts:logout": Rule(PUBLIC, writes=False, note="logs out whoever asks"),
    "accounts:me": Rule(SIGNED_IN, body=lambda w, u, s: {"name": "矩阵令牌"}),
    "accounts:token-revoke": Rule(
        SIGNED_IN, target=own_token, allow_out=frozenset(), note="only one's own tokens"
    ),
    "accounts:user-list": Rule(USER_ADMINS),
    "accounts:user-create": Rule(USER_ADMINS, body=user_form),
    "accounts:user-edit": Rule(USER_ADMINS, target=managed_user, body=user_form),
    "accounts:user-password": Rule(USER_ADMINS, target=managed_user, body=lambda w, u, s: PASSWORD),
    # organisations (HTML)
    "orgs:organization-list": Rule(STAFF),
    "orgs:organization-create": Rule(
        GROUP_CREATORS,
        query={"kind": "community_group"},
        body=community_group_form,
        scoped_body=True,
        form_denial=True,
    ),
    "orgs:organization-detail": Rule(SEES_ASSOC, target=assoc("pk")),
    "orgs:organization-print": Rule(SEES_ASSOC, target=assoc("pk")),
    "orgs:organization-edit": Rule(BUREAU, target=assoc("pk"), body=org_form),
    "orgs:organization-status": Rule(
        BUREAU, target=assoc("pk"), body=lambda w, u, s: STATUS_CHANGE
    ),
    # dashboards
    "dashboards:region": Rule(REGION_STAFF, target=own_region),
    "dashboards:home": Rule(SIGNED_IN, note="every account's own to-do list (工作台)"),
    # API: organisations
    "organizations_list": Rule(STAFF, query={"q": "协会"}),
    "organizations_create": Rule(GROUP_CREATORS, body=community_group_json, scoped_body=True),
    "organizations_detail": Rule(SEES_ASSOC, target=assoc("org_id")),
    "organizations_replace": Rule(
        SEES_ASSOC, target=assoc("org_id"), unsafe_allow=BUREAU, body=whole_record
    ),
    "organizations_patch": Rule(
        SEES_ASSOC,
        target=assoc("org_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"address": "矩阵"},
    ),
    "organizations_change_status": Rule(
        SEES_ASSOC, target=assoc("org_id"), unsafe_allow=BUREAU, body=lambda w, u, s: STATUS_CHANGE
    ),
    "organizations_history": Rule(SEES_ASSOC, target=assoc("org_id")),
    "organizations_as_of": Rule(SEES_ASSOC, target=assoc("org_id"), query={"date": "2024-01-01"}),
    # API: public register and documentation
    "public_organizations_list": Rule(PUBLIC, query={"q": "协会"}),
    "public_organizations_detail": Rule(PUBLIC, target=assoc("org_id"), allow_out=PUBLIC),
    "api:openapi-json": Rule(PUBLIC, users=SAMPLE, note="the API description is public"),
    "api:openapi-view": Rule(PUBLIC, users=SAMPLE, note="Swagger UI, served from /static/"),
    # public portal
    "portal:home": Rule(PUBLIC),
    "portal:organization": Rule(PUBLIC, target=assoc("pk"), allow_out=PUBLIC),
    # regions
    "regions:region-list": Rule(SIGNED_IN),
    "regions:picker": Rule(SIGNED_IN),
    "regions:cascade": Rule(SIGNED_IN, query={"field": "region", "region": "370102000000"}),
    "regions:urban-rural-correct": Rule(
        CORRECTORS,
        target=community,
        body=lambda w, u, s: RURAL,
        form_denial=True,
        hidden_out=False,
        note="bureaus in their region; a refusal comes back as a message on the list",
    ),
    # API: regions (reference data, any signed-in user reads it)
    "regions_list": Rule(SIGNED_IN, query={"parent": "370102"}),
    "regions_get": Rule(SIGNED_IN, target=community, allow_out=SIGNED_IN),
    "regions_correct_urban_rural": Rule(
        CORRECTORS, target=community, body=lambda w, u, s: RURAL, hidden_out=False
    ),
    # imports and exports (HTML)
    "imports:home": Rule(GROUP_CREATORS, note="roles that may import some kind"),
    "imports:template": Rule(
        SIGNED_IN,
        target=lambda w, u: {"in": {"kind": "registered"}, "out": {"kind": "no-such-kind"}},
        allow_out=frozenset(),
        users=SAMPLE,
        note="a blank spreadsheet, the same for everyone; out = an unknown kind",
    ),
    "imports:export": Rule(STAFF, note="exports what the user's list shows"),
    "imports:upload": Rule(
        GROUP_CREATORS,
        body=group_upload,
        form_denial=True,
        note="community groups: bureaus and streets; a refusal is a message on the import page",
    ),
    "imports:job": Rule(SIGNED_IN, target=import_job("pk"), note="only the creator's jobs"),
    "imports:commit": Rule(
        GROUP_CREATORS,
        target=import_job("pk"),
        form_denial=True,
        note="the creator, if their role may import; a refusal is a message on the job page",
    ),
    "imports:retry": Rule(
        GROUP_CREATORS,
        target=failed_import_job("pk"),
        form_denial=True,
        note="the creator re-runs a failed step; a refusal is a message on the job page",
    ),
    # API: imports
    "create_import": Rule(GROUP_CREATORS, body=group_upload, multipart=True),
    "get_import": Rule(SIGNED_IN, target=import_job("job_id")),
    "list_import_errors": Rule(SIGNED_IN, target=import_job("job_id")),
    "commit_import": Rule(GROUP_CREATORS, target=import_job("job_id")),
    "retry_import": Rule(
        GROUP_CREATORS,
        target=failed_import_job("job_id"),
        note="the creator re-runs a failed commit (nothing was written)",
    ),
    # notifications: everyone signed in has their own inbox and preferences, and only theirs
    "notifications:notification-list": Rule(SIGNED_IN),
    "notifications:badge": Rule(SIGNED_IN),
    "notifications:notification-read": Rule(
        SIGNED_IN,
        target=own_notification,
        allow_out=frozenset(),
        writes=False,
        note=MARK_READ_NOTE,
    ),
    "notifications:notification-read-all": Rule(
        SIGNED_IN, body=with_unread_notification({}), writes=False, note=MARK_READ_NOTE
    ),
    "notifications:preferences": Rule(SIGNED_IN, body=preference_change, writes=PREFERENCES_WRITE),
    # API: notifications
    "notifications_list": Rule(SIGNED_IN, query={"unread": "true"}),
    "notifications_mark_read": Rule(
        SIGNED_IN,
        body=with_unread_notification({"all": True}),
        writes=False,
        note=MARK_READ_NOTE,
    ),
    "notifications_preferences": Rule(SIGNED_IN),
    "notifications_preferences_update": Rule(
        SIGNED_IN,
        body=lambda w, u, s: {"preferences": preference_change(w, u, s)},
        writes=PREFERENCES_WRITE,
    ),
    # --- registration certificates, verification and announcements (helper "reg-cert") ---
    # PDF downloads: whoever may see the organisation (organization_get_for); others get 404.
    "certificates:current-pdf": Rule(SEES_ASSOC, target=certified_org),
    "certificates:pdf": Rule(SEES_ASSOC, target=certificate_target("pk")),
    "certificates:print": Rule(SEES_ASSOC, target=certificate_target("pk")),
    "certificates:current-print": Rule(SEES_ASSOC, target=certified_org),
    # The QR code's page and the announcements: public, for any certificate or announcement.
    "portal:certificate-verify": Rule(
        PUBLIC, target=certificate_target("token", "token"), allow_out=PUBLIC
    ),
    "portal:announcement-list": Rule(PUBLIC, query={"q": "协会"}),
    "portal:announcement-detail": Rule(PUBLIC, target=announcement_target, allow_out=PUBLIC),
    "public_certificates_verify": Rule(
        PUBLIC, target=certificate_target("token", "token"), allow_out=PUBLIC
    ),
    "public_announcements_list": Rule(PUBLIC, query={"q": "协会", "kind": "establishment"}),
    # --- end of "reg-cert" rules ---
    # --- community: activity reports and filing delegation (helper "reg-filing") ---
    # Reports: the list for the roles that have them; a report for whoever sees it; answers
    # (知悉 / 提出疑问) by the street, the bureaus and the delegated federation. A refused
    # answer re-renders the page with the service's reason (nothing changes).
    "community:activity-report-list": Rule(ACTIVITY_USERS, query={"state": "submitted"}),
    "community:activity-report-create": Rule(
        GROUP_REPORTERS,
        target=with_community_setup,
        methods=("GET", "POST"),
        body=activity_report_form,
        note="the form lists the user's own filed groups (or its community's); none → 404",
    ),
    "community:activity-report-detail": Rule(
        REPORT_SEERS,
        target=activity_report_target("pk"),
        methods=("GET", "POST"),
        unsafe_allow=REPORT_ANSWERERS,
        body=lambda w, u, s: {"action": "acknowledge"},
        form_denial=True,
    ),
    # Delegations: street offices and bureaus manage them; hub staff only see their own.
    "community:delegation-list": Rule(
        DELEGATION_VIEWERS,
        target=with_community_setup,
        methods=("GET", "POST"),
        unsafe_allow=DELEGATION_MANAGERS,
        body=delegation_form,
        form_denial=True,
        note="other streets' officers get the form back: 解放路街道 is not among their streets",
    ),
    "community:delegation-end": Rule(
        DELEGATION_MANAGERS,
        target=delegation_target("pk"),
        methods=("POST",),
        body=end_delegation,
    ),
    # API: community
    "community_activity_reports_list": Rule(ACTIVITY_USERS, query={"state": "submitted"}),
    "community_activity_reports_create": Rule(
        GROUP_REPORTERS, target=with_community_setup, body=activity_report_json
    ),
    "community_activity_reports_detail": Rule(
        REPORT_SEERS, target=activity_report_target("report_id")
    ),
    "community_activity_reports_act": Rule(
        REPORT_SEERS,
        target=activity_report_target("report_id"),
        unsafe_allow=REPORT_ANSWERERS,
        body=lambda w, u, s: {"action": "acknowledge"},
    ),
    "community_delegations_list": Rule(DELEGATION_VIEWERS, target=with_community_setup),
    "community_delegations_create": Rule(
        DELEGATION_MANAGERS, target=with_community_setup, body=delegation_json
    ),
    "community_delegations_end": Rule(
        DELEGATION_MANAGERS, target=delegation_target("delegation_id"), body=end_delegation
    ),
    # --- end of "reg-filing" rules ---
    # --- API: registration applications and joint review (helper "reg-api") ---
    # Lists answer everyone signed in with what their scope holds.
    "registration_applications_list": Rule(SIGNED_IN, query={"open_only": "true"}),
    "registration_applications_create": Rule(
        FOUNDERS, body=reg_new_application, note="street, community and other staff roles: 403"
    ),
    "registration_applications_detail": Rule(
        SEES_APPLICATION, target=reg_application("app_id", "in_review")
    ),
    # Content: only the applicant, while it holds the application (here: 补正).
    "registration_applications_update": Rule(
        SEES_APPLICATION,
        target=reg_application("app_id", "supplement"),
        unsafe_allow=frozenset({"resident"}),
        body=lambda w, u, s: {"data": {"phone": "0531-12345678"}},
        hidden_out=False,
        note=SUPERUSER_SEES_ALL,
    ),
    # A move of the bureau on a submitted application (return for documents, with a reason).
    "registration_applications_transition": Rule(
        SEES_SUBMITTED,
        target=reg_application("app_id", "submitted"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"transition": "return_documents", "note": "矩阵测试"},
    ),
    "registration_attachments_list": Rule(
        SEES_APPLICATION, target=reg_application("app_id", "in_review")
    ),
    # Documents: the applicant while it holds the application, the bureau at any stage.
    "registration_attachments_upload": Rule(
        SEES_APPLICATION,
        target=reg_application("app_id", "supplement"),
        unsafe_allow=frozenset({"admin", "city", "district", "resident"}),
        body=reg_upload,
        multipart=True,
    ),
    "registration_attachments_download": Rule(
        SEES_APPLICATION, target=reg_attachment("attachment_id", "in_review")
    ),
    "registration_attachments_delete": Rule(
        SEES_APPLICATION,
        target=reg_attachment("attachment_id", "supplement"),
        unsafe_allow=frozenset({"resident"}),
        hidden_out=False,
        note="only the uploader; " + SUPERUSER_SEES_ALL,
    ),
    "registration_reviews_list": Rule(SIGNED_IN, query={"pending_only": "false"}),
    "registration_reviews_detail": Rule(TASK_REVIEWERS, target=reg_task("task_id")),
    "registration_reviews_opinion": Rule(
        TASK_REVIEWERS, target=reg_task("task_id"), body=lambda w, u, s: {"opinion": "agree"}
    ),
    "registration_deadlines_list": Rule(SIGNED_IN),
    "registration_workflows_list": Rule(SIGNED_IN, note="the workflow tables, the same for all"),
    "registration_departments_list": Rule(
        SIGNED_IN, query={"authority_code": "370102", "kind": "supervisory"}
    ),
    # --- end of "reg-api" rules ---
    # --- registration pages, HTML (helper "reg-ui") ---
    "registration:overview": Rule(REG_BUREAUS, note="bureaus: counts of their applications"),
    "registration:application-list": Rule(REG_LISTERS, query={"open": "on"}),
    "registration:application-create": Rule(
        REG_STARTERS,
        methods=("GET", "POST"),
        query={"kind": "establishment"},
        unsafe_allow=FOUNDERS,
        body=reg_form,
        form_denial=True,
        note="who may not start an establishment gets the choice of what they may start",
    ),
    "registration:application-detail": Rule(
        SEES_APPLICATION, target=reg_application("pk", "in_review")
    ),
    "registration:application-print": Rule(
        SEES_APPLICATION, target=reg_application("pk", "in_review")
    ),
    "registration:application-edit": Rule(
        frozenset({"resident"}),
        target=reg_application("pk", "supplement"),
        methods=("GET", "POST"),
        body=reg_edit_form,
        allow_out=frozenset(),
        note="only the applicant while it holds the application (here: 补正)",
    ),
    "registration:application-transition": Rule(
        SEES_SUBMITTED,
        target=reg_application("pk", "submitted"),
        methods=("POST",),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"transition": "return_documents", "note": "矩阵测试"},
        form_denial=True,
        note="a refused move is a message on the detail page",
    ),
    "registration:attachment-upload": Rule(
        SEES_APPLICATION,
        target=reg_application("pk", "supplement"),
        methods=("POST",),
        unsafe_allow=frozenset({"admin", "city", "district", "resident"}),
        body=reg_upload,
        form_denial=True,
    ),
    "registration:attachment-download": Rule(
        SEES_APPLICATION, target=reg_attachment("pk", "in_review")
    ),
    "registration:attachment-delete": Rule(
        frozenset({"resident"}),
        target=reg_attachment("pk", "supplement"),
        methods=("POST",),
        allow_out=frozenset(),
        form_denial=True,
        note="only the uploader; the superuser is told so in a message",
    ),
    "registration:review-list": Rule(SIGNED_IN, query={"tab": "done"}),
    "registration:review-detail": Rule(
        TASK_REVIEWERS,
        target=reg_task("pk"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"opinion": "agree"},
    ),
    "registration:review-attachment-upload": Rule(
        TASK_REVIEWERS, target=reg_task("pk"), methods=("POST",), body=reg_upload
    ),
    "registration:deadline-board": Rule(REG_DEADLINES),
    # --- end of "reg-ui" rules ---
}

from .matrix_rules import collect as _collect_app_rules  # noqa: E402 - after POLICY on purpose

_APP_RULES = _collect_app_rules()
assert not set(_APP_RULES) & set(POLICY), sorted(set(_APP_RULES) & set(POLICY))
POLICY.update(_APP_RULES)

ENDPOINTS = discover(EXCLUDED, lambda key: POLICY[key].methods if key in POLICY else ("GET",))


# --- the checks ----------------------------------------------------------------------------

LOGIN_PATH = resolve_url(settings.LOGIN_URL)


def test_every_endpoint_is_declared():
    """A new URL or API operation must say who may use it (add a Rule to POLICY)."""
    missing = sorted({e.key for e in ENDPOINTS if e.key not in POLICY})
    assert not missing, (
        "These endpoints are not in the permission matrix. Add a Rule for each to POLICY in "
        "tests/test_permission_matrix.py (or an Exclusion with a reason):\n  "
        + "\n  ".join(
            f"{k}  ({', '.join(e.route for e in ENDPOINTS if e.key == k)})" for k in missing
        )
    )


def test_every_declared_endpoint_exists():
    """A rule for an endpoint that was renamed or removed is a rule that checks nothing."""
    stale = sorted(set(POLICY) - {e.key for e in ENDPOINTS})
    assert not stale, f"POLICY entries without an endpoint (renamed or removed?): {stale}"


def test_every_function_view_declares_its_methods():
    """Function views restrict their methods (require_GET / require_http_methods), so the
    matrix knows which ones to try."""
    loose = sorted({e.key for e in ENDPOINTS if e.kind == "html" and not e.methods_known})
    assert not loose, f"Views without require_http_methods / require_GET / require_POST: {loose}"


@functools.cache
def _snapshot_sql() -> tuple[str, ...]:
    """Raw SQL (built once): the row counts of every NPOHub table in one query, then every
    Organization and User row."""
    quote = connection.ops.quote_name
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m.__module__.startswith("npohub.") and m._meta.managed and not m._meta.proxy
        }
    )
    counts = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    rows = [
        f"SELECT * FROM {quote(m._meta.db_table)} ORDER BY {quote(m._meta.pk.column)}"
        for m in (Organization, User)
    ]
    return (counts, *rows)


def snapshot() -> tuple[Any, ...]:
    """Row counts of every NPOHub table, plus the Organization and User rows (raw SQL: it runs
    twice for every unsafe request)."""
    with connection.cursor() as cursor:
        taken = []
        for sql in _snapshot_sql():
            cursor.execute(sql)
            taken.append(cursor.fetchall())
    return tuple(taken)


def build_url(endpoint: Endpoint, kwargs: dict[str, Any]) -> str:
    path = "/" + endpoint.route
    for name, value in kwargs.items():
        for prefix in ("<int:", "<str:", "<slug:", "<path:", "<uuid:", "<"):
            path = path.replace(f"{prefix}{name}>", str(value))
    assert "<" not in path, f"no value for a parameter of {endpoint.route}: {kwargs}"
    return path


def send(client: Client, endpoint: Endpoint, url: str, rule: Rule, body: Any) -> Any:
    method = endpoint.method.lower()
    if endpoint.method == "GET":
        return client.get(url, rule.query)
    if rule.query:
        url = f"{url}?{urlencode(rule.query)}"
    if endpoint.kind == "api" and rule.multipart:
        return getattr(client, method)(url, body or {})
    if endpoint.kind == "api":
        return getattr(client, method)(
            url, data=json.dumps(body or {}), content_type="application/json"
        )
    if endpoint.method == "POST":
        return client.post(url, body or {})
    return getattr(client, method)(
        url, data=urlencode(body or {}), content_type="application/x-www-form-urlencoded"
    )


def outcome(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlparse(response.get("Location", ""))
        if target.path == LOGIN_PATH and "next=" in target.query:
            return "login"
    if status == 401:
        return "login"
    if status in (403, 404):
        return f"denied {status}"
    return "allowed" if status < 400 else f"error {status}"


def check(
    endpoint: Endpoint, rule: Rule, user: str, scope: str, got: str, changed: bool
) -> str | None:
    """None if the response is what the policy says; otherwise what went wrong."""
    unsafe = endpoint.method not in SAFE_METHODS
    if rule.allowed(endpoint.method, user, scope):
        if got != "allowed":
            return f"expected allowed, got {got}"
        if unsafe and rule.writes and not changed:
            return "allowed but nothing changed (is the Rule's body valid?)"
        return None
    if changed:
        return f"denied ({got}) but the database changed"
    if user == ANONYMOUS:
        return None if got == "login" else f"anonymous: expected the sign-in answer, got {got}"
    if scope == "out" and endpoint.params and user in rule.allow and rule.hidden_out:
        return (
            None
            if got == "denied 404"
            else f"outside scope: expected 404 like a missing id, got {got}"
        )
    if got.startswith("denied"):
        return None
    if got == "allowed" and rule.form_denial and unsafe:
        return None  # the form re-rendered with the service's refusal; nothing changed
    return f"expected denied, got {got}"


def shown_text(response: Any) -> str:
    """What an answer shows: the page, or the API's JSON with its Chinese unescaped."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def contents_problem(response: Any, shows: Any, hides: Any) -> str | None:
    """None if the answer shows every text of ``shows`` and none of ``hides``."""
    text = shown_text(response)
    missing = [t for t in shows if t not in text]
    leaked = [t for t in hides if t in text]
    if not (missing or leaked):
        return None
    return f"lists wrong contents: missing {missing}, shows what it must not {leaked}"


def clients_for(cast: dict[str, User]) -> dict[str, Client]:
    """One client per user, signed in once (each request restores its cookies afterwards)."""
    clients = {ANONYMOUS: Client()}
    for name in CAST:
        client = Client()
        client.force_login(cast[name])
        clients[name] = client
    return clients


def _fixture_body(fixture: Any) -> Any:
    """The function behind a root-conftest fixture, so the module builds the very same cast."""
    unwrap = getattr(fixture, "_get_wrapped_function", None)
    return unwrap() if unwrap is not None else fixture.__wrapped__


@dataclass(frozen=True)
class Shared:
    regions: dict[str, Any]
    cast: dict[str, User]
    orgs: dict[str, Organization]
    clients: dict[str, Client]


@pytest.fixture(scope="module")
def shared(django_db_setup: None, django_db_blocker: Any) -> Iterator[Shared]:
    """The root conftest's regions, cast and organisations, and a signed-in client per user,
    built once per module (once per xdist worker) inside a transaction that is rolled back at
    the end, like ``setUpTestData``. Each test runs in a savepoint of it (pytest-django's
    ``db``), and each request in a savepoint of the test's."""
    conftest = sys.modules["conftest"]
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            regions = _fixture_body(conftest.regions)(None)
            cast = _fixture_body(conftest.cast)(regions)
            orgs = _fixture_body(conftest.orgs)(cast, regions)
            built = Shared(regions, cast, orgs, clients_for(cast))
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(shared: Shared, db: None) -> World:
    """The shared cast, with a fresh cache for the objects this test's builders create."""
    return World(cast=shared.cast, orgs=shared.orgs, regions=shared.regions)


def scopes_of(endpoint: Endpoint, rule: Rule) -> tuple[str, ...]:
    if endpoint.params:
        return ("in", "out")
    if rule.scoped_body and endpoint.method not in SAFE_METHODS:
        return ("in", "out")
    return ("in",)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.key in POLICY], ids=lambda e: e.id)
def test_permission_matrix(endpoint: Endpoint, world: World, shared: Shared):
    rule = POLICY[endpoint.key]
    unsafe = endpoint.method not in SAFE_METHODS
    clients = shared.clients
    failures = []
    for user in rule.users:
        targets = rule.target(world, user) if rule.target else {"in": {}, "out": {}}
        expected = rule.contents(world, user) if rule.contents and not unsafe else None
        for scope in scopes_of(endpoint, rule):
            kwargs = {k: v for k, v in targets[scope].items() if k in endpoint.params}
            url = build_url(endpoint, kwargs)
            body = rule.body(world, user, scope) if rule.body else None
            client = clients[user]
            cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
            with transaction.atomic():
                before = snapshot() if unsafe else None
                response = send(client, endpoint, url, rule, body)
                changed = unsafe and snapshot() != before
                transaction.set_rollback(True)
            client.cookies = cookies
            problem = check(endpoint, rule, user, scope, outcome(response), changed)
            if expected is not None and not problem and outcome(response) == "allowed":
                problem = contents_problem(response, *expected) if scope == "in" else None
            if problem:
                failures.append(f"{user:>13} {scope:>3} {url}: {problem} [{response.status_code}]")
    assert not failures, f"{endpoint.id}\n" + "\n".join(failures)


# --- masking: the page and the API of one record show what its record view says ----------------

from npohub.accounts.models import TokenScope  # noqa: E402
from npohub.accounts.services import api_token_create  # noqa: E402

from .matrix import Mask, Secret  # noqa: E402
from .matrix_rules.masks import MASKS  # noqa: E402


def bearer_tokens(users: dict[str, User]) -> dict[str, str]:
    """A read-only API token per signed-in user (raw keys), made in the test's savepoint."""
    return {
        name: api_token_create(actor=user, user=user, name="矩阵遮盖", scope=TokenScope.READ)[1]
        for name, user in users.items()
    }


def masking_problems(name: str, answer: str, text: str, secrets: Any, whole: bool) -> list[str]:
    """What ``text`` (one answer, for one user) shows wrong of the record's ``secrets``."""
    problems = []
    for secret in secrets:
        if answer.split()[0] not in secret.on:
            continue
        if whole and secret.full not in text:
            problems.append(f"{name} {answer}: {secret.full} not shown whole")
        if not whole and secret.full in text:
            problems.append(f"{name} {answer}: {secret.full} shown whole, the view masks it")
        if not whole and secret.masked not in text:
            problems.append(f"{name} {answer}: masked {secret.masked} not shown")
    return problems


def _mask_answers(mask: Mask, record: Any, client: Client, token: str | None) -> dict[str, Any]:
    cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
    answers = {"page": client.get(mask.page(record)), "api session": client.get(mask.api(record))}
    client.cookies = cookies
    if token is not None:
        answers["api token"] = Client().get(mask.api(record), HTTP_AUTHORIZATION=f"Bearer {token}")
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("row", sorted(MASKS), ids=str)
def test_every_role_sees_a_records_personal_data_as_its_record_view_says(
    row: str, world: World, shared: Shared
):
    """For each record type with personal data and each user: the page and the API (session and
    bearer token) open for the same users, and show each value whole where the record view
    unmasks it, masked (never whole) where it masks it."""
    mask = MASKS[row]
    record = mask.record(world)
    people = mask.people(world, record) if mask.people else {}
    users: dict[str, Any] = {ANONYMOUS: None, **shared.cast, **people}
    clients = dict(shared.clients)
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    tokens = bearer_tokens({n: u for n, u in users.items() if u is not None})
    secrets: tuple[Secret, ...] = mask.secrets(record)
    assert all(s.full != s.masked for s in secrets), "a value the mask leaves whole checks nothing"
    failures, opened, masked_for = [], set(), set()
    for name, user in users.items():
        answers = _mask_answers(mask, record, clients[name], tokens.get(name))
        holds = mask.page_holds(record) if mask.page_holds else ()
        texts = {}
        for answer, response in answers.items():
            text = shown_text(response) if response.status_code == 200 else ""
            for held in holds if answer == "page" else ():
                text = text.replace(held, "")
            texts[answer] = text
        shows = {
            a: any(s.full in t or s.masked in t for s in secrets if a.split()[0] in s.on)
            for a, t in texts.items()
        }
        if name not in mask.visible:
            leaked = [a for a, t in texts.items() if any(s.full in t for s in secrets)]
            failures += [f"{name} {a}: not visible, but shows a whole value" for a in leaked]
            opening = [a for a, shown in shows.items() if shown]
            failures += [f"{name} {a}: not visible, but shows the record" for a in opening]
            continue
        opened.add(name)
        closed = [f"{a} {r.status_code}" for a, r in answers.items() if r.status_code != 200]
        if closed:
            failures.append(f"{name}: visible, but {', '.join(closed)}")
            continue
        whole = mask.sees(user, record)
        if not whole:
            masked_for.add(name)
        for answer, text in texts.items():
            failures += masking_problems(name, answer, text, secrets, whole)
    assert not failures, f"{row}\n" + "\n".join(failures)
    assert opened == set(mask.visible), f"{row}: nobody named {set(mask.visible) - opened}"
