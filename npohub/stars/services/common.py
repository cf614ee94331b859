"""What the stars services share: rounding, the acting hub's delegate label, number input."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import Role, User
from npohub.core.audit import OnBehalfOf
from npohub.core.errors import ValidationFailed
from npohub.hubs.models import Hub
from npohub.hubs.services import on_behalf_of_bureau

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
TEMPLATE_TOTAL = Decimal("10")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _user_or_none(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _behalf(hub: Hub | None, actor: User | None) -> OnBehalfOf | None:
    """The delegate label when a hub's staff member acts (bureaus act in their own name)."""
    if hub is None or actor is None or actor.role != Role.HUB_STAFF:
        return None
    return on_behalf_of_bureau(hub)


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("%(label)s不是有效的数字") % {"label": label}, details={field: _("无效")}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(
            _("%(label)s不是有效的数字") % {"label": label}, details={field: _("无效")}
        )
    return number
