"""The worker the crash test (test_import_jobs.py) starts and kills:
``python -m npohub.orgs.tests.crash_worker MARKER`` with ``worker_settings`` runs
``db_worker --batch``, whose import commit, once its organisations are inserted (inside the
write transaction), touches MARKER and sleeps there until it is killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(marker: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from npohub.orgs.imports import writing

    insert = writing._insert_org_events

    def insert_then_hang(rows):  # type: ignore[no-untyped-def]
        ids = insert(rows)
        marker.write_text("in the write transaction")
        time.sleep(120)
        return ids

    writing._insert_org_events = insert_then_hang
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
