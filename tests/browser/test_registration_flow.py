"""One establishment application (成立登记) walked through the pages in a real browser.

A founder fills the form (it changes with the organisation kind and category), uploads the
documents, saves a draft and submits; the bureau accepts (the statutory clock starts); three
routed departments review in parallel, each in its own browser; one asks for more material
(补正), which pauses the clock; the founder uploads and resubmits, the clock resumes and that
department agrees; the bureau approves; the new association is in the registry; its certificate
PDF downloads and the verification page its QR code points at says it is current, and void once
voided. Only the set-up (regions, users, departments, routes) and the passing of time (dates
moved back, as the clock counts calendar days) are done outside the browser.
Screenshots go to test-artifacts/registration-*.png.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.models import Category, Organization, Status
from npohub.regions.tests.factories import jinan_tree
from npohub.registration import services
from npohub.registration.certificates import certificate_verify_path
from npohub.registration.models import Application, Certificate, Department, ReviewRoute

from .conftest import open_menu_item
from .test_smoke import watch_errors

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pass-Word-123"
ORG_NAME = "历下区社区邻里互助协会"
VIEWPORT = {"width": 1400, "height": 900}


def small_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with a line of text (offsets computed, so readers accept it)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def world():
    r = jinan_tree()
    for code, name, direct in (
        ("community_service", "城乡社区服务", True),
        ("culture_sports", "文化体育", False),
    ):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "is_direct_registration": direct}
        )
    community = Category.objects.get(code="community_service")
    users = {
        "founder": UserFactory(username="founder", role=Role.ORG_USER, region=r["lixia"]),
        "bureau": UserFactory(username="bureau", role=Role.DISTRICT_BUREAU, region=r["lixia"]),
        "approval": UserFactory(username="rev_approval", role=Role.REVIEWER, region=r["lixia"]),
        "party": UserFactory(username="rev_party", role=Role.REVIEWER, region=r["lixia"]),
        "civil": UserFactory(username="rev_civil", role=Role.REVIEWER, region=r["jinan"]),
        "outsider": UserFactory(username="rev_other", role=Role.REVIEWER, region=r["jinan"]),
    }
    departments = {
        "approval": Department.objects.create(
            name="历下区行政审批服务局", kind="approval", region=r["lixia"]
        ),
        "party": Department.objects.create(
            name="历下区社会组织综合党委", kind="party", region=r["lixia"]
        ),
        "civil": Department.objects.create(
            name="济南市民政局社会组织管理局", kind="civil_affairs", region=r["jinan"]
        ),
        # Routed for another category only: must not get a task.
        "culture": Department.objects.create(
            name="历下区文化和旅游局", kind="industry", region=r["lixia"]
        ),
    }
    for key in ("approval", "party", "civil"):
        departments[key].members.add(users[key])
    departments["culture"].members.add(users["outsider"])
    # Two departments review every establishment, the third this category only.
    ReviewRoute.objects.create(application_kind="establishment", department=departments["approval"])
    ReviewRoute.objects.create(application_kind="establishment", department=departments["party"])
    ReviewRoute.objects.create(
        application_kind="establishment", category=community, department=departments["civil"]
    )
    ReviewRoute.objects.create(
        application_kind="establishment",
        category=Category.objects.get(code="culture_sports"),
        department=departments["culture"],
    )
    return {"regions": r, "users": users, "departments": departments}


class Walk:
    """Browser contexts per person, screenshots numbered in order, errors collected."""

    def __init__(self, browser, base: str, artifacts, prefix: str = "registration") -> None:
        self.browser = browser
        self.prefix = prefix
        self.base = base
        self.artifacts = artifacts
        self.errors: list[str] = []
        self.step = 0
        self.contexts: list = []

    def anonymous(self):
        context = self.browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        self.errors += watch_errors(page)
        return page

    def login(self, username: str):
        page = self.anonymous()
        page.goto(self.base + reverse("accounts:login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login" not in page.url, username
        return page

    def shot(self, page, name: str) -> None:
        self.step += 1
        path = self.artifacts / f"{self.prefix}-{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def pick_region(page, field: str, search: str, name: str, *, redraws: bool = False) -> None:
    """Choose a unit with the region picker: open it, search by name, click the result.

    The search box arrives with the opened panel; typing before htmx has wired it up would be
    lost (a person cannot type that fast), so the search is typed again until results come.
    """
    settle(page)
    picker = page.locator(f"#region-picker-{field}")
    picker.locator("button", has_text="选择").first.click()
    box = picker.locator("input[type=search]")
    option = picker.locator(".region-picker-list button[role=option]", has_text=name).first
    for _attempt in range(10):
        box.fill("")
        box.press_sequentially(search, delay=30)
        try:
            option.wait_for(timeout=1_500)
            break
        except Exception:  # noqa: BLE001 - not wired yet: type again
            continue
    # Choosing the registering authority redraws the form (after a short delay): wait for it.
    body = page.locator("#application-form-body").element_handle() if redraws else None
    option.click()
    page.locator(f"#region-picker-{field} .region-picker-current", has_text=name).wait_for()
    if body is not None:
        page.wait_for_function("el => !el.isConnected", arg=body)
    settle(page)


def settle(page) -> None:
    """Wait until htmx has no request, swap or settle in progress (a redraw of the form)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def choose(page, selector: str, value: str) -> None:
    """Choose an option of a select that redraws the form, and wait for the redraw."""
    body = page.locator("#application-form-body").element_handle()
    page.locator(selector).select_option(value)
    page.wait_for_function("el => !el.isConnected", arg=body)
    settle(page)


