"""The home page (工作台): every role lands on it; each item counts exactly what the user may act
on, links to the page where it is handled, and the most urgent comes first."""

from __future__ import annotations

import datetime as dt
import itertools
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.core import todo
from npohub.core.todo import TodoItem, Urgency, todos_for
from npohub.dashboards.home import home_for
from npohub.enforcement.models import Complaint, PenaltyCase
from npohub.notifications.tests.factories import NotificationFactory
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.ratings.models import Application as RatingApplication
from npohub.ratings.models import Assignment as RatingAssignment
from npohub.ratings.models import Expert, Grade, Objection, Round
from npohub.registration.models import Application, Department, ReviewTask
from npohub.stars.models import InterviewTask
from npohub.supervision.models import AnnualReport

TODAY = dt.date(2026, 12, 6)
HOME = "/dashboards/"
_numbers = itertools.count(1)


def keyed(user, today: dt.date = TODAY) -> dict[str, TodoItem]:
    return {item.key: item for item in todos_for(user, today=today)}


def count_of(user, key: str, today: dt.date = TODAY) -> int:
    item = keyed(user, today).get(key)
    return item.count if item else 0


# --- the registry ---------------------------------------------------------------------------


@pytest.fixture
def only_providers(monkeypatch):
    """Replace the registered providers for one test."""
    table: dict = {}
    monkeypatch.setattr(todo, "_PROVIDERS", table)
    return table


def test_items_come_most_urgent_first_and_empty_ones_are_left_out(only_providers, cast):
    def provider(user, today):
        return [
            TodoItem.make("a.later", "later", 2, "/a/", today + dt.timedelta(days=30), today),
            TodoItem.make("a.none", "no deadline", 1, "/b/", None, today),
            TodoItem.make("a.soon", "soon", 1, "/c/", today + dt.timedelta(days=3), today),
            TodoItem.make("a.empty", "nothing", 0, "/d/", today - dt.timedelta(days=9), today),
            TodoItem.make("a.late", "late", 4, "/e/", today - dt.timedelta(days=2), today),
            TodoItem.make("a.later2", "very late", 1, "/f/", today - dt.timedelta(days=20), today),
        ]

    todo.register("a", provider)

    items = todos_for(cast["city"], today=TODAY)

    assert [i.key for i in items] == ["a.later2", "a.late", "a.soon", "a.later", "a.none"]
    assert [i.urgency for i in items] == [
        Urgency.OVERDUE,
        Urgency.OVERDUE,
        Urgency.SOON,
        Urgency.NORMAL,
        Urgency.NORMAL,
    ]


def test_an_anonymous_visitor_has_no_items(only_providers):
    from django.contrib.auth.models import AnonymousUser

    todo.register("a", lambda user, today: [TodoItem.make("a.x", "x", 1, "/", None, today)])

    assert todos_for(AnonymousUser(), today=TODAY) == []


def test_every_app_with_work_registers_its_provider():
    names = {name for name, _provider in todo.providers()}

    assert names >= {
        "registration",
        "supervision",
        "inspections",
        "enforcement",
        "credit",
        "hubs",
        "party",
        "ratings",
        "stars",
        "notifications",
    }


# --- landing and the page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        "district",
        "street",
        "community",
        "hub",
        "reviewer",
        "org_user",
        "inspector",
        "expert",
        "party",
        "resident",
    ],
)
def test_every_role_lands_on_the_home_page_after_signing_in(client, cast, role):
    response = client.post(
        reverse("accounts:login"), {"username": cast[role].username, "password": "pass-Word-123"}
    )

    assert response.status_code == 302
    # Roles that need a second factor pass through it first, with the home page as ``next``.
    location = urlparse(response["Location"])
    landing = location.path if not location.query else parse_qs(location.query)["next"][0]
    assert landing == reverse("dashboards:home") == HOME


@pytest.mark.parametrize(
    "role",
    sorted(
        [
            "city",
            "district",
            "street",
            "community",
            "hub",
            "reviewer",
            "org_user",
            "inspector",
            "expert",
            "party",
            "resident",
            "admin",
        ]
    ),
)
def test_the_home_page_opens_for_every_role_with_the_menu(client, cast, role):
    client.force_login(cast[role])

    response = client.get(HOME)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>工作台</h1>" in page
    assert 'class="topnav"' in page and "data-menu-toggle" in page
    assert f'href="{HOME}"' in page  # the menu's 工作台 and the brand link


