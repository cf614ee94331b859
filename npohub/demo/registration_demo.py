"""Registration demo: departments, routes, and applications in every state of every workflow.

Everything is made through the registration services (so history, audit events, clocks,
certificates and announcements are real), with the clocks back-dated so the deadline board
shows overdue, close and comfortable applications. Run after ``demo_accounts``; running it again
changes nothing (it stops if the demo departments exist).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.orgs.access import access_grant, organization_account_grant
from npohub.orgs.models import (
    CLOSED_STATUSES,
    AccessReason,
    Kind,
    Organization,
)
from npohub.regions.models import Level, Region
from npohub.registration import services
from npohub.registration.models import Application, Department, ReviewRoute, ReviewTask

from . import documents
from .accounts import DEMO_PASSWORD

MARKER = "历下区行政审批服务局"
ESTABLISHMENT_DOCS = (
    "application_form",
    "articles",
    "premises",
    "identity",
    "capital_verification",
)

# (key, name, kind, region code, reviewer username)
DEPARTMENTS = (
    ("approval", MARKER, "approval", "370102000000", "rev-approval"),
    ("party", "历下区社会组织综合党委", "party", "370102000000", "rev-party"),
    ("civil", "济南市民政局社会组织管理局", "civil_affairs", "370100000000", "rev-civil"),
    ("industry", "济南市商务局", "industry", "370100000000", "rev-industry"),
    ("education", "济南市教育局", "supervisory", "370100000000", "reviewer"),
    ("health", "历下区卫生健康局", "supervisory", "370102000000", "rev-health"),
    ("culture", "历下区文化和旅游局", "supervisory", "370102000000", "rev-culture"),
)
DIRECT = {"charity", "trade_association", "science_technology", "community_service"}
SUPERVISOR_FOR = {"education": "education", "health": "health"}


@dataclass
class Summary:
    applications: int = 0
    departments: int = 0
    states: dict[str, int] | None = None


def _user(username: str, role: str, label: str, region: Region | None = None) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"role": role})
    if created:
        user.role = role
        user.display_name = label
        user.organization_label = label
        user.region = region
        user.scope_prefix = region.prefix if region else ""
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _attach(app: Application, actor: User, *kinds: str) -> None:
    """Documents as an applicant uploads them: Chinese names (章程（草案）.pdf …), one-page PDFs
    with the organisation's name that open in any reader (``documents``)."""
    today = timezone.localdate()
    for kind in kinds:
        services.attachment_add(
            actor=actor,
            app=app,
            kind=kind,
            name=documents.file_name(kind, today.year - 1),
            stream=io.BytesIO(documents.pdf(kind, app.name, today)),
        )


def _founder(n: int) -> User:
    """A resident account per founding group (registration turns it into the org's account)."""
    return _user(f"founder{n:02d}", Role.RESIDENT, f"发起人{n:02d}")


def _move(app: Application, actor: Any, *names: str, today: dt.date, note: str = "") -> Application:
    for name in names:
        app = services.application_transition(
            actor=actor, app=app, transition=name, note=note, today=today
        )
    return app


def _opinions(
    app: Application,
    reviewers: dict[str, User],
    opinions: dict[str, tuple[str, str]],
    today: dt.date,
) -> None:
    app.refresh_from_db()
    for task in ReviewTask.objects.filter(application=app, round=app.review_round).select_related(
        "department"
    ):
        key = next((k for k, d in _DEPT_BY_KEY.items() if d == task.department_id), "")
        if key not in opinions:
            continue
        opinion, reasons = opinions[key]
        user = reviewers[key]
        services.review_opinion_give(
            actor=user, task=task, opinion=opinion, reasons=reasons, today=today
        )


_DEPT_BY_KEY: dict[str, int] = {}
_DEPT_KEYS = ("approval", "party", "civil", "industry", "education", "health", "culture")

ASSOCIATIONS = (
    # name, category, community offset, members
    ("历下区社区邻里互助协会", "community_service", 60),
    ("历下区老年书画研究会", "culture_sports", 80),
    ("历下区青少年科技教育促进会", "education", 55),
    ("历下区家政服务行业协会", "trade_association", 0),
    ("历下区社区心理健康服务协会", "health", 70),
    ("历下区志愿服务联合会", "volunteer", 120),
    ("历下区公益慈善促进会", "charity", 66),
    ("历下区健康养老服务协会", "community_service", 58),
    ("历下区城市书房阅读推广协会", "community_service", 61),
    ("历下区社区体育健身协会", "community_service", 75),
    ("历下区助残服务协会", "charity", 52),
    ("历下区环境保护志愿者协会", "community_service", 90),
)


