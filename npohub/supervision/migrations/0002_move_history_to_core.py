"""Annual-report history moves into the one history (core.WorkflowEvent); counts kept."""

from django.db import migrations

from npohub.core.history_migration import copy_back, copy_into_events

KEY = "supervision.report"


def forward(apps, schema_editor):
    copy_into_events(
        apps.get_model("supervision", "ReportStateChange"),
        apps.get_model("core", "WorkflowEvent"),
        key_of=lambda row: KEY,
        object_id_of=lambda row: row.report_id,
        on_behalf_of=None,
    )


def backward(apps, schema_editor):
    ReportStateChange = apps.get_model("supervision", "ReportStateChange")
    copy_back(
        apps.get_model("core", "WorkflowEvent"),
        ReportStateChange,
        keys=(KEY,),
        build=lambda e: ReportStateChange(
            report_id=e.object_id,
            transition=e.move,
            from_state=e.from_state,
            to_state=e.to_state,
            actor_id=e.actor_id,
            actor_label=e.actor_label,
            note=e.note,
            occurred_at=e.occurred_at,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("supervision", "0001_annual_reports"),
    ]

    operations = [migrations.RunPython(forward, backward)]
