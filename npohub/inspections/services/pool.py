"""The inspector pool, declared conflicts, and replacing a withdrawn inspector after the draw."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.core.validators import IdentifierError, id_number_validate
from npohub.orgs.models import Kind, Organization
from npohub.regions.models import Region

from .. import draw as drawing
from ..models import (
    Assignment,
    AssignmentSource,
    CheckStatus,
    ConflictDeclaration,
    Inspector,
    LogKind,
    SpotCheck,
)
from ..permissions import POOL_ROLES, can_declare_conflict, can_manage_plan, can_manage_pool
from ..selectors import eligible_pool
from .checks import _audit_check, _lock_check
from .common import _Log
from .drawing import _not_enough, conflicts_between

# ---------------------------------------------------------------------------------------------
# The inspector pool and conflicts


def _clean_id_number(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return id_number_validate(value)
    except IdentifierError as exc:
        raise ValidationFailed(exc.message, details={"id_number": exc.message}) from exc


@transaction.atomic
def inspector_add(
    *, actor: User, user: User, region: Region, department: str = "", id_number: str = ""
) -> Inspector:
    """Enter an inspector or bureau staff member in the authority's pool (rule 37)."""
    require(can_manage_pool(actor, region.code))
    if user.role not in POOL_ROLES or not user.is_active:
        raise ValidationFailed(
            _("只有检查人员或民政部门工作人员可以列入检查人员名录"), details={"user": _("无效")}
        )
    if Inspector.objects.filter(user=user, region=region).exists():
        raise Conflict(_("%(name)s已在该名录中") % {"name": user}, details={"user": _("已存在")})
    entry = Inspector.objects.create(
        user=user,
        region=region,
        department=(department or "").strip(),
        id_number=_clean_id_number(id_number),
    )
    audit_record(
        actor=actor,
        kind="inspections.inspector_added",
        target=entry,
        payload={"user": user.pk, "department": entry.department},
        region_code=region.code,
    )
    return entry


@transaction.atomic
def inspector_update(
    *, actor: User, entry: Inspector, department: str, id_number: str, is_active: bool
) -> Inspector:
    entry = (
        Inspector.objects.select_for_update(of=("self",))
        .select_related("region", "user")
        .get(pk=entry.pk)
    )
    require(can_manage_pool(actor, entry.region.code))
    before = {"department": entry.department, "is_active": entry.is_active}
    entry.department = (department or "").strip()
    entry.id_number = _clean_id_number(id_number)
    entry.is_active = bool(is_active)
    entry.save()
    audit_record(
        actor=actor,
        kind="inspections.inspector_updated",
        target=entry,
        payload={"before": before, "department": entry.department, "is_active": entry.is_active},
        region_code=entry.region.code,
    )
    return entry


@transaction.atomic
def conflict_declare(
    *, actor: User, entry: Inspector, organization: Organization, reason: str
) -> ConflictDeclaration:
    """Declare that the inspector must withdraw from checks of the organisation."""
    require(can_declare_conflict(actor, entry))
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    if organization.kind == Kind.COMMUNITY_GROUP:
        raise ValidationFailed(
            _("备案社区社会组织不在抽查范围内"), details={"organization": _("无效")}
        )
    if ConflictDeclaration.objects.filter(
        inspector=entry, organization=organization, withdrawn_at__isnull=True
    ).exists():
        raise Conflict(_("已申报过对该组织的回避"), details={"organization": _("已存在")})
    conflict = ConflictDeclaration.objects.create(
        inspector=entry,
        organization=organization,
        reason=text[:300],
        declared_by=actor,
        declared_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind="inspections.conflict_declared",
        target=conflict,
        payload={"inspector": entry.pk, "reason": conflict.reason},
        organization_id=organization.pk,
        region_code=entry.region.code,
    )
    return conflict


@transaction.atomic
def conflict_withdraw(*, actor: User, conflict: ConflictDeclaration) -> ConflictDeclaration:
    conflict = (
        ConflictDeclaration.objects.select_for_update(of=("self",))
        .select_related("inspector__region", "inspector__user")
        .get(pk=conflict.pk)
    )
    require(can_declare_conflict(actor, conflict.inspector))
    if conflict.withdrawn_at is not None:
        raise InvalidTransition(_("该回避申报已撤回"))
    conflict.withdrawn_at = timezone.now()
    conflict.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=actor,
        kind="inspections.conflict_withdrawn",
        target=conflict,
        organization_id=conflict.organization_id,
        region_code=conflict.inspector.region.code,
    )
    return conflict


@transaction.atomic
def check_replace_inspector(
    *, actor: User, check: SpotCheck, user_id: int, reason: str
) -> Assignment:
    """An assigned inspector withdraws after the draw (回避): the conflict is recorded, and the
    next inspector of the check's HMAC ranking without a conflict is drawn in their place."""
    check = _lock_check(check)
    plan = check.plan
    require(can_manage_plan(actor, plan))
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("该检查已作出结论"))
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("请填写回避事由"), details={"reason": _("必填")})
    current = (
        check.assignments.filter(user_id=user_id, is_active=True)
        .select_related("inspector")
        .first()
    )
    if current is None:
        raise ValidationFailed(_("该检查人员未被分派到此检查对象"), details={"user_id": _("无效")})
    current.is_active = False
    current.ended_reason = text[:300]
    current.save(update_fields=["is_active", "ended_reason"])
    ConflictDeclaration.objects.get_or_create(
        inspector=current.inspector,
        organization=check.organization,
        withdrawn_at=None,
        defaults={"reason": text[:300], "declared_by": actor, "declared_at": timezone.now()},
    )
    log = _Log(plan)
    log.add(
        LogKind.WITHDRAWN,
        _("%(name)s回避：%(reason)s") % {"name": current.user, "reason": text},
        spot_check=check,
        user=current.user,
        reason="declared",
    )
    pool = {e.user_id: e for e in eligible_pool(plan)}
    taken = set(check.assignments.values_list("user_id", flat=True))
    org = Organization.objects.select_related("legal_representative").get(pk=check.organization_id)
    conflicts = conflicts_between(list(pool.values()), [org])
    seed = drawing.seed_from_hex(plan.seed_hex)
    for uid, _score in drawing.rank_inspectors(seed, plan.pk, check.number, sorted(pool)):
        if uid in taken:
            continue
        found = conflicts.of(uid, org.pk)
        if found is not None:
            log.add(
                LogKind.WITHDRAWN, found[1], spot_check=check, user=pool[uid].user, reason=found[0]
            )
            continue
        position = (check.assignments.aggregate(m=Max("position"))["m"] or 0) + 1
        assignment = Assignment.objects.create(
            spot_check=check,
            inspector=pool[uid],
            user=pool[uid].user,
            position=position,
            source=AssignmentSource.REPLACEMENT,
        )
        log.add(
            LogKind.REDRAW,
            _("重新抽取：%(name)s替换回避的%(old)s")
            % {"name": pool[uid].user, "old": current.user},
            spot_check=check,
            user=pool[uid].user,
            reason="redraw",
        )
        log.save()
        _audit_check(
            actor, "inspector_replaced", check, {"out": user_id, "in": uid, "reason": text}
        )
        return assignment
    raise _not_enough(plan, check.assignments.filter(is_active=True).count(), org)