def test_a_resident_with_nothing_waiting_sees_a_plain_chinese_empty_state(client, cast):
    client.force_login(cast["resident"])

    page = client.get(HOME).content.decode()

    assert "目前没有需要您处理的事项。" in page
    assert 'class="todo' not in page
    assert reverse("portal:home") in page  # somewhere to go: the public site


def test_the_page_lists_each_item_as_a_link_with_its_count_and_deadline(client, cast, work):
    client.force_login(cast["district"])

    page = client.get(HOME).content.decode()

    item = keyed(cast["district"], timezone.localdate())["enforcement.complaints_to_accept"]
    assert f'href="{item.url}"' in page
    assert "待受理的投诉举报" in page
    assert "最早期限：" in page


def test_the_header_has_no_inline_script_and_names_languages_in_their_own_words(client, cast):
    client.force_login(cast["district"])

    page = client.get(HOME).content.decode()

    assert "onchange=" not in page and "onclick=" not in page
    assert "<script>" not in page
    assert ">简体中文<" in page and ">English<" in page
    assert "英语" not in page


# --- the data every count below is checked against ------------------------------------------


def _app(state, regions, *, kind="establishment", authority="lixia", address="c_jfq1", **kw):
    return Application.objects.create(
        number=f"T{next(_numbers):06d}",
        kind=kind,
        state=state,
        org_kind="community_group" if kind == "filing" else "association",
        name=f"测试申请{next(_numbers)}",
        authority_region=regions[authority],
        address_code=regions[address].code,
        **kw,
    )


def _complaint(regions, state, *, region="c_jfq1", due=TODAY, assignee=None):
    return Complaint.objects.create(
        number=f"TS{next(_numbers):010d}",
        state=state,
        contact="13800000000",
        category="fees",
        description="强制摊派费用",
        region_code=regions[region].code,
        received_on=TODAY - dt.timedelta(days=20),
        reply_due_on=due,
        assignee=assignee,
    )


