"""Objections and grades move on the one engine: their history (core.WorkflowEvent) is written
from the records and the audit trail; the reverse removes it (nothing else changes)."""

from django.db import migrations

from npohub.ratings.history_migration import (
    build_objection_and_grade_history,
    drop_objection_and_grade_history,
)


def forward(apps, schema_editor):
    build_objection_and_grade_history(
        apps.get_model("ratings", "Objection"),
        apps.get_model("ratings", "Grade"),
        apps.get_model("core", "WorkflowEvent"),
        apps.get_model("core", "AuditEvent"),
    )


def backward(apps, schema_editor):
    drop_objection_and_grade_history(apps.get_model("core", "WorkflowEvent"))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("ratings", "0003_delete_roundstatechange"),
    ]

    operations = [migrations.RunPython(forward, backward)]
