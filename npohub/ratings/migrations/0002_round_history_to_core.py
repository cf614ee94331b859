"""Rounds' history (RoundStateChange) moves into the one history (core.WorkflowEvent)."""

from django.conf import settings
from django.db import migrations

from npohub.ratings.history_migration import copy_round_history, copy_round_history_back


def forward(apps, schema_editor):
    copy_round_history(
        apps.get_model("ratings", "RoundStateChange"),
        apps.get_model("core", "WorkflowEvent"),
        apps.get_model(*settings.AUTH_USER_MODEL.split(".")),
    )


def backward(apps, schema_editor):
    copy_round_history_back(
        apps.get_model("core", "WorkflowEvent"), apps.get_model("ratings", "RoundStateChange")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("ratings", "0001_grade_assessment"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forward, backward)]
