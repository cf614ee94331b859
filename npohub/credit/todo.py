"""Credit work waiting for a user, for the home page (see ``npohub.core.todo``).

- the bureau: objections (异议) and credit-repair applications (信用修复) waiting for a decision;
- the organisation: its own listings in force (it may object or apply for repair).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.core.todo import TodoItem, register
from npohub.orgs.models import AccessReason
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_visible_to

from .models import CreditRequest, Listing
from .permissions import Viewer, is_org_user, sees_credit_desk
from .selectors import open_on_q
from .workflows import RS


def requests_to_decide(user: Viewer, today: dt.date) -> list[TodoItem]:
    if not sees_credit_desk(user):
        return []
    visible = organization_visible_to(user).values("pk")
    n = CreditRequest.objects.filter(organization__in=visible, state=RS.FILED).count()
    return [
        TodoItem.make(
            "credit.requests",
            _("待处理的信用异议与信用修复申请"),
            n,
            reverse("credit:request-list"),
            None,
            today,
        )
    ]


def own_listings(user: Viewer, today: dt.date) -> list[TodoItem]:
    if not is_org_user(user):
        return []
    own = scope_of(user).granted_ids(reason=AccessReason.OWN, on=today)
    n = Listing.objects.filter(open_on_q(today), organization_id__in=own).count()
    return [
        TodoItem.make(
            "credit.own_listings",
            _("本组织被列入的信用名单（可提出异议或申请信用修复）"),
            n,
            reverse("credit:my-credit"),
            None,
            today,
        )
    ]


def credit_todos(user: Viewer, today: dt.date) -> list[TodoItem]:
    return [*requests_to_decide(user, today), *own_listings(user, today)]


register("credit", credit_todos)
