"""The default monthly scorecard (临淄区 月规范, seed 004): five items, 10 points."""

from decimal import Decimal

from django.db import migrations

ITEMS = [
    ("party", "党建工作", "2.0", "党组织活动、党员教育、党建引领作用发挥", True),
    ("plan", "工作计划", "2.0", "按时制定并报送月度工作计划", False),
    ("activities", "开展活动", "2.5", "按计划开展服务活动并有记录", False),
    ("records", "台账资料", "2.0", "活动台账、财务凭证、会议记录齐全规范", False),
    ("premises", "活动场所", "1.5", "场所整洁、卫生清洁、安全有序", False),
]


def create(apps, schema_editor):
    Template = apps.get_model("stars", "ScorecardTemplate")
    Item = apps.get_model("stars", "ScorecardItem")
    if Template.objects.filter(region_code="", is_active=True).exists():
        return
    template = Template.objects.create(name="社会组织月度规范评分表", region_code="")
    for order, (code, name, points, guidance, party) in enumerate(ITEMS, start=1):
        Item.objects.create(
            template=template,
            code=code,
            name=name,
            max_points=Decimal(points),
            guidance=guidance,
            is_party_building=party,
            sort_order=order,
        )


def remove(apps, schema_editor):
    Template = apps.get_model("stars", "ScorecardTemplate")
    Template.objects.filter(region_code="", name="社会组织月度规范评分表").delete()


class Migration(migrations.Migration):
    dependencies = [("stars", "0001_monthly_scores_stars_awards")]

    operations = [migrations.RunPython(create, remove)]
