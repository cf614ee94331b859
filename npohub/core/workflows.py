"""The workflow-as-data primitive every workflow app builds its tables from.

A workflow is a table (a tuple) of ``Transition`` rows; one transition service per app looks a
move up by name, checks the current state is among its ``sources`` and that the actor acts in
its ``capacity``, runs the named ``guards``, applies the named ``effect``, and records the
move. Apps whose moves carry more (a route, a conclusion, points …) subclass ``Transition``
and add fields with defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.utils.functional import Promise


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise | str
    sources: frozenset[str]
    target: str
    capacity: str  # who may make it, in the app's own vocabulary (applicant, bureau, system …)
    guards: tuple[str, ...] = ()
    effect: str = ""
    needs_note: bool = False  # a reason is required (refusals and returns)


T = TypeVar("T", bound=Transition)


def transition_named(table: Iterable[T], name: str) -> T | None:
    """The move called ``name`` in ``table`` (None: no such move)."""
    return next((t for t in table if t.name == name), None)


def transitions_from(table: Iterable[T], state: str) -> list[T]:
    """The moves ``table`` allows out of ``state``, in table order."""
    return [t for t in table if state in t.sources]