@pytest.fixture
def work(cast, regions, orgs):
    """Things waiting in 历下区 (and a few in 章丘区, outside the district's scope)."""
    r, c = regions, cast
    days = dt.timedelta
    resident_two = UserFactory(username="resident_two", role=Role.RESIDENT)
    data = {"resident_two": resident_two}

    # registration: the district authority's queue, a department's tasks, filings, applicants
    _app("submitted", r, applicant=resident_two)
    _app("submitted", r, applicant=resident_two, authority="zhangqiu", address="c_ms_village")
    _app("reviewed", r, applicant=resident_two, accepted_on=TODAY - days(50), deadline_days=60)
    in_review = _app(
        "in_review",
        r,
        applicant=resident_two,
        accepted_on=TODAY - days(58),
        deadline_days=60,
        review_round=1,
    )
    _app("in_review", r, applicant=resident_two, accepted_on=TODAY - days(5), deadline_days=60)
    dept = Department.objects.create(name="历下区卫生健康局", kind="supervisory", region=r["lixia"])
    dept.members.add(c["reviewer"])
    ReviewTask.objects.create(
        application=in_review,
        department=dept,
        round=1,
        due_on=TODAY + days(3),
        created_at=timezone.now(),
    )
    _app(
        "submitted",
        r,
        kind="filing",
        applicant=resident_two,
        accepted_on=TODAY - days(3),
        deadline_days=15,
    )
    _app(
        "community_checked",
        r,
        kind="filing",
        applicant=resident_two,
        accepted_on=TODAY - days(10),
        deadline_days=15,
    )
    _app(
        "community_checked",
        r,
        kind="filing",
        applicant=resident_two,
        authority="zhangqiu",
        address="c_ms_village",
        accepted_on=TODAY - days(10),
        deadline_days=15,
    )
    _app("draft", r, applicant=c["resident"])
    _app("draft", r, applicant=c["resident"])
    _app("returned", r, applicant=c["resident"])
    _app("submitted", r, applicant=c["resident"])
    _app("supplement", r, applicant=c["org_user"], organization=orgs["assoc"])

    # supervision: the association's reports in three years, in three states
    def report(year, state, **kw):
        return AnnualReport.objects.create(
            organization=orgs["assoc"],
            year=year,
            state=state,
            org_kind="association",
            is_dual_managed=True,
            address_code=orgs["assoc"].address_code,
            authority_code=r["lixia"].code,
            bureau_deadline=dt.date(year + 1, 5, 31),
            supervisor_deadline=dt.date(year + 1, 4, 30),
            **kw,
        )

    report(2025, "draft")
    report(2024, "supervisor_review")
    report(2023, "submitted")
    report(2022, "concluded", conclusion="pass")

    # enforcement: complaints about 历下区 and 章丘区, one assigned to the street office
    _complaint(r, "submitted", due=TODAY + days(5))
    _complaint(r, "submitted", region="c_ms_village")
    _complaint(r, "investigating", due=TODAY - days(1), assignee=c["street"])
    _complaint(r, "replied")
    PenaltyCase.objects.create(
        number="CF1",
        state="proposed",
        organization=orgs["assoc"],
        title="未年检",
        basis_key="association",
    )
    PenaltyCase.objects.create(
        number="CF2",
        state="decided",
        organization=orgs["assoc"],
        title="违规收费",
        basis_key="association",
        service_due_on=TODAY + days(4),
    )
    PenaltyCase.objects.create(
        number="CF3",
        state="proposed",
        organization=orgs["far"],
        title="未年检",
        basis_key="association",
    )

    # stars: interviews in 历下区 (one assigned to the street office) and one in 章丘区
    for org, assignee, state in (
        (orgs["assoc"], None, "open"),
        (orgs["other"], c["street"], "rectifying"),
        (orgs["far"], None, "open"),
    ):
        InterviewTask.objects.create(
            organization=org,
            reason="low_monthly",
            detail="连续三个月低于6分",
            period=dt.date(2026, 10, 1),
            assignee=assignee,
            due_on=TODAY + days(10),
            state=state,
            rectification_due=TODAY + days(20) if state == "rectifying" else None,
        )

    # ratings: a district round at the objection stage, an expert's open task, a grade expiring
    rnd = Round.objects.create(
        name="2026年度历下区社会组织等级评估",
        year=2026,
        region=r["lixia"],
        kinds=["association"],
        state="scoring",
        created_by=c["district"],
    )
    rating_app = RatingApplication.objects.create(
        round=rnd,
        organization=orgs["assoc"],
        state="eligible",
        applied_on=TODAY,
        created_by=c["org_user"],
    )
    RatingApplication.objects.create(
        round=rnd,
        organization=orgs["other"],
        state="eligible",
        applied_on=TODAY,
        created_by=c["org_user_out"],
    )
    expert = Expert.objects.create(user=c["expert"], region=r["jinan"])
    RatingAssignment.objects.create(
        application=rating_app,
        expert=expert,
        assigned_by=c["district"],
        assigned_at=timezone.now(),
    )
    Objection.objects.create(
        application=rating_app,
        filed_by=c["org_user"],
        filed_on=TODAY,
        reasons="分数有误",
        due_on=TODAY + days(30),
    )
    Grade.objects.create(
        organization=orgs["assoc"],
        level="3A",
        awarded_on=dt.date(2022, 3, 1),
        valid_until=TODAY + days(60),
    )
    Grade.objects.create(
        organization=orgs["other"],
        level="4A",
        awarded_on=dt.date(2025, 3, 1),
        valid_until=dt.date(2030, 3, 1),
    )

    # notifications
    NotificationFactory.create_batch(3, recipient=c["district"])
    NotificationFactory(recipient=c["district"], read_at=timezone.now())
    return data


# --- every count equals a direct count, and stays in the user's scope -------------------------


def test_the_district_authority_counts_what_it_must_accept_decide_and_watch(cast, work):
    items = keyed(cast["district"])

    assert (
        items["registration.to_accept"].count
        == Application.objects.filter(
            state="submitted", authority_region__code__startswith="370102"
        )
        .exclude(kind="filing")
        .count()
        == 2
    )
    assert (
        items["registration.to_decide"].count
        == Application.objects.filter(
            state="reviewed", authority_region__code__startswith="370102"
        ).count()
        == 1
    )
    assert items["registration.to_decide"].due == TODAY + dt.timedelta(days=10)
    # Of the two in joint review only the one with 2 days left is close to its limit.
    assert items["registration.deadline_close"].count == 1
    assert items["registration.deadline_close"].urgency == Urgency.SOON
    assert items["registration.to_accept"].url == "/registration/applications/?state=submitted"


def test_a_bureau_of_another_district_sees_none_of_the_districts_applications(cast, work):
    items = keyed(cast["district_out"])

    assert items["registration.to_accept"].count == 1  # its own, in 章丘区
    assert "registration.to_decide" not in items
    assert "registration.deadline_close" not in items


