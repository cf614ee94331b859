"""What every hub service shares: the on-behalf label of a hub's work for the bureau and the
bureau accounts a hub's report goes to."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.core.audit import OnBehalfOf

from ..models import Hub

ONE_DAY = dt.timedelta(days=1)


def on_behalf_of_bureau(hub: Hub) -> OnBehalfOf:
    """How a hub's action for the bureau is labelled in the audit trail."""
    return OnBehalfOf(label=_("%(hub)s（受民政局委托）") % {"hub": hub.name}, ref=f"hub:{hub.pk}")


def bureau_accounts_for(code: str) -> QuerySet[User]:
    """Bureau accounts whose region contains ``code``."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return User.objects.filter(is_active=True, role__in=BUREAU_ROLES, scope_prefix__in=prefixes)
