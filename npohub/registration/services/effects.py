"""Effects of the application's moves, in the move's transaction: the statutory clock, joint
review tasks, and the registry changes on approval (register, change, re-elect, deregister,
revoke, file) with their USCC, certificate and announcement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.validators import uscc_check_character
from npohub.orgs import services as org_services
from npohub.orgs.access import organization_account_grant
from npohub.orgs.models import (
    Kind,
    Officer,
    Organization,
    Person,
    Status,
)
from npohub.orgs.validation import OrganizationInput
from npohub.regions.models import Region

from .. import rules
from ..models import (
    Announcement,
    Application,
    Department,
    Opinion,
    ReviewRoute,
    ReviewTask,
)
from ..policy import policy_for
from ..workflows import (
    workflow_for,
)
from .certificates import certificate_issue, certificate_void
from .common import Context, _region_prefix, _resume


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of the 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def issue_uscc(org_kind: str, authority: Region) -> str:
    """A new USCC: 5 + kind digit + authority division + 民政-assigned organisation code + check."""
    digit = {"association": "1", "social_service": "2", "foundation": "3"}[org_kind]
    head = f"5{digit}{authority.code[:6]}"
    taken = set(
        Organization.objects.filter(uscc__startswith=head + "5").values_list("uscc", flat=True)
    )
    serial = len(taken) + 1
    while True:
        body8 = f"5{serial:07d}"
        first17 = head + body8 + _org_code_check(body8)
        code = first17 + uscc_check_character(first17)
        if code not in taken:
            return code
        serial += 1


def _deadline_days(app: Application, key: str) -> int:
    policy = policy_for(app.authority_region.code)
    if key == "decision_days" and app.is_charity and app.kind == "establishment":
        return int(policy["charity_decision_days"])
    return int(policy[key])


def _routed_departments(app: Application) -> list[Department]:
    routes = (
        ReviewRoute.objects.filter(application_kind=app.kind, department__is_active=True)
        .filter(models_q_category(app.category_id))
        .select_related("department__region")
    )
    chosen: dict[int, Department] = {}
    for route in routes:
        if app.authority_region.code.startswith(_region_prefix(route.department.region)):
            chosen[route.department.pk] = route.department
    if app.supervisory_department is not None and not app.is_direct:
        chosen[app.supervisory_department.pk] = app.supervisory_department
    return sorted(chosen.values(), key=lambda d: (d.kind, d.name))


def models_q_category(category_id: int | None) -> Any:
    from django.db.models import Q

    return Q(category__isnull=True) | Q(category_id=category_id)


def _create_tasks(ctx: Context, departments: Iterable[Department]) -> list[ReviewTask]:
    app = ctx.obj
    due = ctx.today + dt.timedelta(days=int(policy_for(app.authority_region.code)["review_days"]))
    now = timezone.now()
    tasks = [
        ReviewTask(
            application=app, department=d, round=app.review_round, created_at=now, due_on=due
        )
        for d in departments
    ]
    ReviewTask.objects.bulk_create(tasks)
    return tasks


def _effect_start_review(ctx: Context) -> None:
    app = ctx.obj
    app.accepted_on = ctx.today
    app.deadline_days = _deadline_days(app, workflow_for(ctx.obj.kind).deadline_key)
    app.paused_days = 0
    app.paused_since = None
    app.review_round = (app.review_round or 0) + 1
    flag = rules.late_change_flag(app, ctx.today)
    if flag and flag not in app.flags:
        app.flags = [*app.flags, flag]
    departments = _routed_departments(app)
    _create_tasks(ctx, departments)
    ctx.payload["departments"] = [d.name for d in departments]
    if not departments:
        ctx.follow_up = "review_complete"


def _effect_pause_clock(ctx: Context) -> None:
    ctx.obj.paused_since = ctx.today


def _effect_resume_review(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    asked = list(
        Department.objects.filter(
            review_tasks__application=app,
            review_tasks__round=app.review_round,
            review_tasks__opinion=Opinion.MORE_MATERIAL,
        ).distinct()
    )
    app.review_round += 1
    _create_tasks(ctx, asked)
    ctx.payload["departments"] = [d.name for d in asked]
    if not asked:
        ctx.follow_up = "review_complete"


def _effect_close_clock(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)


def _effect_start_filing_clock(ctx: Context) -> None:
    app = ctx.obj
    app.accepted_on = ctx.today
    app.deadline_days = _deadline_days(app, "filing_days")
    app.paused_days = 0
    app.paused_since = None


def _effect_reserve_name(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    until = ctx.today + dt.timedelta(days=183)
    ctx.obj.result = {"reserved_name": ctx.obj.name, "valid_until": until.isoformat()}


def _effect_approve_preparation(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    ctx.obj.result = {"preparation_approved_on": ctx.today.isoformat()}


def _effect_approve_articles(ctx: Context) -> None:
    _resume(ctx.obj, ctx.today)
    ctx.obj.result = {"articles_approved_on": ctx.today.isoformat()}


def _announce(ctx: Context, org: Organization, kind: str, detail: str = "") -> Announcement:
    from ..models import AnnouncementKind

    label = str(AnnouncementKind(kind).label)
    authority = ctx.obj.authority_region
    body = _(
        "%(org)s（统一社会信用代码：%(uscc)s）经%(authority)s民政局核准，%(what)s。%(detail)s"
    ) % {
        "org": org.name,
        "uscc": org.uscc or "—",
        "authority": authority.name,
        "what": label.replace(_("公告"), ""),
        "detail": detail,
    }
    return Announcement.objects.create(
        kind=kind,
        organization=org,
        application=ctx.obj,
        title=f"{org.name}{label}",
        body=body.strip(),
        published_on=ctx.today,
        authority_region=authority,
    )


def _grant_own(ctx: Context, org: Organization) -> None:
    """The applicant becomes an account of the organisation it founded (orgs' audited grant)."""
    applicant = ctx.obj.applicant
    if applicant.role in BUREAU_ROLES or applicant.is_superuser:
        return  # window staff applied for someone; no organisation account to grant
    if applicant.role in (Role.COMMUNITY_WORKER, Role.STREET_OFFICER):
        return
    organization_account_grant(
        actor=ctx.actor, user=applicant, organization=org, on_behalf_of=ctx.on_behalf_of
    )


def _input_for_registration(app: Application, uscc: str, today: dt.date) -> OrganizationInput:
    data = app.data or {}
    values = {
        f: data.get(f, "") for f in rules.ORG_FIELDS if f in OrganizationInput.__dataclass_fields__
    }
    values["name"] = app.name
    if app.supervisory_department is not None and not values.get("supervisory_unit"):
        values["supervisory_unit"] = app.supervisory_department.name
    return OrganizationInput(
        kind=app.org_kind,
        uscc=uscc,
        authority_region_code=app.authority_region.code,
        registration_date=today.isoformat(),
        status=Status.ACTIVE,
        **values,
    )


def _effect_register(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    uscc = issue_uscc(app.org_kind, app.authority_region)
    data = _input_for_registration(app, uscc, ctx.today)
    if app.organization is not None:  # 备案 → 登记: the same record keeps its history
        org = org_services.organization_upgrade_to_registered(
            actor=ctx.actor, org=app.organization, data=data, on_behalf_of=ctx.on_behalf_of
        )
    else:
        org = org_services.organization_create(
            actor=ctx.actor, data=data, on_behalf_of=ctx.on_behalf_of, workflow=True
        )
        parent_id = (app.data or {}).get("parent_id")
        if parent_id:
            org.parent_id = int(parent_id)
            org.save(update_fields=["parent", "updated_at"])
        app.organization = org
    certificate = certificate_issue(org=org, app=app, today=ctx.today)
    _announce(ctx, org, "establishment")
    _grant_own(ctx, org)
    app.result = {"organization": org.pk, "uscc": uscc, "certificate": certificate.number}
    ctx.payload["organization"] = org.pk


def _effect_change(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    changes = {
        k: v
        for k, v in ((app.data or {}).get("changes") or {}).items()
        if k in rules.CHANGEABLE_FIELDS
    }
    data = rules.proposed_input(app)
    org = org_services.organization_update(
        actor=ctx.actor, org=org, data=data, on_behalf_of=ctx.on_behalf_of, workflow=True
    )
    changed = set(changes)
    if changed & rules.CERTIFICATE_FIELDS:
        certificate_issue(org=org, app=app, today=ctx.today)
    if changed & rules.ANNOUNCED_CHANGES:
        from ..models import AnnouncementKind  # noqa: F401 - label lookup inside _announce

        labels = {
            "name": _("名称"),
            "address": _("住所"),
            "community_code": _("住所"),
            "legal_representative_name": _("法定代表人"),
        }
        items = sorted({str(labels[k]) for k in changed & rules.ANNOUNCED_CHANGES})
        _announce(ctx, org, "change", _("变更事项：%(items)s。") % {"items": "、".join(items)})
    app.result = {"changed": sorted(changed)}


def _effect_reelect(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    data = app.data or {}
    if data.get("legal_representative_name"):
        org = org_services.organization_update(
            actor=ctx.actor,
            org=org,
            data=rules.proposed_input(app),
            on_behalf_of=ctx.on_behalf_of,
            workflow=True,
        )
        certificate_issue(org=org, app=app, today=ctx.today)
        _announce(ctx, org, "change", _("变更事项：法定代表人。"))
    officers = data.get("officers") or []
    for entry in officers:  # barred responsible persons (限制担任负责人), before anything changes
        org_services.person_check(
            str(entry.get("id_number", "") or "").strip().upper(), field="officers", on=ctx.today
        )
    if officers:
        Officer.objects.filter(organization=org, end_date__isnull=True).update(end_date=ctx.today)
        for entry in officers:
            id_number = str(entry.get("id_number", "") or "").strip().upper()
            name = str(entry.get("name", "")).strip()
            person = None
            if id_number:
                person, _created = Person.objects.get_or_create(
                    id_number=id_number, defaults={"name": name}
                )
            else:
                person = Person.objects.create(name=name)
            Officer.objects.create(
                organization=org,
                person=person,
                position=entry.get("position", "director"),
                start_date=ctx.today,
            )
    app.result = {"officers": len(officers), "term_years": data.get("term_years")}


def _effect_close_org(ctx: Context, status: str, announcement: str) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    org = app.organization
    assert org is not None
    reason = str((app.data or {}).get("reason", "") or ctx.note or workflow_for(ctx.obj.kind).label)
    org_services.organization_change_status(
        actor=ctx.actor,
        org=org,
        status=status,
        reason=reason,
        effective_on=ctx.today,
        on_behalf_of=ctx.on_behalf_of,
        workflow=True,
    )
    org.refresh_from_db()
    certificate_void(org=org, today=ctx.today, reason=str(workflow_for(ctx.obj.kind).label))
    _announce(ctx, org, announcement)


def _effect_deregister(ctx: Context) -> None:
    _effect_close_org(ctx, Status.DEREGISTERED, "deregistration")


def _effect_revoke(ctx: Context) -> None:
    _effect_close_org(ctx, Status.REVOKED, "revocation")


def _effect_file(ctx: Context) -> None:
    app = ctx.obj
    _resume(app, ctx.today)
    data = app.data or {}
    values = {
        f: data.get(f, "") for f in rules.ORG_FIELDS if f in OrganizationInput.__dataclass_fields__
    }
    values["name"] = app.name
    values["community_code"] = app.address_code
    values["management_level"] = "street"
    org = org_services.organization_create(
        actor=ctx.actor,
        data=OrganizationInput(
            kind=Kind.COMMUNITY_GROUP,
            registration_date=ctx.today.isoformat(),
            status=Status.ACTIVE,
            **values,
        ),
        on_behalf_of=ctx.on_behalf_of,
        workflow=True,
    )
    app.organization = org
    _grant_own(ctx, org)
    app.result = {"organization": org.pk}
    ctx.payload["organization"] = org.pk


EFFECTS: dict[str, Callable[[Context], None]] = {
    "start_review": _effect_start_review,
    "pause_clock": _effect_pause_clock,
    "resume_review": _effect_resume_review,
    "close_clock": _effect_close_clock,
    "start_filing_clock": _effect_start_filing_clock,
    "reserve_name": _effect_reserve_name,
    "approve_preparation": _effect_approve_preparation,
    "approve_articles": _effect_approve_articles,
    "register": _effect_register,
    "change": _effect_change,
    "reelect": _effect_reelect,
    "deregister": _effect_deregister,
    "revoke": _effect_revoke,
    "file": _effect_file,
}
