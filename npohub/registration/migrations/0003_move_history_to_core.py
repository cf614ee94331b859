"""Application history moves into the one history (core.WorkflowEvent); counts kept per workflow."""

from django.db import migrations

from npohub.core.history_migration import copy_back, copy_into_events

KEY = "registration.application"


def forward(apps, schema_editor):
    copy_into_events(
        apps.get_model("registration", "StateChange"),
        apps.get_model("core", "WorkflowEvent"),
        key_of=lambda row: KEY,
        object_id_of=lambda row: row.application_id,
    )


def backward(apps, schema_editor):
    StateChange = apps.get_model("registration", "StateChange")
    copy_back(
        apps.get_model("core", "WorkflowEvent"),
        StateChange,
        keys=(KEY,),
        build=lambda e: StateChange(
            application_id=e.object_id,
            transition=e.move,
            from_state=e.from_state,
            to_state=e.to_state,
            actor_id=e.actor_id,
            actor_label=e.actor_label,
            on_behalf_of=e.on_behalf_of,
            note=e.note,
            occurred_at=e.occurred_at,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("registration", "0002_certificate_sealed_on"),
    ]

    operations = [migrations.RunPython(forward, backward)]
