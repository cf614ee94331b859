"""Party-building instructors and liaisons, and their assignments to organisations."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import Organization, Person

from ..errors import PartyRuleError
from ..models import (
    Instructor,
    InstructorAssignment,
    InstructorKind,
    active_on_q,
)
from ..permissions import (
    can_manage_party_in,
    can_record_for_organization,
)
from .rules import (
    _end_relation,
    _require_open,
)


def instructor_create(
    *,
    actor: User,
    name: str,
    region_code: str,
    appointed_on: dt.date,
    kind: str = InstructorKind.INSTRUCTOR,
    phone: str = "",
    unit_label: str = "",
    user: User | None = None,
) -> Instructor:
    """Appoint a party-building instructor or liaison for a region."""
    require(can_manage_party_in(actor, region_code))
    if not name.strip():
        raise ValidationFailed(_("请填写姓名"), details={"name": _("必填")})
    if kind not in InstructorKind.values:
        raise ValidationFailed(_("类别无效"), details={"kind": _("无效")})
    with transaction.atomic():
        person = Person.objects.create(name=name.strip(), phone=phone.strip())
        instructor = Instructor.objects.create(
            person=person,
            kind=kind,
            unit_label=unit_label.strip(),
            region_code=region_code,
            appointed_on=appointed_on,
            user=user,
        )
        audit_record(
            actor=actor,
            kind="party.instructor_appointed",
            target=instructor,
            region_code=region_code,
            payload={"kind": kind, "unit": unit_label},
        )
    return instructor


def instructor_end(*, actor: User, instructor: Instructor, ended_on: dt.date) -> Instructor:
    """End an instructor's appointment; their live assignments end the same day."""
    require(can_manage_party_in(actor, instructor.region_code))
    if instructor.ended_on is not None:
        raise PartyRuleError(_("该指导员已离任"), code="party.instructor_ended", details={})
    if ended_on < instructor.appointed_on:
        raise ValidationFailed(_("终止日期不能早于选派日期"), details={"ended_on": _("无效")})
    with transaction.atomic():
        ended = []
        for row in instructor.assignments.filter(end_date__isnull=True):
            row.end_date = max(row.start_date, ended_on)
            row.save(update_fields=["end_date"])
            ended.append(row.organization_id)
        instructor.ended_on = ended_on
        instructor.save(update_fields=["ended_on", "updated_at"])
        audit_record(
            actor=actor,
            kind="party.instructor_ended",
            target=instructor,
            region_code=instructor.region_code,
            payload={"ended_on": str(ended_on), "assignments_ended": ended},
        )
    return instructor


def instructor_assign(
    *, actor: User, instructor: Instructor, organization: Organization, start_date: dt.date
) -> InstructorAssignment:
    """Assign an instructor to an organisation (work coverage, rule 47)."""
    require(can_manage_party_in(actor, instructor.region_code))
    require(can_record_for_organization(actor, organization))
    if instructor.ended_on is not None:
        raise PartyRuleError(
            _("该指导员已离任，不能再分配联系单位"), code="party.instructor_ended", details={}
        )
    if start_date < instructor.appointed_on:
        raise ValidationFailed(_("起始日期不能早于选派日期"), details={"start_date": _("无效")})
    _require_open(organization)
    if instructor.assignments.filter(active_on_q(start_date), organization=organization).exists():
        raise Conflict(
            _("该指导员已联系“%(name)s”") % {"name": organization.name},
            details={"organization": _("已存在")},
        )
    with transaction.atomic():
        row = InstructorAssignment.objects.create(
            instructor=instructor, organization=organization, start_date=start_date
        )
        audit_record(
            actor=actor,
            kind="party.instructor_assigned",
            target=instructor,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"organization": organization.pk, "start_date": str(start_date)},
        )
    return row


def instructor_assignment_end(
    *, actor: User, assignment: InstructorAssignment, end_date: dt.date
) -> InstructorAssignment:
    require(can_manage_party_in(actor, assignment.instructor.region_code))
    with transaction.atomic():
        _end_relation(assignment, end_date, ended=_("该联系关系已终止"), code="party.link_ended")
        audit_record(
            actor=actor,
            kind="party.instructor_unassigned",
            target=assignment.instructor,
            organization_id=assignment.organization_id,
            region_code=assignment.instructor.region_code,
            payload={"organization": assignment.organization_id, "end_date": str(end_date)},
        )
    return assignment
