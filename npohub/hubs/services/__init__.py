"""Hub services: recognition, rosters, staff access, federations, platforms, pairing, and the
actions hubs take for the bureau (notices, escalations, first-line reviews).

Delegated supervision is kept as data in ``orgs.OrganizationAccess``: every change to a roster,
to a hub's staff or to a recognition recomputes the ``hub_member`` grants of the hub's staff
(:func:`access.sync_hub_access`) in the same transaction, so the scoped selectors
(``organization_visible_to``) see the change in the same request cycle.

One module per sub-domain; this package re-exports the names other modules use.
"""

from __future__ import annotations

from .access import hub_access_sync
from .bureau_work import (
    escalation_assign,
    escalation_history,
    escalation_raise,
    escalation_resolve,
    hub_notice_mark_read,
    hub_notice_send,
    hub_review_record,
)
from .common import on_behalf_of_bureau
from .federations import (
    FederationInput,
    federation_create,
    federation_external_member_add,
    federation_external_member_leave,
    federation_set_chair,
)
from .pairings import pairing_close, pairing_create
from .platforms import (
    PlatformInput,
    platform_create,
    platform_record_honour,
    platform_record_visit,
)
from .recognition import RecognitionInput, hub_recognize, hub_revoke
from .roster import (
    MembershipInput,
    hub_member_add,
    hub_member_leave,
    hub_member_sign_agreement,
    hub_staff_add,
    hub_staff_remove,
)
from .street_lists import street_list_item_create, street_list_item_set_status

__all__ = [
    "FederationInput",
    "MembershipInput",
    "PlatformInput",
    "RecognitionInput",
    "escalation_assign",
    "escalation_history",
    "escalation_raise",
    "escalation_resolve",
    "federation_create",
    "federation_external_member_add",
    "federation_external_member_leave",
    "federation_set_chair",
    "hub_access_sync",
    "hub_member_add",
    "hub_member_leave",
    "hub_member_sign_agreement",
    "hub_notice_mark_read",
    "hub_notice_send",
    "hub_recognize",
    "hub_review_record",
    "hub_revoke",
    "hub_staff_add",
    "hub_staff_remove",
    "on_behalf_of_bureau",
    "pairing_close",
    "pairing_create",
    "platform_create",
    "platform_record_honour",
    "platform_record_visit",
    "street_list_item_create",
    "street_list_item_set_status",
]