def _free_name(name: str) -> str:
    """The name, or a variant with a local qualifier when the generated registry already has it."""
    taken = set(Organization.objects.filter(name__endswith=name[3:]).values_list("name", flat=True))
    taken |= set(Application.objects.values_list("name", flat=True))
    if name not in taken:
        return name
    for qualifier in ("泉城", "明湖", "千佛山", "趵突泉", "燕山", "舜耕", "解放桥", "甸柳"):
        candidate = name[:3] + qualifier + name[3:]
        if candidate not in taken:
            return candidate
    return name


def _establishment(
    founder: User,
    idx: int,
    community: Region,
    name: str,
    category: str,
    members: int,
    today: dt.date,
) -> Application:
    name = _free_name(name)
    data = {
        "name": name,
        "category_code": category,
        "management_level": "county",
        "community_code": community.code,
        "address": f"济南市历下区{community.name.replace('居民委员会', '')}活动中心 {idx + 1} 号",
        "legal_representative_name": f"发起人{idx:02d}",
        "registered_funds": "50000",
        "purpose": "服务社区居民，促进社区和谐",
        "business_scope": "组织活动、提供服务、开展培训",
        "activity_area": "历下区",
        "individual_members": members,
        "unit_members": 0 if members else 32,
    }
    return services.application_create(
        actor=founder,
        kind="establishment",
        org_kind="association",
        authority_code="370102",
        data=data,
    )


