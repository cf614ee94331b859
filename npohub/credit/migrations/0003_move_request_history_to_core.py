"""Objection and repair history moves into the one history (core.WorkflowEvent), one workflow
key per request kind ("credit.objection", "credit.repair"); counts kept per workflow."""

from django.db import migrations

from npohub.core.history_migration import copy_back, copy_into_events

KEYS = ("credit.objection", "credit.repair")


def forward(apps, schema_editor):
    CreditRequest = apps.get_model("credit", "CreditRequest")
    kinds = dict(CreditRequest.objects.values_list("pk", "kind"))
    copy_into_events(
        apps.get_model("credit", "CreditRequestStateChange"),
        apps.get_model("core", "WorkflowEvent"),
        key_of=lambda row: f"credit.{kinds[row.request_id]}",
        object_id_of=lambda row: row.request_id,
        occurred_at="created_at",
        on_behalf_of=None,
    )


def backward(apps, schema_editor):
    CreditRequestStateChange = apps.get_model("credit", "CreditRequestStateChange")
    # Keep each row's time (the historical model's own class: auto_now_add would stamp "now").
    CreditRequestStateChange._meta.get_field("created_at").auto_now_add = False
    copy_back(
        apps.get_model("core", "WorkflowEvent"),
        CreditRequestStateChange,
        keys=KEYS,
        build=lambda e: CreditRequestStateChange(
            request_id=e.object_id,
            transition=e.move,
            from_state=e.from_state,
            to_state=e.to_state,
            actor_id=e.actor_id,
            actor_label=e.actor_label,
            note=e.note,
            created_at=e.occurred_at,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_workflow_event"),
        ("credit", "0002_seed_credit_rules"),
    ]

    operations = [migrations.RunPython(forward, backward)]
