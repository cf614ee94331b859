"""The pinyin sort key of each organisation's name (``search.name_pinyin``), indexed: registry
lists sort 丁 < 三 < 万 (pinyin), not 丁 < 万 < 三 (code point).

SQLite adds a NOT NULL column by rebuilding the table, which drops its search-index triggers
(0004/0005): they are saved and created again as in 0008. Existing rows are filled in batches
by primary key; the fill touches neither the name nor the initials, so the search index is not
rewritten.
"""

from importlib import import_module

from django.db import migrations, models

BATCH = 2000

_triggers = import_module("npohub.orgs.migrations.0008_bounded_values")


def fill_name_pinyin(apps, schema_editor):
    from npohub.orgs.search import name_pinyin

    Organization = apps.get_model("orgs", "Organization")
    rows = Organization.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "name")[:BATCH])
        if not batch:
            break
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE orgs_organization SET name_pinyin = %s WHERE id = %s",
                [(name_pinyin(name), pk) for pk, name in batch],
            )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0008_bounded_values"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_triggers.save_triggers, _triggers.restore_triggers),
        migrations.AddField(
            model_name="organization",
            name="name_pinyin",
            field=models.CharField(
                blank=True, default="", max_length=1400, verbose_name="拼音排序"
            ),
        ),
        migrations.RunPython(_triggers.restore_triggers, _triggers.save_triggers),
        migrations.RunPython(fill_name_pinyin, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["name_pinyin", "name", "id"], name="org_name_pinyin_idx"),
        ),
    ]