@transaction.atomic
def load_registration_demo(*, today: dt.date | None = None) -> Summary:
    today = today or timezone.localdate()
    if Department.objects.filter(name=MARKER).exists():
        return Summary()
    district = Region.objects.get(code="370102000000")
    city = Region.objects.get(code="370100000000")
    bureau = User.objects.get(username="district")
    street_user = User.objects.get(username="street")
    community_user = User.objects.get(username="community")
    org_user = User.objects.get(username="org")
    hub_user = User.objects.get(username="hub")
    communities = list(
        Region.objects.filter(
            code__startswith=street_user.scope_prefix, level=Level.VILLAGE, is_active=True
        ).order_by("code")
    )
    reviewers: dict[str, User] = {}
    departments: dict[str, Department] = {}
    for key, name, kind, code, username in DEPARTMENTS:
        region = district if code == district.code else city
        dept = Department.objects.create(name=name, kind=kind, region=region)
        user = (
            _user(username, Role.REVIEWER, name, region)
            if username != "reviewer"
            else User.objects.get(username="reviewer")
        )
        dept.members.add(user)
        reviewers[key] = user
        departments[key] = dept
        _DEPT_BY_KEY[key] = dept.pk
    # The demo reviewer account also sits in the approval department, so its inbox is busy.
    departments["approval"].members.add(User.objects.get(username="reviewer"))
    for kind in ("establishment", "change", "deregistration", "reelection"):
        for key in ("approval", "party", "civil"):
            ReviewRoute.objects.create(application_kind=kind, department=departments[key])
    from npohub.orgs.models import Category

    ReviewRoute.objects.create(
        application_kind="establishment",
        category=Category.objects.get(code="trade_association"),
        department=departments["industry"],
    )

    apps: list[Application] = []
    agree_all = dict.fromkeys(_DEPT_KEYS, ("agree", ""))

    def founded(
        i: int, name: str, category: str, members: int, *, days_ago: int, dual: bool = False
    ) -> Application:
        founder = _founder(i)
        community = communities[i % len(communities)]
        app = _establishment(founder, i, community, name, category, members, today)
        if dual or category not in DIRECT:
            services.application_update(
                actor=founder,
                app=app,
                data=app.data,
                supervisory_department=departments[SUPERVISOR_FOR.get(category, "culture")],
                supervisory_consent_on=today - dt.timedelta(days=days_ago + 5),
            )
            _attach(app, founder, "supervisory_consent")
        _attach(app, founder, *ESTABLISHMENT_DOCS)
        apps.append(app)
        return app

    start = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    # 0: draft
    founded(0, ASSOCIATIONS[0][0], ASSOCIATIONS[0][1], ASSOCIATIONS[0][2], days_ago=0)
    # 1: submitted, waiting for acceptance
    a = founded(1, *ASSOCIATIONS[1], days_ago=3)
    _move(a, a.applicant, "submit", today=start(3))
    # 2: in review, one opinion in, accepted 50 days ago (close to the 60-day limit)
    a = founded(2, *ASSOCIATIONS[2], days_ago=50, dual=True)
    _move(a, a.applicant, "submit", today=start(52))
    _move(a, bureau, "accept", today=start(50))
    _opinions(a, reviewers, {"approval": ("agree", ""), "education": ("agree", "")}, start(45))
    # 3: trade association in review (four departments), accepted 65 days ago → overdue
    a = founded(3, *ASSOCIATIONS[3], days_ago=65)
    _move(a, a.applicant, "submit", today=start(66))
    _move(a, bureau, "accept", today=start(65))
    _opinions(a, reviewers, {"party": ("agree", "")}, start(60))
    # 4: supplement requested (clock paused 6 days ago)
    a = founded(4, *ASSOCIATIONS[4], days_ago=20, dual=True)
    _move(a, a.applicant, "submit", today=start(21))
    _move(a, bureau, "accept", today=start(20))
    _opinions(
        a,
        reviewers,
        {**agree_all, "party": ("more_material", "请补充党员名单及党建工作计划")},
        start(6),
    )
    # 5: returned after a disagreement
    a = founded(5, *ASSOCIATIONS[5], days_ago=30)
    _move(a, a.applicant, "submit", today=start(31))
    _move(a, bureau, "accept", today=start(30))
    _opinions(
        a,
        reviewers,
        {**agree_all, "approval": ("disagree", "住所证明为临时租赁合同，期限不足一年")},
        start(12),
    )
    # 6: reviewed, waiting for the bureau's decision
    a = founded(6, *ASSOCIATIONS[6], days_ago=25)
    _move(a, a.applicant, "submit", today=start(26))
    _move(a, bureau, "accept", today=start(25))
    _opinions(a, reviewers, agree_all, start(10))
    # 7–9: approved (new organisations with certificates and announcements)
    for i in (7, 8, 9):
        a = founded(i, *ASSOCIATIONS[i], days_ago=60 + i)
        _move(a, a.applicant, "submit", today=start(62 + i))
        _move(a, bureau, "accept", today=start(60 + i))
        _opinions(a, reviewers, agree_all, start(40 + i))
        _move(a, bureau, "approve", today=start(30 + i))
    # 10: rejected
    a = founded(10, *ASSOCIATIONS[10], days_ago=70)
    _move(a, a.applicant, "submit", today=start(71))
    _move(a, bureau, "accept", today=start(70))
    _opinions(a, reviewers, agree_all, start(50))
    _move(a, bureau, "reject", today=start(45), note="同一区域已有业务范围相同的社会团体")
    # 11: withdrawn by the applicant
    a = founded(11, *ASSOCIATIONS[11], days_ago=15)
    _move(a, a.applicant, "submit", today=start(15))
    _move(a, a.applicant, "withdraw", today=start(14))

    # The demo organisation account: a change, a re-election and an articles amendment.
    own = Organization.objects.filter(
        access_grants__user=org_user, access_grants__reason=AccessReason.OWN
    ).first()
    if own is not None:
        change = services.application_create(
            actor=org_user,
            kind="change",
            organization=own,
            data={"changes": {"address": "济南市历下区泉城路 188 号 5 楼"}},
            supervisory_consent_on=start(40),
        )
        _attach(change, org_user, "application_form", "meeting_minutes", "supervisory_consent")
        _move(change, org_user, "submit", today=start(9))
        _move(change, bureau, "accept", today=start(8))
        apps.append(change)
        reelection = services.application_create(
            actor=org_user,
            kind="reelection",
            organization=own,
            data={
                "officers": [
                    {"position": "chair", "name": "刘建华"},
                    {"position": "secretary_general", "name": "陈晓梅"},
                ],
                "term_years": 5,
            },
            supervisory_consent_on=start(3),
        )
        _attach(reelection, org_user, "meeting_minutes", "identity", "supervisory_consent")
        apps.append(reelection)
        articles = services.application_create(
            actor=org_user,
            kind="articles",
            organization=own,
            data={"articles_summary": "修改第十二条：理事会每届任期由四年改为五年"},
            supervisory_consent_on=start(2),
        )
        _attach(articles, org_user, "articles", "meeting_minutes", "supervisory_consent")
        _move(articles, org_user, "submit", today=start(1))
        apps.append(articles)

    # A name pre-approval, approved.
    founder = _founder(20)
    name_app = services.application_create(
        actor=founder,
        kind="name_approval",
        org_kind="social_service",
        authority_code="370102",
        data={
            "name": "历下区乐龄康养服务中心",
            "category_code": "elderly_care",
            "management_level": "county",
        },
    )
    _attach(name_app, founder, "application_form")
    _move(name_app, founder, "submit", today=start(12))
    _move(name_app, bureau, "accept", "approve", today=start(10))
    apps.append(name_app)

    # A deregistration in review and a revocation started by the bureau.
    closing = list(
        Organization.objects.filter(
            kind=Kind.ASSOCIATION, address_code__startswith="370102", management_level="county"
        )
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(access_grants__user=org_user)
        .order_by("uscc")[:2]
    )
    if len(closing) == 2:
        dereg_user = _user("org-closing", Role.ORG_USER, closing[0].name)
        organization_account_grant(actor=None, user=dereg_user, organization=closing[0])
        dereg = services.application_create(
            actor=dereg_user,
            kind="deregistration",
            organization=closing[0],
            data={
                "reason": "宗旨已完成，会员大会决议解散",
                "liquidation_completed_on": start(20).isoformat(),
            },
            supervisory_consent_on=start(18),
        )
        _attach(dereg, dereg_user, "application_form", "liquidation_report", "supervisory_consent")
        _move(dereg, dereg_user, "submit", today=start(16))
        _move(dereg, bureau, "accept", today=start(15))
        apps.append(dereg)
        revocation = services.application_create(
            actor=bureau,
            kind="revocation",
            organization=closing[1],
            data={"reason": "连续三年未参加年度检查，经公告仍未整改"},
        )
        _move(revocation, bureau, "submit", today=start(4))
        apps.append(revocation)

    # Filings through community and street, in every state.
    groups = (
        "太极拳队",
        "合唱团",
        "读书会",
        "编织社",
        "义剪队",
        "象棋协会队",
        "广场舞队",
        "科普小组",
    )
    for i, suffix in enumerate(groups):
        community = community_user.region  # the demo community worker checks them all
        assert community is not None
        short = community.name.replace("居民委员会", "").replace("村民委员会", "村")
        applicant = community_user if i % 2 else _founder(30 + i)
        filing = services.application_create(
            actor=applicant,
            kind="filing",
            data={
                "name": _free_name(f"{short}{suffix}"),
                "community_code": community.code,
                "legal_representative_name": f"负责人{i}",
                "legal_representative_phone": f"1390000{i:04d}",
                "members": 12 + i * 3,
                "purpose": "丰富居民文化生活",
                "activity_area": short,
            },
        )
        apps.append(filing)
        if i == 0:
            continue  # draft
        _move(filing, applicant, "submit", today=start(10 - i))
        if i == 1:
            continue  # waiting for the community
        if i == 2:
            _move(
                filing,
                community_user,
                "community_return",
                today=start(7),
                note="请补充成员名单和活动场所",
            )
            continue
        _move(filing, community_user, "community_check", today=start(9 - i))
        if i in (3, 4):
            continue  # waiting for the street
        _move(filing, street_user, "file", today=start(8 - i))

    # The street delegates filing decisions to a federation the hub account works for.
    federation = (
        Organization.objects.filter(
            kind=Kind.ASSOCIATION, address_code__startswith=street_user.scope_prefix
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("uscc")
        .first()
    )
    if federation is not None:
        services.filing_delegation_create(
            actor=street_user,
            street=Region.objects.get(code=street_user.scope_prefix.ljust(12, "0")),
            federation=federation,
            valid_from=start(30),
        )
        access_grant(
            actor=None, user=hub_user, organization=federation, reason=AccessReason.HUB_MEMBER
        )

    # Major-activity reports of filed groups in the demo street.
    filed = list(
        Organization.objects.filter(
            kind=Kind.COMMUNITY_GROUP, address_code__startswith=community_user.scope_prefix
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("name")[:3]
    )
    for i, group in enumerate(filed):
        report = services.activity_report_create(
            actor=community_user,
            org=group,
            title=["社区邻里节文艺汇演", "重阳节敬老活动", "夏季消夏晚会"][i],
            starts_on=today + dt.timedelta(days=7 + i * 5),
            location=f"{group.name}活动场地",
            participants=[300, 120, 500][i],
            description="活动期间安排志愿者维持秩序，已制定安全预案。",
        )
        if i == 1:
            services.activity_report_act(actor=street_user, report=report, action="acknowledge")
        if i == 2:
            services.activity_report_act(
                actor=street_user,
                report=report,
                action="query",
                text="参加人数较多，请补充安全预案和场地许可",
            )

    states: dict[str, int] = {}
    for app in Application.objects.all():
        states[app.state] = states.get(app.state, 0) + 1
    return Summary(
        applications=Application.objects.count(), departments=len(departments), states=states
    )