def test_a_reviewing_department_counts_its_open_tasks_and_nobody_else_does(cast, work):
    assert (
        count_of(cast["reviewer"], "registration.review_tasks")
        == ReviewTask.objects.filter(department__members=cast["reviewer"], opinion="").count()
        == 1
    )
    assert keyed(cast["reviewer"])["registration.review_tasks"].due == TODAY + dt.timedelta(days=3)
    other = UserFactory(username="rev_other", role=Role.REVIEWER, region=cast["reviewer"].region)

    assert "registration.review_tasks" not in keyed(other)


def test_filings_wait_for_the_community_first_then_for_the_street(cast, work):
    assert count_of(cast["community"], "registration.filing_check") == 1
    assert (
        count_of(cast["street"], "registration.filing_decide")
        == Application.objects.filter(
            kind="filing", state="community_checked", address_code__startswith="370102001"
        ).count()
        == 1
    )
    # 明水街道 counts only the filing in its own village.
    assert count_of(cast["street_out"], "registration.filing_decide") == 1


def test_an_applicant_sees_their_drafts_returns_and_progress_and_nobody_elses(cast, work):
    items = keyed(cast["resident"])

    assert (
        items["registration.drafts"].count
        == Application.objects.filter(applicant=cast["resident"], state="draft").count()
        == 2
    )
    assert items["registration.returned"].count == 1
    assert items["registration.in_progress"].count == 1
    assert items["registration.in_progress"].urgency == Urgency.INFO
    assert "registration.drafts" not in keyed(work["resident_two"])


def test_an_organisation_counts_its_own_applications_sent_back_for_more_documents(cast, work):
    assert count_of(cast["org_user"], "registration.supplement") == 1
    assert count_of(cast["org_user_out"], "registration.supplement") == 0


def test_annual_reports_wait_on_the_organisation_its_supervisor_and_its_bureau(cast, work):
    assert count_of(cast["org_user"], "supervision.drafts") == 1
    assert keyed(cast["org_user"])["supervision.drafts"].due == dt.date(2026, 4, 30)
    assert keyed(cast["org_user"])["supervision.drafts"].urgency == Urgency.OVERDUE
    assert (
        count_of(cast["reviewer"], "supervision.first_review")
        == AnnualReport.objects.filter(state="supervisor_review").count()
        == 1
    )
    district = keyed(cast["district"])
    assert district["supervision.to_examine"].count == 1
    assert district["supervision.to_publish"].count == 1
    for outsider in ("org_user_out", "district_out", "qingdao"):
        items = keyed(cast[outsider])
        assert not {
            "supervision.drafts",
            "supervision.first_review",
            "supervision.to_examine",
            "supervision.to_publish",
        } & set(items)


def test_an_organisation_that_has_not_started_this_seasons_report_is_reminded(cast, work):
    # 历下区书法协会 (org_user_out's) is due for 2025 and has no report at all.
    item = keyed(cast["org_user_out"])["supervision.not_started"]

    assert item.count == 1
    assert item.due == dt.date(2026, 5, 31)
    assert "supervision.not_started" not in keyed(cast["org_user"])  # its 2025 report exists


def test_complaints_count_for_the_bureau_of_the_place_and_for_the_assignee_only(cast, work):
    district = keyed(cast["district"])
    street = keyed(cast["street"])

    assert (
        district["enforcement.complaints_to_accept"].count
        == Complaint.objects.filter(state="submitted", region_code__startswith="370102").count()
        == 1
    )
    assert district["enforcement.complaints_to_close"].count == 1
    assert street["enforcement.complaints_mine"].count == 1
    assert street["enforcement.complaints_mine"].urgency == Urgency.OVERDUE
    assert "enforcement.complaints_mine" not in district
    assert "enforcement.complaints_mine" not in keyed(cast["street_out"])
    assert keyed(cast["district_out"])["enforcement.complaints_to_accept"].count == 1  # 章丘区's


def test_penalty_cases_count_in_the_bureaus_region_only(cast, work):
    district = keyed(cast["district"])

    assert (
        district["enforcement.cases_proposed"].count
        == PenaltyCase.objects.filter(
            state="proposed", organization__address_code__startswith="370102"
        ).count()
        == 1
    )
    assert district["enforcement.cases_to_serve"].due == TODAY + dt.timedelta(days=4)
    assert keyed(cast["district_out"])["enforcement.cases_proposed"].count == 1  # 章丘区's
    assert "enforcement.cases_to_serve" not in keyed(cast["district_out"])
    assert not [k for k in keyed(cast["org_user"]) if k.startswith("enforcement.")]


