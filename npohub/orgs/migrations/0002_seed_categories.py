"""Seed the configurable category table; officials edit it afterwards."""

from django.db import migrations

# (code, name, direct registration per rule 10, order)
CATEGORIES = [
    ("charity", "公益慈善", True, 10),
    ("life_service", "生活服务", False, 20),
    ("community_affairs", "社区事务", False, 30),
    ("culture_sports", "文体活动", False, 40),
    ("trade_association", "行业协会商会", True, 50),
    ("science_technology", "科技类", True, 60),
    ("community_service", "城乡社区服务", True, 70),
    ("elderly_care", "养老服务", False, 80),
    ("education", "教育培训", False, 90),
    ("health", "卫生健康", False, 100),
    ("social_work", "社会工作", False, 110),
    ("volunteer", "志愿服务", False, 120),
    ("legal_service", "法律服务", False, 130),
    ("environment", "生态环境", False, 140),
    ("agriculture", "农业农村", False, 150),
    ("other", "其他", False, 999),
]


def seed(apps, schema_editor):
    Category = apps.get_model("orgs", "Category")
    for code, name, direct, order in CATEGORIES:
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "is_direct_registration": direct, "sort_order": order}
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("orgs", "Category")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], organizations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
