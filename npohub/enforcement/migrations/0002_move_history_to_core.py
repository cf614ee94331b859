"""Complaint and case history moves into the one history (core.WorkflowEvent), counts kept."""

from django.db import migrations

from npohub.enforcement.history_migration import backward, forward


def copy_forward(apps, schema_editor):
    forward(apps, schema_editor)


def copy_backward(apps, schema_editor):
    backward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("enforcement", "0001_complaints_cases_campaigns"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_backward)]
