"""Enforcement demo: open complaints (some overdue), a decided warning, a suspension, a
revocation, a dormant clean-up campaign with outcomes, organisations that cannot be contacted
(two unsigned letters, one of them more than two years ago), and the credit engine run for
today so the city has organisations on both credit lists; all made through the services.

Run after ``load_demo``, ``demo_accounts`` (and ``demo_registration``); running it again changes
nothing (it stops if the demo campaign exists).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import User
from npohub.credit.models import ContactMethod, Listing, RequestKind
from npohub.credit.services import (
    contact_attempt_record,
    credit_evaluate,
    credit_request_file,
    credit_request_transition,
)
from npohub.credit.workflows import repair_refusal
from npohub.demo.accounts import organization_account
from npohub.enforcement import dormant, services
from npohub.enforcement.models import DormantCampaign
from npohub.orgs.models import Kind, Organization, Status
from npohub.regions.models import Region
from npohub.registration.selectors import current_certificate
from npohub.registration.services import certificate_issue

MARKER = "2025年历下区僵尸型社会组织清理整治专项行动"
DISTRICT = "370102000000"

COMPLAINTS = (
    ("fees", "向会员强制摊派会费，不开具正式票据。", 40),
    ("outside_scope", "以协会名义组织商业培训并收取高额费用。", 30),
    ("dormant", "该组织多年没有开展任何活动，办公地址已经改作他用。", 25),
    ("illegal_fundraising", "在小区内以慈善名义募捐，未说明资金去向。", 6),
    ("governance", "理事会多年未换届，负责人长期不变。", 3),
    ("finance", "负责人涉嫌挪用会员缴纳的活动经费。", 1),
)


@dataclass
class Summary:
    complaints: int = 0
    cases: dict[str, str] = field(default_factory=dict)
    candidates: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    listed: int = 0
    requests: int = 0


def _orgs(n: int) -> list[Organization]:
    return list(
        Organization.objects.registered()
        .filter(address_code__startswith="370102", status=Status.ACTIVE, kind=Kind.ASSOCIATION)
        .exclude(registration_date__isnull=True)
        .select_related("authority_region")
        .order_by("pk")[:n]
    )


def _decide(actor: User, org: Organization, sanction: dict[str, object], title: str) -> str:
    today = timezone.localdate()
    earlier = today - dt.timedelta(days=12)
    if current_certificate(org) is None:
        certificate_issue(org=org, app=None, today=org.registration_date or earlier)
    case = services.case_open(actor=actor, organization=org, title=title, today=earlier)
    services.case_transition(actor=actor, case=case, transition="investigate", today=earlier)
    services.sanction_add(actor=actor, case=case, today=earlier, **sanction)  # type: ignore[arg-type]
    services.case_transition(actor=actor, case=case, transition="notify", today=earlier)
    case = services.case_transition(actor=actor, case=case, transition="decide", today=today)
    return case.number


@transaction.atomic
def load_enforcement_demo() -> Summary:
    summary = Summary()
    if DormantCampaign.objects.filter(name=MARKER).exists():
        return summary
    district = User.objects.get(username="district")
    street = User.objects.filter(username="street").first()
    today = timezone.localdate()
    orgs = _orgs(12)
    if len(orgs) < 6:
        return summary
    for i, (category, text, age) in enumerate(COMPLAINTS):
        org = orgs[i]
        c = services.complaint_submit(
            actor=None,
            client_ip="demo",
            contact=f"1380000{i:04d}",
            category=category,
            description=text,
            organization=org,
            channel="staff",
            today=today - dt.timedelta(days=age),
        )
        summary.complaints += 1
        if i in (0, 1, 4):
            services.complaint_transition(actor=district, complaint=c, transition="accept")
        if i == 1 and street is not None and org.address_code.startswith(street.scope_prefix):
            services.complaint_assign(actor=district, complaint=c, assignee=street)
        if i == 4:
            services.complaint_transition(
                actor=district, complaint=c, transition="reply", note="已督促该组织按章程换届。"
            )
        if i == 5:
            services.complaint_transition(
                actor=district,
                complaint=c,
                transition="transfer",
                note="涉嫌职务侵占，属公安机关管辖",
                transferred_to="历下区公安分局",
            )
    summary.cases["warning"] = _decide(
        district, orgs[6], {"kind": "warning"}, "超出业务范围开展活动"
    )
    summary.cases["suspension"] = _decide(
        district,
        orgs[7],
        {"kind": "suspension", "suspend_until": today + dt.timedelta(days=90)},
        "违规收取会员费用",
    )
    # A ground the demo's own data bears out: the platform holds annual reports from last year
    # only, so "three years without an annual inspection" is not something it can show.
    summary.cases["revocation"] = _decide(
        district, orgs[8], {"kind": "revocation"}, "出租、出借登记证书和印章，情节严重"
    )
    campaign = dormant.campaign_create(
        actor=district,
        name=MARKER,
        region=Region.objects.get(code=DISTRICT),
        started_on=today,
        no_activity_since=dt.date(today.year - 2, 1, 1),
    )
    summary.candidates = dormant.campaign_scan(actor=district, campaign=campaign, today=today)
    pending = list(campaign.candidates.select_related("organization", "campaign__region")[:3])
    for candidate, (outcome, note) in zip(
        pending,
        (
            ("rectified", "已恢复开展活动并补报年度报告"),
            ("deregistered", "理事会决议自行注销，已指导办理注销登记"),
            ("revoked", "两次挂号信均被退回，无法取得联系，依法撤销登记"),
        ),
        strict=False,
    ):
        dormant.candidate_outcome_set(
            actor=district, candidate=candidate, outcome=outcome, note=note, today=today
        )
        summary.outcomes[outcome] = summary.outcomes.get(outcome, 0) + 1
    _unreachable(district, orgs[9:11], today)
    # The daily credit run also runs the missing-report detector: it proposes revocations only
    # for years the platform holds reports for, so the demo holds none for years before them.
    summary.listed = credit_evaluate(on=today).listed
    summary.requests = _credit_requests(district, today)
    return summary


def _credit_requests(bureau: User, today: dt.date) -> int:
    """Listed organisations answer through their own accounts: an objection the bureau
    rejects, one still pending, and a credit-repair application where the rules allow one
    (rejected for missing papers), so the request desk and its history are not empty. No
    listing is removed."""
    listings = list(
        Listing.objects.filter(
            removed_on__isnull=True, organization__address_code__startswith="370102"
        )
        .select_related("organization", "rule")
        .order_by("pk")[:3]
    )
    filed = 0
    for i, listing in enumerate(listings[:2]):
        owner = organization_account(listing.organization)
        request = credit_request_file(
            actor=owner,
            listing=listing,
            kind=RequestKind.OBJECTION,
            reasons="列入依据的事实有误，本组织已按期报送年度报告，附报送回执。",
        )
        filed += 1
        if i == 0:
            credit_request_transition(
                actor=bureau,
                request=request,
                transition="reject",
                note="经核查，报送回执日期晚于截止日期，列入依据属实。",
            )
    for listing in listings:
        if repair_refusal(listing, today) is None:
            request = credit_request_file(
                actor=organization_account(listing.organization),
                listing=listing,
                kind=RequestKind.REPAIR,
                reasons="已完成整改并公开作出信用承诺，申请信用修复。",
            )
            credit_request_transition(
                actor=bureau,
                request=request,
                transition="reject",
                note="未提交整改完成的证明材料。",
            )
            filed += 1
            break
    return filed


def _unreachable(actor: User, orgs: list[Organization], today: dt.date) -> None:
    """Two unsigned registered letters 30 days apart: the first organisation more than two
    years ago (abnormal list, then escalated to the serious list), the second three months
    ago (abnormal list)."""
    for org, first in zip(
        orgs,
        (today - dt.timedelta(days=2 * 365 + 60), today - dt.timedelta(days=90)),
        strict=False,
    ):
        for sent in (first, first + dt.timedelta(days=30)):
            contact_attempt_record(
                actor=actor,
                organization=org,
                method=ContactMethod.LETTER,
                sent_on=sent,
                signed=False,
                returned_on=sent + dt.timedelta(days=7),
                note="查无此单位，原件退回",
            )
