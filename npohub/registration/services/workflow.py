"""The application's workflow on the one engine (``core.workflows``): the transition path,
the capacities, the guards, the bookkeeping of every move, and ``APPLICATION_WORKFLOW``
registered at import (effects: ``effects.py``, notifier: ``notifications.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.core.errors import (
    ValidationFailed,
)
from npohub.core.workflows import Capacities, register, run_move
from npohub.core.workflows import Workflow as Engine

from .. import rules
from ..models import (
    Application,
)
from ..permissions import (
    capacities_of,
)
from ..workflows import (
    ApplicationState,
    S,
    Transition,
    every_move,
    workflow_for,
)
from .common import Context
from .effects import EFFECTS
from .notifications import _notify_transition


def _on_move(ctx: Context) -> None:
    """Bookkeeping of every move: submission time, decision time and note."""
    app = ctx.obj
    if ctx.move.target in (S.APPROVED, S.REJECTED, S.FILED):
        app.decided_at = timezone.now()
        app.decision_note = ctx.note
    if ctx.move.name in ("submit", "resubmit"):
        app.submitted_at = timezone.now()


def _table(app: Application) -> tuple[Transition, ...]:
    return workflow_for(app.kind).transitions


def _resolve(actor: Any, app: Application) -> Capacities:
    held, on_behalf = capacities_of(actor, app)
    return Capacities(frozenset(held), on_behalf)


def application_transition(
    *,
    actor: Any,
    app: Application,
    transition: str,
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """Move an application along the table of its kind (the only path that changes ``state``)."""
    return run_move(APPLICATION_WORKFLOW, app, transition, actor=actor, note=note, today=today)


_CAPACITY_REFUSAL: dict[str, Callable[[], str]] = {
    "applicant": lambda: _("只有申请人可以执行此操作"),
    "bureau": lambda: _("只有辖区登记管理机关可以执行此操作"),
    "community": lambda: _("只有组织所在社区可以执行此操作"),
    "street": lambda: _("只有组织所在街道（或受委托的街道社会组织联合会）可以执行此操作"),
    "system": lambda: _("该步骤由系统自动完成"),
}


def _guard_rules(ctx: Context) -> None:
    errors = rules.check_application(ctx.obj)
    if errors:
        raise ValidationFailed(
            _("申请不符合登记规定：%(errors)s") % {"errors": "；".join(errors.values())},
            code="rule_violation",
            details=errors,
        )


def _guard_documents(ctx: Context) -> None:
    have = set(ctx.obj.attachments.filter(review_task__isnull=True).values_list("kind", flat=True))
    missing = [k for k in workflow_for(ctx.obj.kind).required_attachments if k not in have]
    if missing:
        from ..models import AttachmentKind

        labels = "、".join(str(AttachmentKind(k).label) for k in missing)
        raise ValidationFailed(
            _("材料不齐全，缺少：%(labels)s") % {"labels": labels},
            code="documents_missing",
            details={"attachments": missing},
        )


def _guard_approval_documents(ctx: Context) -> None:
    needed = list(workflow_for(ctx.obj.kind).approval_attachments)
    if ctx.obj.kind == "change" and rules.representative_changes(ctx.obj):
        needed.append("audit_report")
    have = set(ctx.obj.attachments.values_list("kind", flat=True))
    missing = [k for k in needed if k not in have]
    if missing:
        raise ValidationFailed(
            _("换届或更换法定代表人须先进行财务审计，请上传财务审计报告后再核准"),
            code="audit_report_missing",
            details={"attachments": missing},
        )


def _guard_supervisory_consent(ctx: Context) -> None:
    errors = rules.check_supervisory_consent(ctx.obj)
    if errors:
        raise ValidationFailed(
            _("非直接登记类别须经业务主管单位同意后方可受理：%(errors)s")
            % {"errors": "；".join(errors.values())},
            code="supervisory_consent_missing",
            details=errors,
        )


def _guard_change_audit(ctx: Context) -> None:
    _guard_approval_documents(ctx)


GUARDS: dict[str, Callable[[Context], None]] = {
    "rules": _guard_rules,
    "documents": _guard_documents,
    "approval_documents": _guard_approval_documents,
    "supervisory_consent": _guard_supervisory_consent,
    "change_audit": _guard_change_audit,
}


APPLICATION_WORKFLOW: Engine[Application] = register(
    Engine(
        key="registration.application",
        label=gettext_lazy("申请"),
        model=Application,
        states=ApplicationState,
        table=_table,
        resolver=_resolve,
        guards=GUARDS,
        effects=EFFECTS,
        on_move=_on_move,
        notify=lambda ctx: _notify_transition(ctx.obj, ctx.move, ctx.actor),
        audit_prefix="registration.",
        organization_id=lambda app: app.organization_id,
        region_code=lambda app: app.address_code,
        refusals={
            **_CAPACITY_REFUSAL,
            "system": lambda: _("该步骤由系统在联审意见齐备后自动完成"),
        },
        lock_related=("authority_region", "organization", "category", "supervisory_department"),
    ),
    extra_moves=every_move(),
)
