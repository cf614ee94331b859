import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from npohub.core.errors import Conflict, PermissionDenied
from npohub.core.models import AuditEvent
from npohub.orgs.exports import template_workbook
from npohub.orgs.imports import (
    COMMUNITY_GROUP,
    GROUP_COLUMNS,
    REGISTERED,
    REGISTERED_COLUMNS,
    import_commit_request,
    import_start,
)
from npohub.orgs.imports.writing import fast_name_initials
from npohub.orgs.models import (
    FieldChange,
    ImportJob,
    ImportStatus,
    Kind,
    Organization,
    OrgRollup,
    Person,
)
from npohub.orgs.search import name_initials
from npohub.orgs.tests.factories import CommunityGroupFactory, make_uscc

pytestmark = pytest.mark.django_db

GROUP_HEADER = [
    "名称",
    "住所社区/村区划代码",
    "类别",
    "负责人",
    "负责人手机",
    "备案日期",
    "宗旨/活动内容",
]
REG_HEADER = [
    "组织类型",
    "名称",
    "统一社会信用代码",
    "类别",
    "登记管理机关区划代码",
    "住所社区/村区划代码",
    "住所",
    "法定代表人/负责人",
    "法定代表人身份证号",
    "注册资金（元）",
    "宗旨",
    "业务范围",
    "活动地域",
    "登记（备案）日期",
]


def xlsx(header, rows, name="orgs.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def group_row(name, community="370102001002", person="李娜", date="2023-04-01"):
    return [name, community, "文体活动", person, "13800000000", date, "组织居民开展文体活动"]


def reg_row(serial, name=None, community="370102001002", uscc=None, id_number="11010519491231002X"):
    return [
        "社会团体",
        name or f"历下区第{serial}社区服务协会",
        uscc or make_uscc("1", "370102", serial),
        "城乡社区服务",
        "370102",
        community,
        "济南市历下区解放路2号",
        "王芳",
        id_number,
        "30000",
        "服务社区",
        "社区服务",
        "历下区",
        "2021-06-01",
    ]


def upload(user, kind, file):
    return import_start(actor=user, kind=kind, upload=file)


def commit(user, job):
    job.refresh_from_db()
    return import_commit_request(actor=user, job=job)


def errors_at(job):
    return {(e["row"], e["column"]) for e in job.errors}


# --- Templates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, columns", [(REGISTERED, REGISTERED_COLUMNS), (COMMUNITY_GROUP, GROUP_COLUMNS)]
)
def test_the_template_has_the_chinese_headers_an_example_row_and_a_notes_sheet(
    regions, kind, columns
):
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(template_workbook(kind)))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == [c.header for c in columns]
    assert rows[1][0] or rows[1][1]
    assert workbook.sheet_names == ["组织信息", "填写说明"]


def test_an_untouched_template_imports_nothing_and_reports_nothing(cast, regions):
    file = SimpleUploadedFile("t.xlsx", template_workbook(COMMUNITY_GROUP))
    job = upload(cast["street"], COMMUNITY_GROUP, file)
    assert job.status == ImportStatus.PREVIEW and job.errors == []
    assert job.summary == {"create": 0, "update": 0, "unchanged": 0}


# --- Valid files ------------------------------------------------------------------------------


def test_a_valid_group_file_creates_exactly_n_groups_with_audit_and_rollups(cast, regions):
    rows = [group_row(f"解放桥社区第{i}舞蹈队") for i in range(5)]
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    assert job.status == ImportStatus.PREVIEW
    assert job.summary == {"create": 5, "update": 0, "unchanged": 0}
    assert not Organization.objects.exists()

    job = commit(cast["street"], job)

    assert job.status == ImportStatus.DONE
    assert Organization.objects.filter(kind=Kind.COMMUNITY_GROUP).count() == 5
    org = Organization.objects.get(name="解放桥社区第3舞蹈队")
    assert org.community == regions["c_jfq1"] and org.address_code == "370102001002"
    assert org.legal_representative.name == "李娜"
    assert org.registration_date == dt.date(2023, 4, 1)
    assert org.name_initials == name_initials(org.name)
    assert AuditEvent.objects.filter(kind="orgs.organization_created").count() == 5
    job_event = AuditEvent.objects.get(kind="orgs.import_committed")
    assert job_event.actor == cast["street"] and job_event.payload["create"] == 5
    rollup = OrgRollup.objects.get(
        region_code="370102001002", kind="community_group", status="active"
    )
    assert rollup.count == 5
    assert OrgRollup.objects.get(region_code="370100000000", kind="community_group").count == 5


