"""Escalations move on the one engine: their history (core.WorkflowEvent) is written from the
records and the audit trail; the reverse removes it (nothing else changes)."""

from django.db import migrations

from npohub.hubs.history_migration import build_escalation_history, drop_escalation_history


def forward(apps, schema_editor):
    build_escalation_history(
        apps.get_model("hubs", "Escalation"),
        apps.get_model("core", "WorkflowEvent"),
        apps.get_model("core", "AuditEvent"),
    )


def backward(apps, schema_editor):
    drop_escalation_history(apps.get_model("core", "WorkflowEvent"))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("hubs", "0003_bounded_values"),
    ]

    operations = [migrations.RunPython(forward, backward)]
