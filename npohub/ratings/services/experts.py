"""The expert pool, affiliations and declared conflicts, panels (PG39 art. 19)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import Role, User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.credit.policy import add_years
from npohub.orgs.conflicts import LEGAL_REPRESENTATIVE, ties_between
from npohub.orgs.models import Organization
from npohub.regions.models import Region

from ..models import Affiliation, Application, Assignment, ConflictDeclaration, Expert
from ..permissions import can_assign_expert, can_declare_conflict, can_manage_experts
from ..policy import policy_for
from .common import ExpertConflict

# ---------------------------------------------------------------------------------------------
# The expert pool and conflicts (PG39 art. 19)


def expert_add(
    *,
    actor: User,
    user: User,
    region: Region,
    id_number: str = "",
    field: str = "",
    employer: str = "",
) -> Expert:
    """Add a user with the expert role to the pool of the bureau's region."""
    require(can_manage_experts(actor, region))
    if user.role != Role.EXPERT:
        raise ValidationFailed(_("只有“评估专家”角色的用户可以入库"), details={"user": _("无效")})
    if Expert.objects.filter(user=user).exists():
        raise Conflict(_("%(name)s已在专家库中") % {"name": user}, details={"user": _("已存在")})
    with transaction.atomic():
        expert = Expert.objects.create(
            user=user,
            region=region,
            id_number=(id_number or "").strip().upper(),
            field=(field or "").strip(),
            employer=(employer or "").strip(),
        )
        audit_record(
            actor=actor,
            kind="ratings.expert_added",
            target=expert,
            region_code=region.code,
            payload={"user": user.pk},
        )
    return expert


def affiliation_add(
    *,
    actor: User,
    expert: Expert,
    organization: Organization,
    position: str = "",
    left_on: dt.date | None = None,
) -> Affiliation:
    """Record where the expert worked; leaving less than two years ago is a conflict."""
    require(can_declare_conflict(actor, expert))
    with transaction.atomic():
        row = Affiliation.objects.create(
            expert=expert,
            organization=organization,
            position=(position or "")[:100],
            left_on=left_on,
        )
        audit_record(
            actor=actor,
            kind="ratings.affiliation_added",
            target=row,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"expert": expert.pk, "left_on": left_on.isoformat() if left_on else None},
        )
    return row


def conflict_declare(
    *, actor: User, expert: Expert, organization: Organization, reason: str
) -> ConflictDeclaration:
    """The expert (or the bureau) declares a conflict: that panel is closed to them for good."""
    require(can_declare_conflict(actor, expert))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    if ConflictDeclaration.objects.filter(expert=expert, organization=organization).exists():
        raise Conflict(_("已申报过对该组织的回避"), details={"organization": _("已存在")})
    with transaction.atomic():
        row = ConflictDeclaration.objects.create(
            expert=expert,
            organization=organization,
            reason=reason[:300],
            declared_by=actor,
            declared_at=timezone.now(),
        )
        removed = list(
            Assignment.objects.filter(
                expert=expert, application__organization=organization, submitted_at__isnull=True
            ).values_list("pk", flat=True)
        )
        Assignment.objects.filter(pk__in=removed).delete()
        audit_record(
            actor=actor,
            kind="ratings.conflict_declared",
            target=row,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"expert": expert.pk, "reason": row.reason, "assignments_removed": removed},
        )
    return row


def conflicts_of(expert: Expert, org: Organization, on: dt.date) -> list[tuple[str, str]]:
    """Why the expert must withdraw from the organisation's panel: a declared conflict; worked
    there (recorded affiliation or an officer with the same ID number) and left less than two
    years before the date, or still there."""
    years = int(policy_for(org.address_code)["conflict_years"])
    cutoff = add_years(on, -years)
    found: list[tuple[str, str]] = []
    for row in ConflictDeclaration.objects.filter(expert=expert, organization=org):
        found.append(("declared", _("已申报回避：%(reason)s") % {"reason": row.reason}))
    for aff in Affiliation.objects.filter(expert=expert, organization=org):
        if aff.left_on is None or aff.left_on > cutoff:
            found.append(
                (
                    "recent_affiliation",
                    _("曾在该组织任职，离开未满%(years)s年") % {"years": years}
                    if aff.left_on
                    else _("正在该组织任职"),
                )
            )
    for tie in ties_between([expert.id_number], [org], left_after=cutoff):
        if tie.kind == LEGAL_REPRESENTATIVE:
            found.append((tie.kind, _("是该组织的法定代表人")))
        else:
            found.append(
                (
                    tie.kind,
                    _("曾在该组织担任%(position)s，离任未满%(years)s年")
                    % {"position": tie.position_label, "years": years},
                )
            )
    return found


def panel_assign(
    *, actor: User, application: Application, expert: Expert, today: dt.date | None = None
) -> Assignment:
    """Put an expert on an application's panel; a conflicted expert is refused, always."""
    today = today or timezone.localdate()
    require(can_assign_expert(actor, application))
    if not expert.is_active:
        raise ValidationFailed(_("该专家已不在库"), details={"expert": _("无效")})
    if expert.user.role != Role.EXPERT:
        raise ValidationFailed(_("该用户不是评估专家"), details={"expert": _("无效")})
    conflicts = conflicts_of(expert, application.organization, today)
    if conflicts:
        raise ExpertConflict(
            _("%(name)s须回避%(org)s：%(why)s")
            % {
                "name": expert.user,
                "org": application.organization.name,
                "why": "；".join(text for _code, text in conflicts),
            },
            details={"expert": [code for code, _text in conflicts]},
        )
    if Assignment.objects.filter(application=application, expert=expert).exists():
        raise Conflict(_("该专家已在评审组中"), details={"expert": _("已存在")})
    with transaction.atomic():
        assignment = Assignment.objects.create(
            application=application, expert=expert, assigned_by=actor, assigned_at=timezone.now()
        )
        audit_record(
            actor=actor,
            kind="ratings.expert_assigned",
            target=assignment,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"expert": expert.pk, "application": application.pk},
        )
    return assignment
