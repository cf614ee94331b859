"""The rounds' own history model goes: its rows are in core.WorkflowEvent (0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ratings", "0002_round_history_to_core")]

    operations = [migrations.DeleteModel(name="RoundStateChange")]
