"""Documents of an application, or of a department's opinion: add (type sniffed, size checked)
and remove one's own while it is still open.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.core.errors import (
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from npohub.core.permissions import require
from npohub.core.uploads import discard_document, store_document

from ..models import (
    Application,
    Attachment,
    ReviewTask,
)
from ..permissions import (
    can_review,
    capacities_of,
)
from ..policy import policy_for
from ..workflows import (
    APPLICANT_EDITABLE,
    state_label,
)
from .common import _lock


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    app: Application,
    kind: str,
    name: str,
    stream: Any,
    review_task: ReviewTask | None = None,
) -> Attachment:
    """Attach a checked document to an application (or to a department's opinion)."""
    from ..models import AttachmentKind

    app = _lock(app)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(
            _("未知的材料类型“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        )
    if review_task is None:
        held, _behalf = capacities_of(actor, app)
        if not held & {"applicant", "bureau", "community", "street"}:
            raise PermissionDenied(_("您不能为该申请上传材料"))
        if "bureau" not in held and app.state not in APPLICANT_EDITABLE:
            raise InvalidTransition(
                _("申请处于“%(state)s”状态，不能再上传材料") % {"state": state_label(app.state)}
            )
    else:
        require(can_review(actor, review_task))
    attachment = Attachment(application=app, review_task=review_task, kind=kind)
    checked = store_document(
        attachment,
        name=name,
        stream=stream,
        max_bytes=int(policy_for(app.authority_region.code)["attachment_max_bytes"]),
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        kind="registration.attachment_added",
        target=app,
        payload={
            "attachment": attachment.pk,
            "kind": kind,
            "name": checked.name,
            "sha256": checked.sha256,
        },
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    app = _lock(attachment.application)
    if attachment.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("只能删除自己上传的材料"))
    if attachment.review_task_id is None and app.state not in APPLICANT_EDITABLE:
        raise InvalidTransition(_("申请已提交，材料不能删除"))
    task = attachment.review_task
    if task is not None and not task.is_pending:
        raise InvalidTransition(_("意见已提出，附件不能删除"))
    payload = discard_document(attachment)
    audit_record(
        actor=actor,
        kind="registration.attachment_removed",
        target=app,
        payload=payload,
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
