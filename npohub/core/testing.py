"""Test helpers shared by every app's tests (no test runs from here)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

# Row locks are what makes two concurrent moves safe; SQLite locks the whole file instead and
# runs one writer at a time, so the race is only meaningful (and only tested) on PostgreSQL.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-lock races are tested on PostgreSQL"
)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, each in its own thread and database connection.

    Returns, in call order, what each call returned or the exception it raised.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
