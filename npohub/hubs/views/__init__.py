"""Staff pages of hub governance: hubs, rosters, notices, escalations, federations, platforms,
pairings and the streets' three lists. Thin: fetch with a scoped selector (``NotFound`` is the
404 of a missing page, core.http), call one service through ``core.http.attempt``, render.

One module per sub-domain; ``urls.py`` reads the views from this package.
"""

from __future__ import annotations

from .bureau_work import (
    escalation_assign,
    escalation_create,
    escalation_detail,
    escalation_list,
    escalation_resolve,
    notice_inbox,
    notice_read,
    notice_send,
)
from .coverage import coverage
from .federations import (
    federation_chair,
    federation_create,
    federation_detail,
    federation_external_add,
    federation_external_leave,
    federation_list,
    street_list_add,
    street_list_status,
    street_lists,
)
from .hubs import hub_detail, hub_list, hub_recognise, hub_revoke
from .platforms import (
    pairing_close,
    pairing_create,
    pairing_list,
    platform_create,
    platform_detail,
    platform_honour,
    platform_list,
    platform_visit,
)
from .roster import (
    member_add,
    member_agreement,
    member_leave,
    member_review,
    staff_add,
    staff_remove,
)

__all__ = [
    "coverage",
    "escalation_assign",
    "escalation_create",
    "escalation_detail",
    "escalation_list",
    "escalation_resolve",
    "federation_chair",
    "federation_create",
    "federation_detail",
    "federation_external_add",
    "federation_external_leave",
    "federation_list",
    "hub_detail",
    "hub_list",
    "hub_recognise",
    "hub_revoke",
    "member_add",
    "member_agreement",
    "member_leave",
    "member_review",
    "notice_inbox",
    "notice_read",
    "notice_send",
    "pairing_close",
    "pairing_create",
    "pairing_list",
    "platform_create",
    "platform_detail",
    "platform_honour",
    "platform_list",
    "platform_visit",
    "staff_add",
    "staff_remove",
    "street_list_add",
    "street_list_status",
    "street_lists",
]