def test_interviews_count_for_the_bureau_of_the_region_and_the_assignee(cast, work):
    district = keyed(cast["district"])

    assert (
        district["stars.interviews_open"].count
        == InterviewTask.objects.filter(
            state="open", organization__address_code__startswith="370102"
        ).count()
        == 1
    )
    assert district["stars.interviews_rectifying"].count == 1
    assert count_of(cast["street"], "stars.interviews_rectifying") == 1
    assert count_of(cast["street"], "stars.interviews_open") == 0
    assert count_of(cast["street_out"], "stars.interviews_rectifying") == 0
    assert count_of(cast["district_out"], "stars.interviews_open") == 1  # 章丘区's


def test_ratings_count_the_experts_tasks_the_rounds_objections_and_an_expiring_grade(cast, work):
    assert (
        count_of(cast["expert"], "ratings.scoring")
        == RatingAssignment.objects.filter(
            expert__user=cast["expert"], submitted_at__isnull=True
        ).count()
        == 1
    )
    objections = [k for k in keyed(cast["district"]) if k.startswith("ratings.objections.")]
    assert len(objections) == 1
    assert keyed(cast["district"])[objections[0]].count == 1
    assert keyed(cast["district"])[objections[0]].url.startswith("/ratings/rounds/")
    assert not [k for k in keyed(cast["district_out"]) if k.startswith("ratings.")]
    assert keyed(cast["org_user"])["ratings.expiring"].due == TODAY + dt.timedelta(days=60)
    assert "ratings.expiring" not in keyed(cast["org_user_out"])  # valid until 2030


def test_unread_notifications_are_the_users_own(cast, work):
    assert count_of(cast["district"], "notifications.unread") == 3
    assert count_of(cast["city"], "notifications.unread") == 0


def test_every_item_links_to_a_page_that_opens_for_its_user(client, cast, work):
    for role in (
        "city",
        "district",
        "street",
        "community",
        "reviewer",
        "org_user",
        "org_user_out",
        "expert",
        "resident",
    ):
        client.force_login(cast[role])
        for item in todos_for(cast[role]):
            response = client.get(item.url)
            assert response.status_code == 200, (role, item.key, item.url)


# --- a bounded number of queries ----------------------------------------------------------------


def _home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_the_home_page_costs_a_fixed_number_of_queries_whatever_the_data(client, cast, orgs):
    before = {role: _home_queries(client, cast[role]) for role in ("district", "org_user")}
    regions_code = orgs["assoc"].address_code
    for n in range(6):
        Complaint.objects.create(
            number=f"TSQ{n}",
            state="submitted",
            contact="1",
            category="fees",
            description="x",
            region_code=regions_code,
            received_on=TODAY,
            reply_due_on=TODAY,
            assignee=None,
        )
        org = OrganizationFactory(community=orgs["assoc"].community)
        grant(cast["org_user"], org, "own")
        InterviewTask.objects.create(
            organization=org,
            reason="low_monthly",
            detail="x",
            period=dt.date(2026, 10, 1),
            due_on=TODAY,
        )
    after = {role: _home_queries(client, cast[role]) for role in ("district", "org_user")}

    assert after == before


# Pinned (measured: bureaus 18, other roles 4-9): session and user, then each app's few
# aggregate queries; the menu costs none.
@pytest.mark.parametrize(
    ("role", "most"),
    [
        ("city", 20),
        ("district", 20),
        ("admin", 20),
        ("street", 10),
        ("community", 10),
        ("hub", 10),
        ("reviewer", 10),
        ("org_user", 10),
        ("inspector", 10),
        ("expert", 10),
        ("party", 10),
        ("resident", 10),
    ],
)
def test_the_home_page_query_count_is_pinned_per_role(client, cast, work, role, most):
    assert _home_queries(client, cast[role]) <= most


def test_home_for_keeps_things_the_user_only_follows_apart_from_the_work(cast, work):
    home = home_for(cast["resident"], today=TODAY)

    assert [row.item.key for row in home.following] == ["registration.in_progress"]
    assert "registration.in_progress" not in [row.item.key for row in home.rows]
    assert home.total == sum(row.item.count for row in home.rows) == 3