def test_a_valid_registered_file_creates_associations_with_their_representatives(cast, regions):
    rows = [reg_row(1), reg_row(2, id_number="")]
    job = upload(cast["district"], REGISTERED, xlsx(REG_HEADER, rows))
    assert job.summary == {"create": 2, "update": 0, "unchanged": 0}, job.errors
    commit(cast["district"], job)
    assert Organization.objects.filter(kind=Kind.ASSOCIATION).count() == 2
    org = Organization.objects.get(uscc=make_uscc("1", "370102", 1))
    assert org.legal_representative.id_number == "11010519491231002X"
    assert Person.objects.count() == 2


def test_reimporting_the_same_file_is_a_no_op(cast, regions):
    rows = [group_row(f"解放桥社区第{i}舞蹈队") for i in range(3)]
    commit(cast["street"], upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows)))
    audit_before = AuditEvent.objects.filter(kind__startswith="orgs.organization").count()
    people_before = Person.objects.count()

    again = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    assert again.summary == {"create": 0, "update": 0, "unchanged": 3}
    again = commit(cast["street"], again)

    assert again.status == ImportStatus.DONE
    assert Organization.objects.count() == 3 and Person.objects.count() == people_before
    assert AuditEvent.objects.filter(kind__startswith="orgs.organization").count() == audit_before
    assert not FieldChange.objects.exists()


def test_a_changed_row_updates_the_organisation_and_keeps_field_history(cast, regions):
    commit(cast["district"], upload(cast["district"], REGISTERED, xlsx(REG_HEADER, [reg_row(1)])))
    changed = reg_row(1, name="历下区社区营造促进会")
    job = upload(cast["district"], REGISTERED, xlsx(REG_HEADER, [changed]))
    assert job.summary == {"create": 0, "update": 1, "unchanged": 0}
    commit(cast["district"], job)

    org = Organization.objects.get()
    assert org.name == "历下区社区营造促进会"
    assert org.former_names[0]["name"] == "历下区第1社区服务协会"
    change = FieldChange.objects.get(organization=org, field="name")
    assert change.old_value == "历下区第1社区服务协会"
    assert change.audit_event.kind == "orgs.organization_updated"
    assert change.audit_event.payload["fields"] == ["name"]


def test_a_group_matching_an_existing_one_by_name_and_community_is_updated(cast, regions):
    CommunityGroupFactory(name="解放桥社区舞蹈队", community=regions["c_jfq1"])
    job = upload(
        cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [group_row("解放桥社区舞蹈队")])
    )
    assert job.summary == {"create": 0, "update": 1, "unchanged": 0}


# --- Errors -----------------------------------------------------------------------------------


def test_each_kind_of_row_error_is_reported_with_its_row_and_column(cast, regions):
    bad_uscc = make_uscc("2", "370102", 9)  # position 2 says 民办非企业单位
    rows = [
        reg_row(1),
        reg_row(2, uscc=bad_uscc),
        reg_row(3, community="370102001999"),
        reg_row(1, name="另一个协会"),
        reg_row(4)[:1] + [""] + reg_row(4)[2:],
    ]
    job = upload(cast["district"], REGISTERED, xlsx(REG_HEADER, rows))

    assert job.status == ImportStatus.INVALID
    by_place = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "第2位" in by_place[(3, "统一社会信用代码")]
    assert "370102001999" in by_place[(4, "住所社区/村区划代码")]
    assert "第2行" in by_place[(5, "统一社会信用代码")]
    assert by_place[(6, "名称")] == "名称为必填项"
    assert job.error_count == 4


