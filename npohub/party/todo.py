"""Party-building work waiting for a user, for the home page (see ``npohub.core.todo``).

- the party-building officer: organisations that should have a party organisation and have
  none (应建未建, rule 46), in the officer's party scope.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.core.todo import TodoItem, register
from npohub.orgs.models import Organization

from .permissions import Viewer, is_party_officer
from .selectors import missing_party_organizations as missing_on
from .selectors import organization_party_scope_q


def missing_party_organizations(user: Viewer, today: dt.date) -> list[TodoItem]:
    """The officer's own units that should have a party organisation and have none."""
    if not is_party_officer(user):
        return []
    scope = organization_party_scope_q(user)
    orgs = Organization.objects.all() if scope is None else Organization.objects.filter(scope)
    n = len(missing_on(today, org_ids=orgs.values_list("pk", flat=True)))
    return [
        TodoItem.make(
            "party.missing",
            _("应建未建党组织的社会组织"),
            n,
            reverse("party:missing-list"),
            None,
            today,
        )
    ]


register("party", missing_party_organizations)
