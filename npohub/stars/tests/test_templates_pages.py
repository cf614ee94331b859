"""Pages of the monthly scorecard templates: the list, a new version with its items table,
putting a version back in force or stopping it; bad rows named and nothing stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from npohub.core.models import AuditEvent
from npohub.stars import services
from npohub.stars.models import ScorecardItem, ScorecardTemplate
from npohub.stars.selectors import template_for

pytestmark = pytest.mark.django_db

LIST = reverse("stars:template-list")
CREATE = reverse("stars:template-create")
LIXIA = "370102000000"


def state():
    """Everything a refused request must leave as it was."""
    return (
        list(ScorecardTemplate.objects.order_by("pk").values_list("pk", "is_active")),
        ScorecardItem.objects.count(),
        AuditEvent.objects.filter(kind__startswith="stars.").count(),
    )


def post_data(rows, *, name="历下区月度评分表", region="370102", **extra):
    """The create form with ``rows`` as (order, name, points, guidance[, party[, delete]])."""
    data = {
        "name": name,
        "region_code": region,
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        **extra,
    }
    for index, row in enumerate(rows):
        order, item, points, guidance, *flags = row
        prefix = f"items-{index}-"
        data.update(
            {
                f"{prefix}sort_order": order,
                f"{prefix}name": item,
                f"{prefix}max_points": points,
                f"{prefix}guidance": guidance,
            }
        )
        if flags and flags[0]:
            data[f"{prefix}is_party_building"] = "on"
        if len(flags) > 1 and flags[1]:
            data[f"{prefix}DELETE"] = "on"
    return data


GOOD_ROWS = [
    ("2", "工作计划", "3", "按月报送计划"),
    ("1", "党建工作", "3", "三会一课", True),
    ("3", "卫生清洁", "4", ""),
]


def lixia_template(actor, name="历下区月度评分表", points=("4", "6")):
    return services.scorecard_template_create(
        actor=actor,
        name=name,
        region_code="370102",
        items=[
            services.ItemInput("plan", "工作计划", Decimal(points[0])),
            services.ItemInput("hygiene", "卫生清洁", Decimal(points[1])),
        ],
    )


def default_template():
    return ScorecardTemplate.objects.get(region_code="", is_active=True)


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_each_version_with_its_locality_items_points_and_total(client, cast):
    lixia_template(cast["district"])
    client.force_login(cast["city"])
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "社会组织月度规范评分表" in html
    assert "全部地区（默认）" in html
    assert "历下区（370102）" in html
    for name in ("党建工作", "工作计划", "开展活动", "台账资料", "活动场所", "卫生清洁"):
        assert name in html
    assert html.count("使用中") == 2
    assert "10.0" in html


def test_hub_staff_see_the_scorecards_but_no_button_to_change_them(client, cast):
    lixia_template(cast["district"])
    client.force_login(cast["hub"])
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "历下区月度评分表" in html
    assert "新建评分表" not in html
    assert "复制为新版本" not in html
    assert "停用</button>" not in html


def test_an_organisation_account_cannot_open_the_scorecard_settings(client, cast):
    client.force_login(cast["org_user"])
    assert client.get(LIST).status_code == 404
    assert client.get(CREATE).status_code == 404


def test_the_menu_links_the_settings_for_staff_only(client, cast):
    client.force_login(cast["district"])
    assert LIST in client.get(reverse("stars:award-list")).content.decode()
    client.force_login(cast["org_user"])
    assert LIST not in client.get(reverse("stars:award-list")).content.decode()


# --- a new version -------------------------------------------------------------------------------


def test_a_district_bureau_creates_its_scorecard_with_rows_in_the_given_order(client, cast):
    client.force_login(cast["district"])
    response = client.post(CREATE, post_data(GOOD_ROWS))
    assert response.status_code == 302
    assert response["Location"] == LIST
    template = ScorecardTemplate.objects.get(region_code="370102")
    assert template.is_active
    items = list(template.items.order_by("sort_order"))
    assert [(i.name, i.max_points, i.sort_order) for i in items] == [
        ("党建工作", Decimal("3.0"), 1),
        ("工作计划", Decimal("3.0"), 2),
        ("卫生清洁", Decimal("4.0"), 3),
    ]
    assert [i.code for i in items] == ["item1", "item2", "item3"]
    assert [i.is_party_building for i in items] == [True, False, False]
    assert items[0].guidance == "三会一课"
    assert template_for(LIXIA) == template
    assert default_template().is_active
    event = AuditEvent.objects.get(kind="stars.template_created")
    assert event.actor == cast["district"]


def test_the_new_page_offers_the_bureaus_own_region_and_the_districts_below_it(client, cast):
    client.force_login(cast["city"])
    html = client.get(CREATE).content.decode()
    assert 'value="3701"' in html
    assert 'value="370102"' in html
    assert 'value="370114"' in html
    assert 'value="3702"' not in html
    assert 'value=""' not in html.split('name="region_code"')[1].split("</select>")[0]


def test_copying_a_version_fills_the_table_with_its_items_and_keeps_their_codes(client, cast):
    client.force_login(cast["city"])
    source = default_template()
    response = client.get(CREATE, {"from": source.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "以“社会组织月度规范评分表”为基础的新版本" in html
    assert 'name="items-TOTAL_FORMS" value="6"' in html
    assert 'value="党建工作"' in html
    assert 'name="items-0-code" value="party"' in html
    assert (
        'name="items-0-is_party_building" aria-label="党建项目" id="id_items-0-is_party_building" checked'
        in html
    )


def test_a_copy_saved_with_one_row_changed_and_one_deleted_becomes_the_localitys_version(
    client, cast
):
    client.force_login(cast["city"])
    rows = [
        ("1", "党建工作", "2.5", "三会一课", True),
        ("2", "工作计划", "2", ""),
        ("3", "开展活动", "3", ""),
        ("4", "台账资料", "2.5", ""),
        ("5", "活动场所", "1.5", "", False, True),
    ]
    data = post_data(rows, name="济南市月度评分表", region="3701")
    for index, code in enumerate(["party", "plan", "activities", "records", "premises"]):
        data[f"items-{index}-code"] = code
    response = client.post(CREATE, data)
    assert response.status_code == 302
    template = ScorecardTemplate.objects.get(region_code="3701")
    assert list(template.items.values_list("code", "max_points")) == [
        ("party", Decimal("2.5")),
        ("plan", Decimal("2.0")),
        ("activities", Decimal("3.0")),
        ("records", Decimal("2.5")),
    ]


def test_adding_a_row_shows_one_more_empty_row_and_stores_nothing(client, cast):
    client.force_login(cast["district"])
    before = state()
    response = client.post(CREATE, post_data(GOOD_ROWS[:1], add_row="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="items-TOTAL_FORMS" value="2"' in html
    assert 'name="items-1-name"' in html
    assert 'value="工作计划"' in html
    assert "未能保存" not in html
    assert state() == before


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("1", "工作计划", "5", ""), ("2", "开展活动", "4", "")],
            "各评分项目分值须为正数且合计10分（现为9分）",
        ),
        (
            [("1", "工作计划", "5", ""), ("2", "", "5", "按时报送")],
            "第2项：请填写评分项目名称",
        ),
        (
            [("1", "工作计划", "-1", ""), ("2", "开展活动", "11", "")],
            "第1项“工作计划”：分值须大于0（现为-1）",
        ),
        (
            [("1", "工作计划", "5", ""), ("2", "工作计划", "5", "")],
            "第2项“工作计划”：与第1项重名",
        ),
        (
            [("1", "工作计划", "5.25", ""), ("2", "开展活动", "4.75", "")],
            "第1项“工作计划”：分值最多保留一位小数",
        ),
        (
            [("1", "工作计划", "五", ""), ("2", "开展活动", "5", "")],
            "第1项“工作计划”：分值不是有效的数字",
        ),
    ],
    ids=["total", "empty-name", "negative", "duplicate", "decimals", "not-a-number"],
)
def test_a_bad_table_is_refused_with_the_row_named_and_nothing_stored(client, cast, rows, message):
    client.force_login(cast["district"])
    before = state()
    response = client.post(CREATE, post_data(rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before


def test_a_refused_row_is_marked_in_the_table_in_the_order_it_was_numbered(client, cast):
    client.force_login(cast["district"])
    rows = [("2", "开展活动", "5", ""), ("1", "工作计划", "0", "")]
    response = client.post(CREATE, post_data(rows))
    html = response.content.decode()
    assert "第1项“工作计划”：分值须大于0（现为0）" in html
    first_row = html.split('name="items-0-name"')[1][:40]
    assert 'value="工作计划"' in first_row
    assert '<tr class="has-error">' in html


def test_a_table_with_no_rows_is_refused(client, cast):
    client.force_login(cast["district"])
    before = state()
    response = client.post(CREATE, post_data([("", "", "", "")]))
    assert "请至少填写一个评分项目" in response.content.decode()
    assert state() == before


def test_a_bad_order_number_names_its_row(client, cast):
    client.force_login(cast["district"])
    before = state()
    response = client.post(
        CREATE, post_data([("1", "工作计划", "5", ""), ("x", "开展活动", "5", "")])
    )
    assert "第2项：排序：输入整数。" in response.content.decode()
    assert state() == before


def test_an_empty_scorecard_name_is_refused(client, cast):
    client.force_login(cast["district"])
    before = state()
    response = client.post(CREATE, post_data(GOOD_ROWS, name=" "))
    assert response.status_code == 200
    html = response.content.decode()
    assert "请修正下面标出的错误后再提交。" in html
    assert "这个字段是必填项。" in html
    assert state() == before


# --- who may ------------------------------------------------------------------------------------


def test_another_districts_bureau_cannot_set_lixias_scorecard(client, cast):
    client.force_login(cast["district_out"])
    before = state()
    response = client.post(CREATE, post_data(GOOD_ROWS, region="370102"))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert state() == before


def test_hub_staff_and_street_officers_cannot_create_a_scorecard(client, cast):
    before = state()
    for name in ("hub", "street"):
        client.force_login(cast[name])
        assert client.get(CREATE).status_code == 404
        assert client.post(CREATE, post_data(GOOD_ROWS)).status_code == 404
    assert state() == before


# --- in force or not ------------------------------------------------------------------------------


def test_the_bureau_puts_an_earlier_version_back_in_force(client, cast):
    first = lixia_template(cast["district"], "第一版")
    second = lixia_template(cast["district"], "第二版", points=("5", "5"))
    client.force_login(cast["district"])
    response = client.post(reverse("stars:template-activate", args=[first.pk]), follow=True)
    assert "评分表“第一版”已启用" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (True, False)
    assert template_for(LIXIA) == first
    event = AuditEvent.objects.get(kind="stars.template_activated")
    assert event.payload == {"region_code": "370102", "replaced": [second.pk]}


def test_stopping_a_localitys_scorecard_falls_back_to_the_default(client, cast):
    template = lixia_template(cast["district"])
    client.force_login(cast["district"])
    response = client.post(reverse("stars:template-retire", args=[template.pk]), follow=True)
    assert "评分表“历下区月度评分表”已停用" in response.content.decode()
    template.refresh_from_db()
    assert not template.is_active
    assert template_for(LIXIA) == default_template()
    assert AuditEvent.objects.filter(kind="stars.template_retired").count() == 1


def test_the_default_scorecard_cannot_be_stopped(client, cast):
    client.force_login(cast["admin"])
    before = state()
    response = client.post(
        reverse("stars:template-retire", args=[default_template().pk]), follow=True
    )
    assert "默认评分表是各地的兜底，不能停用；请新建版本替换" in response.content.decode()
    assert state() == before


def test_another_bureau_can_neither_stop_nor_restore_lixias_scorecard(client, cast):
    first = lixia_template(cast["district"], "第一版")
    lixia_template(cast["district"], "第二版", points=("5", "5"))
    client.force_login(cast["district_out"])
    before = state()
    response = client.post(reverse("stars:template-activate", args=[first.pk]), follow=True)
    assert "只有该辖区的民政部门可以设置月度评分表" in response.content.decode()
    response = client.post(reverse("stars:template-retire", args=[first.pk + 1]), follow=True)
    assert "只有该辖区的民政部门可以设置月度评分表" in response.content.decode()
    assert state() == before


def test_restoring_the_version_in_force_is_refused(client, cast):
    template = lixia_template(cast["district"])
    client.force_login(cast["district"])
    before = state()
    response = client.post(reverse("stars:template-activate", args=[template.pk]), follow=True)
    assert "该评分表已在使用中" in response.content.decode()
    assert state() == before


def test_hub_staff_cannot_stop_a_scorecard(client, cast):
    template = lixia_template(cast["district"])
    client.force_login(cast["hub"])
    before = state()
    response = client.post(reverse("stars:template-retire", args=[template.pk]), follow=True)
    assert "只有该辖区的民政部门可以设置月度评分表" in response.content.decode()
    assert state() == before


def test_a_missing_scorecard_is_not_found(client, cast):
    client.force_login(cast["district"])
    assert client.post(reverse("stars:template-retire", args=[999999])).status_code == 404
    assert client.get(CREATE, {"from": 999999}).status_code == 404


# --- the service's rows check (also what the API answers) ----------------------------------------


def test_the_service_names_every_bad_row_in_its_details(cast):
    before = state()
    with pytest.raises(services.ValidationFailed) as exc:
        services.scorecard_template_create(
            actor=cast["district"],
            name="历下区月度评分表",
            region_code="370102",
            items=[
                services.ItemInput("plan", "工作计划", Decimal("5")),
                services.ItemInput("plan", "", Decimal("-5")),
                services.ItemInput("again", "工作计划", Decimal("10")),
            ],
        )
    assert exc.value.code == "stars.template_items"
    assert exc.value.details == {
        "items.2.name": "第2项：请填写评分项目名称",
        "items.2.max_points": "第2项：分值须大于0（现为-5）",
        "items.2.code": "第2项：项目代码“plan”与第1项重复",
        "items.3.name": "第3项“工作计划”：与第1项重名",
    }
    assert state() == before