def test_unknown_headers_and_missing_required_columns_are_file_errors(cast, regions):
    header = ["名称", "类别", "备案日期", "颜色"]
    job = upload(
        cast["street"], COMMUNITY_GROUP, xlsx(header, [["舞蹈队", "文体活动", "2023-01-01", "红"]])
    )
    assert job.status == ImportStatus.INVALID
    messages = [e["message"] for e in job.errors]
    assert all(e["row"] is None for e in job.errors)
    assert any("颜色" in m for m in messages)
    assert any("住所社区/村区划代码" in m for m in messages)


def test_the_same_group_twice_in_a_file_is_a_duplicate(cast, regions):
    rows = [group_row("舞蹈队"), group_row("合唱团"), group_row("舞蹈队")]
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    assert errors_at(job) == {(4, "名称")}
    assert "第2行" in job.errors[0]["message"]


def test_a_name_already_used_by_another_registered_organisation_is_an_error(cast, regions, orgs):
    row = reg_row(5, name=orgs["assoc"].name)
    job = upload(cast["city"], REGISTERED, xlsx(REG_HEADER, [row]))
    assert errors_at(job) == {(2, "名称")}
    assert "已被其他登记组织使用" in job.errors[0]["message"]


def test_a_file_with_one_bad_row_commits_nothing(cast, regions):
    rows = [group_row(f"第{i}队") for i in range(4)] + [group_row("坏队", date="明天")]
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    assert errors_at(job) == {(6, "备案日期")}
    with pytest.raises(Conflict):
        commit(cast["street"], job)
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID


def test_a_row_outside_the_users_scope_is_a_row_error(cast, regions):
    rows = [group_row("舞蹈队"), group_row("明水舞蹈队", community="370114001201")]
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    assert errors_at(job) == {(3, "住所社区/村区划代码")}
    assert "辖区" in job.errors[0]["message"]
    assert not Organization.objects.exists()


def test_a_street_officer_imports_groups_in_their_street_but_not_registered_orgs(cast, regions):
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [group_row("舞蹈队")]))
    commit(cast["street"], job)
    assert Organization.objects.filter(kind=Kind.COMMUNITY_GROUP).count() == 1

    with pytest.raises(PermissionDenied):
        upload(cast["street"], REGISTERED, xlsx(REG_HEADER, [reg_row(1)]))
    assert not Organization.objects.registered().exists()
    assert ImportJob.objects.filter(kind=REGISTERED).count() == 0


def test_if_the_commit_fails_nothing_is_stored_and_the_job_is_marked_failed(
    cast, regions, monkeypatch
):
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [group_row("舞蹈队")]))

    def broken(events):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("npohub.orgs.imports.writing._insert_org_events", broken)
    job = commit(cast["street"], job)

    assert job.status == ImportStatus.FAILED and "磁盘已满" in job.message
    assert not Organization.objects.exists() and not Person.objects.exists()
    assert not OrgRollup.objects.exists()


