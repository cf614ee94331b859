"""The crawler's demo data set: loaded once per module inside a transaction that is rolled back
at the end, so the rest of the suite (same worker, same test database) never sees it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from .demo import DemoBuild, build_demo


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> DemoBuild:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build = build_demo()
            if connection.vendor == "postgresql":
                # What autovacuum does after a real load: without statistics PostgreSQL plans
                # the dashboards' queries for empty tables (17 s a page instead of 20 ms).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            yield build
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
