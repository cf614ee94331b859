"""The four platform offerings of the Jinan plan (孵化, 公益创投, 信息服务, 培训交流)."""

from django.db import migrations

OFFERINGS = [
    ("incubation", "培育孵化", 10),
    ("venture", "公益创投", 20),
    ("information", "信息服务", 30),
    ("training", "培训交流", 40),
]


def seed(apps, schema_editor):
    PlatformOffering = apps.get_model("hubs", "PlatformOffering")
    for code, name, order in OFFERINGS:
        PlatformOffering.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_hubs_rosters_platforms_federations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