def test_large_files_are_validated_and_committed_by_background_tasks(
    cast, regions, settings, django_capture_on_commit_callbacks
):
    settings.NPOHUB_IMPORT_SYNC_LIMIT = 2
    rows = [group_row(f"第{i}队") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW and job.processed_rows == 3
    with django_capture_on_commit_callbacks(execute=True):
        commit(cast["street"], job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Organization.objects.count() == 3


def test_fast_initials_match_the_search_initials():
    for name in [
        "历下区养老服务协会",
        "重庆路社区长者关爱中心",
        "解放桥社区第12舞蹈队",
        "乐山音乐协会",
    ]:
        assert fast_name_initials(name) == name_initials(name)


# --- Pages ------------------------------------------------------------------------------------


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_import_pages_show_the_preview_and_commit_on_confirm(cast, regions):
    client = signed_in(cast["street"])
    assert client.get("/orgs/imports/").status_code == 200
    response = client.post(
        "/orgs/imports/upload/",
        {"kind": COMMUNITY_GROUP, "file": xlsx(GROUP_HEADER, [group_row("舞蹈队")])},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orgs/imports/{job.pk}/"
    page = client.get(f"/orgs/imports/{job.pk}/").content.decode()
    assert "确认导入" in page and 'id="count-create">1<' in page
    client.post(f"/orgs/imports/{job.pk}/commit/")
    assert Organization.objects.count() == 1


def test_the_job_page_lists_errors_by_row_and_column(cast, regions):
    client = signed_in(cast["street"])
    client.post(
        "/orgs/imports/upload/",
        {
            "kind": COMMUNITY_GROUP,
            "file": xlsx(GROUP_HEADER, [group_row("队", community="370102001999")]),
        },
    )
    job = ImportJob.objects.get()
    page = client.get(f"/orgs/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "未知的社区/村代码" in page and "住所社区/村区划代码" in page and ">2<" in page
    assert "确认导入" not in page


def test_another_users_job_is_not_found_and_cannot_be_committed(cast, regions):
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [group_row("舞蹈队")]))
    other = signed_in(cast["district"])
    assert other.get(f"/orgs/imports/{job.pk}/").status_code == 404
    assert other.post(f"/orgs/imports/{job.pk}/commit/").status_code == 404
    assert not Organization.objects.exists()
    assert signed_in(cast["admin"]).get(f"/orgs/imports/{job.pk}/").status_code == 200


def test_the_template_downloads_as_xlsx(cast, regions):
    response = signed_in(cast["district"]).get("/orgs/imports/template/registered.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_menu_shows_the_import_item_only_to_importers(cast, regions):
    from npohub.core.navigation import menu_for

    assert "imports:home" in {i["name"] for i in menu_for(cast["street"])}
    assert "imports:home" not in {i["name"] for i in menu_for(cast["hub"])}
    assert signed_in(cast["hub"]).get("/orgs/imports/").status_code == 404


# --- The fast write path (bulk.py) ------------------------------------------------------------


def test_fast_initials_match_the_search_initials_for_mixed_names():
    import random

    pieces = [
        "解放桥",
        "社区",
        "第12",
        "舞蹈队",
        "ABC",
        "乐山",
        "重庆",
        "长者",
        "〇",
        "·",
        " ",
        "-",
        "银行",
    ]
    generator = random.Random(7)
    for _ in range(300):
        name = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 6)))
        assert fast_name_initials(name) == name_initials(name), name


def test_insert_rows_stores_the_same_values_the_orm_reads_back(cast, regions):
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from npohub.orgs import bulk

    now = timezone.now()
    fields = ("kind", "name", "uscc", "registered_funds", "registration_date", "is_charity")
    rows = [
        (
            "association",
            "甲协会",
            make_uscc("1", "370102", 71),
            Decimal("30000.00"),
            dt.date(2021, 6, 1),
            True,
        ),
        ("community_group", "乙队", None, None, None, False),
    ]
    with transaction.atomic():
        ids = bulk.insert_rows(
            Organization,
            fields,
            rows,
            constants={"address_code": "370102001002", "created_at": now, "updated_at": now},
        )
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    stored = list(Organization.objects.filter(pk__in=ids).order_by("pk").values_list(*fields))
    assert stored == rows
    first = Organization.objects.get(pk=ids[0])
    assert first.created_at == now and first.former_names == [] and first.status == "active"
    assert first.management_level == "county" and first.phone == ""
    # The next ORM insert continues after the explicitly assigned ids.
    assert CommunityGroupFactory(community=regions["c_jfq1"]).pk > ids[1]


def _search_docs():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT org_id, body FROM orgs_search_doc ORDER BY org_id")
        return cursor.fetchall()


