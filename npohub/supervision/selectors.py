"""Reads on annual reports: scoped lists, who must report, deadlines, conclusions, statistics."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound
from npohub.orgs.models import CLOSED_STATUSES, REGISTERED_KINDS, Kind, Organization
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_visible_to
from npohub.regions.models import Region
from npohub.regions.selectors import region_children

from .models import AT_BUREAU_STATES, AnnualReport, Conclusion, ReportAttachment
from .permissions import Viewer
from .policy import DEFAULTS, month_day, policy_for

# ---------------------------------------------------------------------------------------------
# Calendar and who must report (rules 21 and 22)


def org_policy_code(org: Organization) -> str:
    return org.address_code


def is_dual_managed(org: Organization) -> bool:
    """Dual-managed when a business-supervisory unit is on record (direct registration has none)."""
    return bool((org.supervisory_unit or "").strip())


@dataclass(frozen=True)
class Deadlines:
    supervisor: dt.date | None
    bureau: dt.date
    charity_disclosure: dt.date | None


def deadlines_for(org: Organization, year: int) -> Deadlines:
    """Rule 21: the dates a report for ``year`` is due, per kind, route and province."""
    policy = policy_for(org_policy_code(org))
    kind = org.kind
    bureau = month_day(year + 1, policy["bureau_deadline"][kind])
    supervisor = None
    if is_dual_managed(org):
        supervisor = month_day(year + 1, policy["supervisor_deadline"][kind])
    disclosure = (
        month_day(year + 1, policy["charity_disclosure_deadline"]) if org.is_charity else None
    )
    return Deadlines(supervisor=supervisor, bureau=bureau, charity_disclosure=disclosure)


def _months_before_year_end(year: int, months: int) -> dt.date:
    """31 December of ``year`` minus ``months`` (day clamped to the month's end)."""
    month = 12 - months
    y = year
    while month <= 0:
        month += 12
        y -= 1
    return dt.date(y, month, calendar.monthrange(y, month)[1])


def exemption_cutoff(kind: str, year: int, policy: dict[str, Any]) -> dt.date | None:
    """Rule 22: organisations registered after this date are exempt for ``year`` (None: none)."""
    months = (policy.get("exempt_months") or {}).get(kind)
    if not months:
        return None
    return _months_before_year_end(year, int(months))


def _due_q(year: int, policy: dict[str, Any]) -> Q:
    q = Q()
    excluded = set(policy.get("charities_excluded_kinds") or [])
    for kind in REGISTERED_KINDS:
        cutoff = exemption_cutoff(kind, year, policy) or dt.date(year, 12, 31)
        kind_q = Q(kind=kind, registration_date__lte=cutoff)
        if kind in excluded:
            kind_q &= Q(is_charity=False)
        q |= kind_q
    return q


def organizations_due(
    year: int, *, within: QuerySet[Organization] | None = None
) -> QuerySet[Organization]:
    """Organisations that must report for ``year``: registered (not filed groups, rule 48),
    not closed, registered by 31 December and not exempt as newly registered (rule 22)."""
    qs = within if within is not None else Organization.objects.all()
    qs = qs.filter(kind__in=REGISTERED_KINDS, registration_date__isnull=False).exclude(
        status__in=CLOSED_STATUSES
    )
    overrides: dict[str, Any] = getattr(settings, "SUPERVISION_POLICY", {}) or {}
    provinces = [code for code in overrides if code != "default" and len(code) == 2]
    rest = _due_q(year, policy_for(""))
    for province in provinces:
        rest &= ~Q(address_code__startswith=province)
    combined = rest
    for province in provinces:
        combined |= Q(address_code__startswith=province) & _due_q(year, policy_for(province))
    return qs.filter(combined)


def is_due(org: Organization, year: int) -> bool:
    """The same rule as ``organizations_due`` for one fetched organisation."""
    if org.kind not in REGISTERED_KINDS or org.registration_date is None:
        return False
    if org.status in CLOSED_STATUSES:
        return False
    policy = policy_for(org_policy_code(org))
    if org.is_charity and org.kind in set(policy.get("charities_excluded_kinds") or []):
        return False
    cutoff = exemption_cutoff(org.kind, year, policy) or dt.date(year, 12, 31)
    return org.registration_date <= cutoff


def rectification_needed(org: Organization, year: int) -> tuple[bool, str]:
    """Rule 26: last year's conclusion was 基本合格/不合格, or the organisation was due and did
    not take part → the report for ``year`` must carry a rectification report."""
    policy = policy_for(org_policy_code(org))
    triggers = set(policy.get("rectification_after") or [])
    previous = AnnualReport.objects.filter(organization_id=org.pk, year=year - 1).first()
    if previous is not None and previous.conclusion:
        if previous.conclusion in triggers:
            return True, _("%(year)s年度年检结论为%(conclusion)s") % {
                "year": year - 1,
                "conclusion": previous.get_conclusion_display(),
            }
        return False, ""
    took_part = previous is not None and previous.state in AT_BUREAU_STATES
    if "absent" in triggers and not took_part and is_due(org, year - 1):
        return True, _("未参加%(year)s年度年检") % {"year": year - 1}
    return False, ""


# ---------------------------------------------------------------------------------------------
# Scoped reads


def reports_visible_to(user: Viewer) -> QuerySet[AnnualReport]:
    """Reports of the organisations the user may see (none for residents and anonymous users)."""
    return AnnualReport.objects.filter(organization__in=organization_visible_to(user))


@dataclass
class ReportFilters:
    year: int | None = None
    state: str = ""
    kind: str = ""
    region_prefix: str = ""
    conclusion: str = ""
    search: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def report_list_for(user: Viewer, filters: ReportFilters | None = None) -> QuerySet[AnnualReport]:
    """The filtered reports the user may see, newest year first, with what lists show."""
    f = filters or ReportFilters()
    qs = reports_visible_to(user).select_related("organization")
    if f.year:
        qs = qs.filter(year=f.year)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(org_kind=f.kind)
    if f.region_prefix:
        qs = qs.filter(address_code__startswith=f.region_prefix)
    if f.conclusion:
        qs = qs.filter(conclusion=f.conclusion)
    if f.search:
        qs = qs.filter(organization__name__contains=f.search.strip())
    return qs.order_by("-year", "organization__name", "id")


def report_get_for(user: Viewer, pk: int) -> AnnualReport:
    """One report the user may see, or NotFound (missing and forbidden look the same)."""
    report = (
        reports_visible_to(user)
        .select_related(
            "organization", "organization__authority_region", "organization__legal_representative"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise NotFound(_("年度报告不存在"))
    return report


def attachments_of(report: AnnualReport) -> QuerySet[ReportAttachment]:
    """The report's documents, oldest first."""
    return report.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")


def attachment_get_for(user: Viewer, pk: int) -> ReportAttachment:
    """One attachment of a report the user may see, or NotFound (missing and forbidden alike)."""
    attachment = (
        ReportAttachment.objects.filter(pk=pk, report__in=reports_visible_to(user))
        .select_related("report", "report__organization")
        .first()
    )
    if attachment is None:
        raise NotFound(_("附件不存在"))
    return attachment


# ---------------------------------------------------------------------------------------------
# For other apps (credit, enforcement, ratings): plain facts by organisation id


def report_years_filed(org_ids: Iterable[int], years: Iterable[int]) -> dict[int, set[int]]:
    """For each organisation, the years among ``years`` whose report reached the bureau."""
    result: dict[int, set[int]] = {pk: set() for pk in org_ids}
    rows = AnnualReport.objects.filter(
        organization_id__in=list(result), year__in=list(years), bureau_received_on__isnull=False
    ).values_list("organization_id", "year")
    for org_id, year in rows:
        result[org_id].add(year)
    return result


def last_conclusions(org_ids: Iterable[int], n: int = 2) -> dict[int, list[tuple[int, str]]]:
    """For each organisation, its last ``n`` conclusions as (year, conclusion), newest first."""
    result: dict[int, list[tuple[int, str]]] = {pk: [] for pk in org_ids}
    rows = (
        AnnualReport.objects.filter(organization_id__in=list(result))
        .exclude(conclusion="")
        .order_by("organization_id", "-year")
        .values_list("organization_id", "year", "conclusion")
    )
    for org_id, year, conclusion in rows:
        if len(result[org_id]) < n:
            result[org_id].append((year, conclusion))
    return result


def first_report_year(region_code: str = "") -> int | None:
    """The first year the platform judges (policy, else the earliest report it holds)."""
    configured = policy_for(region_code).get("first_report_year")
    if configured:
        return int(configured)
    earliest = AnnualReport.objects.aggregate(first=Min("year"))["first"]
    return int(earliest) if earliest is not None else None


def last_judged_year(org: Organization, on: dt.date) -> int:
    """The latest report year whose bureau deadline had passed on ``on``."""
    year = on.year - 1
    if deadlines_for(org, year).bureau >= on:
        year -= 1
    return year


# ---------------------------------------------------------------------------------------------
# Statistics for the dashboard


@dataclass
class RateRow:
    code: str
    label: str
    due: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float:
        return round(100.0 * self.submitted / self.due, 1) if self.due else 0.0


@dataclass
class SubmissionStats:
    year: int
    region: Region | None
    by_region: list[RateRow]
    by_kind: list[RateRow]
    total: RateRow


def dashboard_root(user: Viewer) -> str:
    """The region the dashboard counts in: the user's region ("" for the whole platform)."""
    return scope_of(user).prefix


def _due_and_submitted(
    user: Viewer, year: int
) -> tuple[QuerySet[Organization], QuerySet[AnnualReport]]:
    """The dashboard's two sets for a year: the user's organisations due inside its region, and
    their reports of the year that reached the bureau."""
    root = dashboard_root(user)
    due = organizations_due(year, within=organization_visible_to(user))
    if root:
        due = due.filter(address_code__startswith=root)
    reports = AnnualReport.objects.filter(
        year=year, organization__in=due, bureau_received_on__isnull=False
    )
    return due, reports


def submission_stats(user: Viewer, year: int) -> SubmissionStats:
    """Submission rate (reports that reached the bureau ÷ organisations due) per child region
    of the user's region and per kind, in a fixed number of queries."""
    root = dashboard_root(user)
    region = Region.objects.active().filter(code=root.ljust(12, "0")).first() if root else None
    children = list(region_children(region.code if region else None).values_list("code", "name"))
    due, reports = _due_and_submitted(user, year)
    child_len = 2 if not root else len(root) + (2 if len(root) < 6 else 3)
    # Counted in the database per (child region, kind): a few dozen rows, not one per org.
    due_rows = (
        due.order_by()
        .values(child=Substr("address_code", 1, child_len), k=F("kind"))
        .annotate(n=Count("id"))
        .values_list("child", "k", "n")
    )
    rep_rows = (
        reports.order_by()
        .values(child=Substr("address_code", 1, child_len), k=F("org_kind"))
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(bureau_received_on__lte=F("bureau_deadline"))),
        )
        .values_list("child", "k", "n", "on_time")
    )
    by_region: dict[str, RateRow] = {
        code[:child_len]: RateRow(code, name) for code, name in children
    }
    kinds = {k.value: RateRow(k.value, str(k.label)) for k in Kind if k.value in REGISTERED_KINDS}
    total = RateRow("", _("合计"))
    for child, kind, n in due_rows:
        for row in (by_region.get(child), kinds.get(kind), total):
            if row is not None:
                row.due += n
    for child, kind, n, on_time in rep_rows:
        for row in (by_region.get(child), kinds.get(kind), total):
            if row is not None:
                row.submitted += n
                row.on_time += on_time
    return SubmissionStats(
        year=year,
        region=region,
        by_region=list(by_region.values()),
        by_kind=list(kinds.values()),
        total=total,
    )


def organizations_missing(user: Viewer, year: int) -> QuerySet[Organization]:
    """Organisations in the user's scope that must report for ``year`` and whose report has not
    reached the bureau (not started, still with the organisation or its supervisory unit)."""
    root = dashboard_root(user)
    due = organizations_due(year, within=organization_visible_to(user))
    if root:
        due = due.filter(address_code__startswith=root)
    arrived = AnnualReport.objects.filter(year=year, bureau_received_on__isnull=False).values(
        "organization_id"
    )
    return (
        due.exclude(pk__in=arrived)
        .select_related("community")
        .order_by("address_code", "name", "id")
    )


def conclusion_counts(year: int, within: QuerySet[AnnualReport]) -> dict[str, int]:
    rows = (
        within.filter(year=year).exclude(conclusion="").values("conclusion").annotate(n=Count("id"))
    )
    counts = {c.value: 0 for c in Conclusion}
    counts.update({r["conclusion"]: r["n"] for r in rows})
    return counts


def calendar_rows(year: int, region_code: str = "") -> list[dict[str, Any]]:
    """Rule 21 for one report year as a table: kind × route → dates (and the exemption)."""
    policy = policy_for(region_code)
    rows: list[dict[str, Any]] = []
    for kind in REGISTERED_KINDS:
        cutoff = exemption_cutoff(kind, year, policy)
        rows.append(
            {
                "kind": kind,
                "kind_label": str(Kind(kind).label),
                "supervisor": month_day(year + 1, policy["supervisor_deadline"][kind]),
                "bureau": month_day(year + 1, policy["bureau_deadline"][kind]),
                "exempt_after": cutoff,
            }
        )
    return rows


def charity_disclosure_deadline(year: int, region_code: str = "") -> dt.date:
    return month_day(year + 1, policy_for(region_code)["charity_disclosure_deadline"])


def published_conclusions(year: int | None = None) -> QuerySet[AnnualReport]:
    """The public announcement: published conclusions (public fields only; the caller picks)."""
    qs = AnnualReport.objects.filter(state="published").select_related("organization")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "conclusion", "organization__name", "id")