def upload(page, kind_label: str, filename: str, tmp_path) -> None:
    path = tmp_path / filename
    path.write_bytes(small_pdf(filename))
    form = page.locator("#attachments form.inline-form")
    form.locator("select[name=kind]").select_option(label=kind_label)
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.locator("#attachments table", has_text=filename).wait_for()


def move(page, label: str, note: str = "") -> None:
    """Press one of the workflow buttons in the side panel (with its reason when needed)."""
    form = page.locator(
        "#actions form.reg-action", has=page.get_by_role("button", name=label, exact=True)
    )
    if note:
        form.locator("textarea").fill(note)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def clock_text(page) -> str:
    return " ".join(page.locator("aside.reg-side section.card").first.inner_text().split())


def test_an_establishment_goes_through_joint_review_to_a_verifiable_certificate(
    live_server, browser, world, artifacts_dir, tmp_path
):
    base = live_server.url
    walk = Walk(browser, base, artifacts_dir)
    departments = world["departments"]
    try:
        # --- the founder fills the form, which changes with the kind and the category -----
        founder = walk.login("founder")
        open_menu_item(founder, "登记申请")
        founder.wait_for_url("**/registration/applications/")
        founder.get_by_role("link", name="新的申请").first.click()
        founder.get_by_role("link", name="成立登记").click()
        founder.wait_for_url("**kind=establishment**")
        form = founder.locator("#application-form")
        assert form.locator("#id_individual_members").is_visible()  # an association by default
        # A foundation asks for its original fund and its type, not for members.
        choose(founder, "#id_org_kind", "foundation")
        form.locator("#id_foundation_type").wait_for()
        assert form.locator("#id_individual_members").count() == 0
        assert "原始基金" in form.inner_text()
        choose(founder, "#id_org_kind", "association")
        form.locator("#id_individual_members").wait_for()
        assert form.locator("#id_foundation_type").count() == 0
        pick_region(founder, "authority_code", "历下", "历下区", redraws=True)
        # A category under a supervisory unit asks for it; a direct one does not (rule 10).
        choose(founder, "#id_category_code", "culture_sports")
        form.locator("#id_supervisory_department").wait_for()
        walk.shot(founder, "form-dual-category")
        choose(founder, "#id_category_code", "community_service")
        assert form.locator("#id_supervisory_department").count() == 0
        fill = {
            "name": ORG_NAME,
            "address": "济南市历下区解放路 100 号",
            "phone": "0531-86000000",
            "legal_representative_name": "王建国",
            "legal_representative_id_number": "11010519491231002X",
            "legal_representative_phone": "13800000000",
            "registered_funds": "50000",
            "individual_members": "60",
            "unit_members": "0",
            "purpose": "服务社区居民，促进邻里互助",
            "business_scope": "邻里互助、志愿服务、社区活动",
            "activity_area": "历下区",
        }
        for name, value in fill.items():
            form.locator(f"[name={name}]").fill(value)
        pick_region(founder, "community_code", "解放桥", "解放桥社区居民委员会")
        walk.shot(founder, "form-filled")
        with founder.expect_navigation():
            form.get_by_role("button", name="保存草稿").click()
        founder.wait_for_url("**/registration/applications/*/")
        assert "已保存申请草稿" in founder.content()
        app = Application.objects.get(name=ORG_NAME)
        assert app.state == "draft"
        assert app.category.code == "community_service" and app.is_direct
        assert app.data["individual_members"] == 60
        detail_url = founder.url

        for label, filename in (
            ("申请书", "application.pdf"),
            ("章程（草案）", "articles.pdf"),
            ("住所证明", "premises.pdf"),
            ("负责人身份证明", "identity.pdf"),
            ("验资报告/资金证明", "capital.pdf"),
        ):
            upload(founder, label, filename, tmp_path)
        assert app.attachments.count() == 5
        founder.reload()
        assert founder.locator("#attachments .reg-checklist li.missing").count() == 0
        walk.shot(founder, "draft-with-documents")
        move(founder, "提交申请")
        app.refresh_from_db()
        assert app.state == "submitted"
        assert "已提交待受理" in founder.locator("h1").inner_text()

        # --- the bureau accepts: the statutory clock starts ------------------------------
        bureau = walk.login("bureau")
        bureau.goto(base + reverse("registration:application-list"))
        bureau.get_by_role("link", name=ORG_NAME).first.click()
        bureau.wait_for_url(detail_url)
        move(bureau, "受理（材料齐全）")
        app.refresh_from_db()
        assert app.state == "in_review" and app.accepted_on == timezone.localdate()
        assert app.review_tasks.count() == 3
        assert "60 天" in clock_text(bureau)
        walk.shot(bureau, "accepted-clock-started")

        # --- three departments review in parallel, each in its own browser --------------
        # The clock has run ten days by now.
        ten_days_ago = timezone.localdate() - dt.timedelta(days=10)
        Application.objects.filter(pk=app.pk).update(accepted_on=ten_days_ago)
        reviewers = {}
        for key in ("approval", "party", "civil"):
            page = walk.login(f"rev_{key}")
            open_menu_item(page, "联审任务")
            page.wait_for_url("**/registration/reviews/")
            row = page.locator("tbody tr", has_text=ORG_NAME)
            assert row.count() == 1
            assert departments[key].name in row.inner_text()
            row.get_by_role("link", name=ORG_NAME).click()
            page.wait_for_url("**/registration/reviews/*/")
            reviewers[key] = page
        walk.shot(reviewers["civil"], "review-task-open")
        other = walk.login("rev_other")
        other.goto(base + reverse("registration:review-list"))
        assert ORG_NAME not in other.locator("table").inner_text()

        def opinion(key: str, label: str, reasons: str = "") -> None:
            page = reviewers[key]
            page.get_by_label(label, exact=True).check()
            if reasons:
                page.locator("textarea[name=reasons]").fill(reasons)
            with page.expect_navigation():
                page.get_by_role("button", name="提交意见").click()
            page.wait_for_url("**/registration/reviews/")
            assert "已提交" in page.content()

        # The department asking for material attaches its list of what is missing.
        checklist = tmp_path / "checklist.pdf"
        checklist.write_bytes(small_pdf("checklist"))
        task_files = reviewers["civil"].locator("#task-attachments")
        task_files.locator("input[type=file]").set_input_files(str(checklist))
        task_files.get_by_role("button", name="上传附件").click()
        reviewers["civil"].locator("#task-attachments a", has_text="checklist.pdf").wait_for()

        # All three forms are open; the first two opinions leave the application in review.
        opinion("civil", "需补正材料", "请补充会员名单（含 60 名个人会员的签名）")
        opinion("approval", "同意")
        app.refresh_from_db()
        assert app.state == "in_review"
        walk.shot(reviewers["approval"], "review-inbox-after-opinion")
        opinion("party", "同意")
        app.refresh_from_db()
        assert app.state == "supplement" and app.paused_since == timezone.localdate()

        # --- 补正: the founder sees why and that the clock stands still --------------------
        four_days_ago = timezone.localdate() - dt.timedelta(days=4)
        Application.objects.filter(pk=app.pk).update(paused_since=four_days_ago)
        founder.goto(detail_url)
        assert "补正材料中" in founder.locator("h1").inner_text()
        assert "请补充会员名单" in founder.locator(".notice").first.inner_text()
        clock = clock_text(founder)
        assert "暂停" in clock and "自" in clock and "起暂停计时" in clock
        assert "已暂停 4 天" in clock and "恢复计时后剩 54 天" in clock
        review_panel = founder.locator("#review-panel").inner_text()
        for key in ("approval", "party", "civil"):
            assert departments[key].name in review_panel
        assert "checklist.pdf" in review_panel  # the department's attachment, for the applicant
        walk.shot(founder, "supplement-clock-paused")
        upload(founder, "会员名单", "members.pdf", tmp_path)
        founder.reload()
        move(founder, "提交补正材料")
        app.refresh_from_db()
        assert app.state == "in_review" and app.paused_since is None and app.paused_days == 4
        assert app.review_round == 2
        # 60 days from acceptance ten days ago, plus the four paused days: 54 days left.
        clock = clock_text(founder)
        assert "54 天" in clock and "起暂停计时" not in clock and "已暂停 4 天" in clock
        walk.shot(founder, "supplement-resubmitted-clock-resumes")

        # Only the department that asked reviews again.
        for key in ("approval", "party"):
            page = reviewers[key]
            page.reload()
            assert ORG_NAME not in page.locator("table").inner_text()
        civil = reviewers["civil"]
        civil.reload()
        civil.get_by_role("link", name=ORG_NAME).first.click()
        civil.wait_for_url("**/registration/reviews/*/")
        assert "members.pdf" in civil.content()
        reviewers["civil"] = civil
        opinion("civil", "同意")
        app.refresh_from_db()
        assert app.state == "reviewed"

        # --- the bureau approves: the association is in the registry ---------------------
        bureau.goto(detail_url)
        walk.shot(bureau, "reviewed-ready-to-approve")
        move(bureau, "核准")
        app.refresh_from_db()
        assert app.state == "approved"
        org = Organization.objects.get(name=ORG_NAME)
        assert org.status == Status.ACTIVE and org.uscc and app.organization_id == org.pk
        assert "已核准" in bureau.locator("h1").inner_text()
        walk.shot(bureau, "approved")
        bureau.goto(base + reverse("orgs:organization-list") + "?q=邻里互助")
        bureau.get_by_role("link", name=ORG_NAME).first.wait_for()

        # --- the founder (now the organisation's account) downloads the certificate -----
        founder.goto(detail_url)
        assert org.uscc in founder.content()
        cert = Certificate.objects.get(organization=org)
        # The verification address the QR code encodes (absolute: built from the request).
        verify_href = founder.get_by_role("link", name="核验证书").get_attribute("href")
        assert verify_href == base + certificate_verify_path(cert)
        founder.locator(".notice-ok").get_by_role("link", name=ORG_NAME).click()
        founder.wait_for_url(f"**{reverse('orgs:organization-detail', args=[org.pk])}")
        walk.shot(founder, "registry-record")
        href = founder.get_by_role("link", name="下载登记证书").get_attribute("href")
        assert href == reverse("certificates:current-pdf", args=[org.pk])
        response = founder.context.request.get(base + href)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        body = response.body()
        assert body.startswith(b"%PDF") and len(body) > 5_000

        # --- anyone opens the verification page: current, then void ---------------------
        page = walk.anonymous()
        page.goto(verify_href)
        result = page.locator("#verify-result")
        assert result.get_attribute("data-status") == "valid"
        assert "有效" in result.inner_text() and ORG_NAME in page.content()
        walk.shot(page, "verify-current")

        services.certificate_void(org=org, today=timezone.localdate(), reason="测试作废")
        page.reload()
        result = page.locator("#verify-result")
        assert result.get_attribute("data-status") == "void"
        assert "已作废" in result.inner_text() and "测试作废" in page.content()
        walk.shot(page, "verify-void")
    finally:
        walk.close()
    assert walk.errors == []