def test_imported_groups_are_in_the_search_index_exactly_as_the_trigger_would_put_them(
    cast, regions
):
    from django.db import connection

    from npohub.orgs import bulk
    from npohub.orgs.search import apply_search

    if connection.vendor == "sqlite":
        # The set-based refresh must stay in step with the search triggers: when this fails,
        # the search migrations changed and npohub/orgs/bulk.py needs the new statements.
        assert bulk.search_index_can_defer()
    rows = [group_row("解放桥社区4号舞蹈队"), group_row("Abc合唱团")] + [
        group_row(f"第{i}长者关爱小组") for i in range(3)
    ]
    commit(cast["street"], upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows)))
    imported = _search_docs()
    assert len(imported) == 5

    # Re-run the trigger on every row: the index must not change.
    Organization.objects.update(name_initials="x")
    for org in Organization.objects.all():
        Organization.objects.filter(pk=org.pk).update(name_initials=name_initials(org.name))
    assert _search_docs() == imported

    every = Organization.objects.all()
    assert apply_search(every, "舞蹈队").get().name == "解放桥社区4号舞蹈队"
    assert apply_search(every, "abc").get().name == "Abc合唱团"
    assert apply_search(every, "长者").count() == 3
    assert apply_search(every, "zzga").count() == 3  # pinyin initials of 长者关爱
    # The insert trigger is back: an organisation added afterwards is indexed too.
    CommunityGroupFactory(name="新的舞蹈队", community=regions["c_jfq1"])
    assert apply_search(Organization.objects.all(), "舞蹈队").count() == 2


def test_a_failed_commit_leaves_the_search_index_and_its_trigger_as_they_were(
    cast, regions, monkeypatch
):
    from npohub.orgs import bulk

    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [group_row("舞蹈队")]))

    def broken(rows):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("npohub.orgs.imports.writing._insert_org_events", broken)
    job = commit(cast["street"], job)

    assert job.status == ImportStatus.FAILED
    assert not Organization.objects.exists() and _search_docs() == []
    CommunityGroupFactory(name="后来的舞蹈队", community=regions["c_jfq1"])
    assert len(_search_docs()) == 1
    from django.db import connection

    if connection.vendor == "sqlite":
        assert bulk.search_index_can_defer()


def test_a_group_file_with_repeated_rows_keeps_each_rows_own_name_and_errors(cast, regions):
    rows = [group_row(f"第{i}队") for i in range(4)]
    rows += [
        group_row("", date="2023-04-01"),
        group_row("x" * 201),
        group_row("第9队", date="明天"),
    ]
    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows))
    by_place = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert by_place == {
        (6, "名称"): "名称为必填项",
        (7, "名称"): "名称不能超过200个字符",
        (8, "备案日期"): "日期“明天”无法识别，请用 2024-03-01 格式",
    }
    good = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, rows[:4]))
    commit(cast["street"], good)
    assert sorted(Organization.objects.values_list("name", flat=True)) == [
        f"第{i}队" for i in range(4)
    ]
    assert {o.name_initials for o in Organization.objects.all()} == {"dd"}


def test_choices_are_accepted_by_value_label_or_label_before_the_bracket(regions):
    from npohub.orgs.validation import OrganizationInput, clean_organization

    base = {
        "kind": "备案社区社会组织",
        "name": "舞蹈队",
        "community_code": "370102001002",
        "registration_date": "2023-04-01",
    }
    for level, expected in [("县（区）级", "county"), ("县", "county"), ("street", "street")]:
        cleaned, errors = clean_organization(OrganizationInput(**base, management_level=level))
        assert errors == {} and cleaned.management_level == expected
    cleaned, errors = clean_organization(OrganizationInput(**base, status="活动异常"))
    assert cleaned.status == "abnormal" and cleaned.kind == "community_group"
    _, errors = clean_organization(OrganizationInput(**base, status="冻结"))
    assert errors == {"status": "状态“冻结”无效"}


def test_the_decision_reads_every_field_an_import_can_set(cast, regions):
    from npohub.orgs.imports.plan import DESIRED_FIELDS, _desired_values
    from npohub.orgs.validation import OrganizationInput, clean_organization

    cleaned, _ = clean_organization(
        OrganizationInput(
            kind="community_group",
            name="舞蹈队",
            community_code="370102001002",
            registration_date="2023-04-01",
        )
    )
    assert tuple(_desired_values(cleaned)) == DESIRED_FIELDS
