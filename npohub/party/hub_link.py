"""Work stations and industry committees sit at hub organisations (枢纽型社会组织).

The party app links them to the hub's ``orgs.Organization`` so it does not depend on the hubs
schema, and asks the hubs app only whether that organisation is a recognised hub on a date.
Whether that is required is policy (``require_recognised_hub``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from npohub.core.templatetags.npohub import cn_date
from npohub.orgs.models import Organization

from .errors import PartyRuleError
from .policy import policy_for


def is_recognised_hub(org: Organization, on: dt.date) -> bool:
    """A hub recognition of the organisation is current on ``on`` (hubs app)."""
    from npohub.hubs.models import Hub

    return Hub.objects.current(on).filter(organization_id=org.pk).exists()


def require_hub(org: Organization, on: dt.date) -> None:
    if not policy_for(org.address_code)["require_recognised_hub"]:
        return
    if not is_recognised_hub(org, on):
        raise PartyRuleError(
            _("“%(name)s”在%(date)s不是经认定的枢纽型社会组织")
            % {"name": org.name, "date": cn_date(on)},
            code="party.not_a_hub",
            details={"host_organization": _("无效")},
        )