def published_years() -> list[int]:
    return list(
        AnnualReport.objects.filter(state="published")
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def region_name_map(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


__all__ = [
    "DEFAULTS",
    "Deadlines",
    "ReportFilters",
    "calendar_rows",
    "deadlines_for",
    "is_due",
    "last_conclusions",
    "organizations_due",
    "rectification_needed",
    "report_get_for",
    "report_list_for",
    "report_years_filed",
    "submission_stats",
]


# --- the dashboard's charts: rates per year and where the year's reports stand --------------


@dataclass(frozen=True)
class YearRates:
    year: int
    due: int
    submitted: int
    concluded: int
    passed: int  # 合格 and 基本合格

    @property
    def submission_rate(self) -> float:
        return round(100.0 * self.submitted / self.due, 1) if self.due else 0.0

    @property
    def pass_rate(self) -> float:
        return round(100.0 * self.passed / self.concluded, 1) if self.concluded else 0.0


def yearly_rates(user: Viewer, years: list[int]) -> list[YearRates]:
    """Per report year, oldest first: the dashboard's submission totals (the sets
    ``submission_stats`` counts) and the conclusions of the user's reports (as
    ``conclusion_counts``). Two queries a year and one more."""
    conclusions: dict[tuple[int, str], int] = {
        (y, c): n
        for y, c, n in reports_visible_to(user)
        .filter(year__in=years)
        .exclude(conclusion="")
        .order_by()
        .values_list("year", "conclusion")
        .annotate(n=Count("id"))
        .values_list("year", "conclusion", "n")
    }
    rows = []
    for year in sorted(years):
        due, reports = _due_and_submitted(user, year)
        rows.append(
            YearRates(
                year=year,
                due=due.count(),
                submitted=reports.count(),
                concluded=sum(n for (y, _c), n in conclusions.items() if y == year),
                passed=conclusions.get((year, Conclusion.PASS), 0)
                + conclusions.get((year, Conclusion.BASIC_PASS), 0),
            )
        )
    return rows


def state_counts(user: Viewer, year: int) -> list[tuple[str, str, int]]:
    """(state, label, reports) of the year's reports the user sees, in the workflow's order."""
    from .workflows import ReportState

    counts = dict(
        reports_visible_to(user)
        .filter(year=year)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in ReportState]
