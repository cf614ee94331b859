"""The API fuzz test's data: the crawler's demo (every ``demo_*`` command on a tenth of the
city) loaded once per module inside a transaction rolled back at the end, and a bearer token
for each role the fuzzer calls as."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.crawler.demo import DemoBuild, build_demo


@pytest.fixture(scope="module")
def fuzz_demo(django_db_setup, django_db_blocker) -> DemoBuild:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build = build_demo()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            yield build
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
