"""The annual-report history now lives in core.WorkflowEvent (copied by 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_move_history_to_core"),
    ]

    operations = [
        migrations.DeleteModel(name="ReportStateChange"),
    ]
