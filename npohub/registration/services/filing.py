"""Community filing's side work: filing delegation to a street's federation, and filed groups'
major-activity reports (重大活动报告).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import Role
from npohub.core.audit import actor_label_for, audit_record
from npohub.core.errors import (
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.notifications.services import notify
from npohub.orgs.models import (
    AccessReason,
    Organization,
    OrganizationAccess,
)
from npohub.regions.models import Region

from ..models import (
    ACTIVITY_REPORT_TRANSITIONS,
    PARTICIPANTS_MAX,
    ActivityReport,
    FilingDelegation,
)
from ..permissions import (
    can_manage_delegation,
    can_report_activity,
    federation_capacity,
    federation_on_behalf,
)
from .notifications import _role_users


@transaction.atomic
def filing_delegation_create(
    *,
    actor: Any,
    street: Region,
    federation: Organization,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
) -> FilingDelegation:
    require(can_manage_delegation(actor, street.code))
    if street.level != 4:
        raise ValidationFailed(_("请选择街道或乡镇"), details={"street": _("不是乡级区划")})
    if federation.is_closed or not federation.address_code.startswith(street.code[:9]):
        raise ValidationFailed(
            _("受托的联合会须是该街道内正常状态的组织"), details={"federation": _("不在该街道")}
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(_("失效日期不能早于生效日期"), details={"valid_until": _("无效")})
    delegation = FilingDelegation.objects.create(
        street=street,
        federation=federation,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        kind="registration.filing_delegated",
        target=delegation,
        payload={
            "street": street.code,
            "federation": federation.pk,
            "valid_from": valid_from.isoformat(),
        },
        organization_id=federation.pk,
        region_code=street.code,
    )
    return delegation


@transaction.atomic
def activity_report_create(
    *,
    actor: Any,
    org: Organization,
    title: str,
    starts_on: dt.date,
    location: str,
    participants: int,
    description: str,
) -> ActivityReport:
    require(can_report_activity(actor, org))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写活动名称")
    if not (location or "").strip():
        errors["location"] = _("请填写活动地点")
    if participants is None or participants <= 0:
        errors["participants"] = _("预计人数应大于 0")
    elif participants > PARTICIPANTS_MAX:
        errors["participants"] = _("人数不能超过%(max)s") % {"max": f"{PARTICIPANTS_MAX:,}"}
    if len(title or "") > 200:
        errors["title"] = _("%(field)s不能超过%(max)s个字符") % {"field": _("活动名称"), "max": 200}
    if len(location or "") > 200:
        errors["location"] = _("%(field)s不能超过%(max)s个字符") % {
            "field": _("活动地点"),
            "max": 200,
        }
    if not (description or "").strip():
        errors["description"] = _("请填写活动内容")
    if errors:
        raise ValidationFailed(
            _("活动报告有误：%(e)s") % {"e": "；".join(errors.values())}, details=errors
        )
    report = ActivityReport.objects.create(
        organization=org,
        title=title.strip(),
        starts_on=starts_on,
        location=location.strip(),
        participants=participants,
        description=description.strip(),
        reported_by=actor,
    )
    audit_record(
        actor=actor,
        kind="registration.activity_reported",
        target=report,
        payload={"title": report.title, "starts_on": starts_on.isoformat()},
        organization_id=org.pk,
        region_code=org.address_code,
    )
    recipients = _role_users(Role.STREET_OFFICER, org.address_code)
    notify(
        recipients=recipients,
        kind="registration.activity_report",
        title=_("重大活动报告：%(org)s %(title)s") % {"org": org.name, "title": report.title},
        url=reverse("community:activity-report-detail", args=[report.pk]),
        actor=actor,
    )
    return report


@transaction.atomic
def activity_report_act(
    *, actor: Any, report: ActivityReport, action: str, text: str = ""
) -> ActivityReport:
    report = (
        ActivityReport.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=report.pk)
    )
    moves = ACTIVITY_REPORT_TRANSITIONS.get(action)
    if moves is None:
        raise ValidationFailed(
            _("未知的操作“%(a)s”") % {"a": action}, details={"action": _("无效")}
        )
    if report.state not in moves:
        raise InvalidTransition(
            _("报告处于“%(state)s”状态，不能执行该操作") % {"state": report.get_state_display()}
        )
    target, capacity = moves[report.state]
    org = report.organization
    if capacity == "federation" and not federation_capacity(actor, org):
        raise PermissionDenied(_("只有所在街道或受委托的联合会可以处理活动报告"))
    if capacity == "group" and not can_report_activity(actor, org):
        raise PermissionDenied(_("只有本组织可以回复"))
    text = (text or "").strip()
    if action in ("query", "answer") and not text:
        raise ValidationFailed(_("请填写说明"), details={"text": _("必填")})
    old = report.state
    report.state = target
    report.thread = [
        *report.thread,
        {
            "by": actor_label_for(actor),
            "role": capacity,
            "action": action,
            "text": text,
            "at": timezone.now().isoformat(timespec="seconds"),
        },
    ]
    report.save()
    on_behalf = federation_on_behalf(actor, org) if capacity == "federation" else None
    audit_record(
        actor=actor,
        kind=f"registration.activity_report_{action}",
        target=report,
        payload={"from": old, "to": target, "text": text},
        organization_id=org.pk,
        region_code=org.address_code,
        on_behalf_of=on_behalf,
    )
    if capacity == "federation":
        owners = [
            g.user
            for g in OrganizationAccess.objects.filter(
                organization=org, reason=AccessReason.OWN
            ).select_related("user")
        ]
        notify(
            recipients=[report.reported_by, *owners],
            kind="registration.activity_report",
            title=_("活动报告“%(title)s”：%(state)s")
            % {"title": report.title, "state": report.get_state_display()},
            url=reverse("community:activity-report-detail", args=[report.pk]),
            actor=actor,
        )
    return report


@transaction.atomic
def filing_delegation_end(
    *, actor: Any, delegation: FilingDelegation, valid_until: dt.date | None
) -> FilingDelegation:
    """End a filing delegation early: ``valid_until`` becomes its last valid day.

    Ending it on the day before it took effect cancels it. A delegation may only be shortened,
    never extended, and one that has already ended cannot be ended again.
    """
    delegation = (
        FilingDelegation.objects.select_for_update(of=("self",))
        .select_related("street", "federation")
        .get(pk=delegation.pk)
    )
    require(can_manage_delegation(actor, delegation.street.code))
    today = timezone.localdate()
    if delegation.valid_until is not None and delegation.valid_until < today:
        raise InvalidTransition(
            _("该委托已于%(date)s结束") % {"date": cn_date(delegation.valid_until)},
            details={"valid_until": delegation.valid_until.isoformat()},
        )
    if valid_until is None:
        raise ValidationFailed(_("请填写委托截止日期"), details={"valid_until": _("必填")})
    if valid_until < delegation.valid_from - dt.timedelta(days=1):
        raise ValidationFailed(
            _("截止日期不能早于生效日期的前一天（%(date)s）")
            % {"date": cn_date(delegation.valid_from - dt.timedelta(days=1))},
            details={"valid_until": _("无效")},
        )
    if delegation.valid_until is not None and valid_until > delegation.valid_until:
        raise ValidationFailed(
            _("只能提前结束委托，不能延长（原定截止日期为%(date)s）")
            % {"date": cn_date(delegation.valid_until)},
            details={"valid_until": _("无效")},
        )
    before = delegation.valid_until
    delegation.valid_until = valid_until
    delegation.save(update_fields=["valid_until"])
    audit_record(
        actor=actor,
        kind="registration.filing_delegation_ended",
        target=delegation,
        payload={
            "street": delegation.street.code,
            "federation": delegation.federation_id,
            "valid_until": {
                "before": before.isoformat() if before else None,
                "after": valid_until.isoformat(),
            },
        },
        organization_id=delegation.federation_id,
        region_code=delegation.street.code,
    )
    return delegation
