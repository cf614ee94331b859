"""What the public may see of an organisation: an explicit list, never the model itself.

ID numbers and personal phone numbers never leave this module; neither does the organisation's
contact phone (it is often an officer's mobile). The legal representative's name is public in
the national registry, so it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from npohub.orgs.models import CLOSED_STATUSES, Kind, Organization, OrgRollup, Person
from npohub.regions.codes import pad
from npohub.registration.certificates import certificate_title
from npohub.registration.models import Certificate

# The columns the public search reads (``only``): nothing personal is even loaded.
LIST_FIELDS = (
    "id",
    "name",
    "uscc",
    "kind",
    "status",
    "registration_date",
    "category__name",
    "community__name",
)


def public_list_fields(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.only(*LIST_FIELDS)


@dataclass(frozen=True)
class PublicField:
    label: str
    value: Any
    kind: str = "text"  # text | date | money | multiline | list


def public_profile(org: Organization) -> list[PublicField]:
    """The public fields of one organisation, in the order of a registration certificate."""
    representative = (
        Person.objects.filter(pk=org.legal_representative_id).values_list("name", flat=True).first()
        if org.legal_representative_id
        else ""
    )
    is_group = org.kind == Kind.COMMUNITY_GROUP
    fields = [
        # The code itself heads the page; filed groups have none, which is worth saying.
        PublicField(_("统一社会信用代码"), "" if org.uscc else _("备案组织无统一社会信用代码")),
        PublicField(_("组织类型"), org.get_kind_display()),
        PublicField(_("类别"), org.category.name if org.category else ""),
        PublicField(_("备案日期") if is_group else _("登记日期"), org.registration_date, "date"),
        PublicField(_("管理层级"), org.get_management_level_display()),
        PublicField(
            _("备案机关所在区划") if is_group else _("登记管理机关所在区划"),
            org.authority_region.name if org.authority_region else "",
        ),
        PublicField(_("负责人") if is_group else _("法定代表人"), representative or ""),
        PublicField(_("业务主管单位"), org.supervisory_unit),
        PublicField(_("注册资金"), org.registered_funds, "money"),
        PublicField(_("住所"), org.address),
        PublicField(_("所在社区/村"), org.community.name if org.community else ""),
        PublicField(_("活动地域"), org.activity_area),
        PublicField(_("宗旨"), org.purpose, "multiline"),
        PublicField(_("业务范围"), org.business_scope, "multiline"),
    ]
    if org.kind == Kind.FOUNDATION:
        fields.append(PublicField(_("基金会类型"), org.get_foundation_type_display()))
    if org.kind != Kind.COMMUNITY_GROUP:
        fields.append(PublicField(_("慈善组织"), _("是") if org.is_charity else _("否")))
    if org.former_names:
        fields.append(PublicField(_("曾用名"), list(org.former_names), "list"))
    return [f for f in fields if f.value not in (None, "", [])]


def is_closed(org: Organization) -> bool:
    return org.status in CLOSED_STATUSES


def city_totals() -> dict[str, int]:
    """Open registered organisations and open filed groups of the city, from the rollup."""
    totals = {"registered": 0, "groups": 0}
    rows = (
        OrgRollup.objects.filter(region_code=pad(settings.NPOHUB_CITY_CODE))
        .exclude(status__in=CLOSED_STATUSES)
        .values_list("kind", "count")
    )
    for kind, count in rows:
        totals["groups" if kind == Kind.COMMUNITY_GROUP else "registered"] += count
    return totals


# --- certificate verification (what the QR code on a 登记证书 opens) ---------------------------


@dataclass(frozen=True)
class CertificateVerification:
    """What the public verification page says about one certificate.

    ``newer``: the latest later version of the same organisation's certificate, if any (it may
    itself be void when the organisation closed afterwards). ``closed``: the organisation is
    deregistered or revoked.
    """

    certificate: Certificate
    organization: Organization
    title: str
    is_current: bool
    closed: bool
    newer: Certificate | None


def certificate_verification(cert: Certificate) -> CertificateVerification:
    org = cert.organization
    newer = (
        Certificate.objects.filter(organization=org, version__gt=cert.version)
        .order_by("-version")
        .only("id", "version", "issued_on", "voided_on", "organization_id")
        .first()
    )
    return CertificateVerification(
        certificate=cert,
        organization=org,
        title=certificate_title(cert),
        is_current=cert.is_current,
        closed=org.status in CLOSED_STATUSES,
        newer=newer,
    )
