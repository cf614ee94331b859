"""The codes a page must never show: every state and move of the workflow tables and every value
of the models' choices (``TextChoices``), collected at run time, so a new workflow or choice is
checked without touching the crawler."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise

from npohub.core import workflows as engine

# A code is a lowercase identifier (``in_review``, ``close_applications``); grades such as "5A"
# and numeric levels are their own labels. Shorter than three letters is too easily a word.
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MIN_LENGTH = 3


def _is_move(obj: Any) -> bool:
    """A row of a workflow table, whatever its class (core's ``Transition`` or an app's own)."""
    return isinstance(getattr(obj, "name", None), str) and isinstance(
        getattr(obj, "target", None), str
    )


def _from_object(obj: Any, depth: int = 0) -> Iterator[str]:
    """Codes found in one workflow-module global: a move, a table of moves, a state-label
    dict, a ``TextChoices`` class, a registered ``Workflow`` or a dict of any of these."""
    if depth > 3:
        return
    if isinstance(obj, type) and issubclass(obj, models.Choices):
        yield from (str(v) for v in obj.values)
    elif isinstance(obj, engine.Workflow):
        yield from (str(v) for v in obj.states.values)
        for move in obj.all_moves():
            yield from _from_object(move, depth + 1)
    elif _is_move(obj):
        yield str(obj.name)
        yield str(obj.target)
        sources = getattr(obj, "sources", None) or (getattr(obj, "source", ""),)
        yield from (str(s) for s in sources if isinstance(s, str))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(key, str) and isinstance(value, Promise | str):
                yield key
            else:
                yield from _from_object(value, depth + 1)
    elif isinstance(obj, tuple | list | frozenset | set):
        for item in obj:
            yield from _from_object(item, depth + 1)


def _workflow_modules() -> Iterator[Any]:
    for config in apps.get_app_configs():
        if not config.name.startswith("npohub."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.workflows")
        except ModuleNotFoundError:
            continue


def _choice_values() -> Iterator[str]:
    for model in apps.get_models():
        if not model.__module__.startswith("npohub."):
            continue
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or ():
                yield str(value)


def known_codes() -> set[str]:
    """Every workflow state and move name and every model choice value that looks like a code."""
    found: set[str] = set(_choice_values())
    for workflow in engine.registered().values():
        found.update(_from_object(workflow))
    for module in _workflow_modules():
        for name, value in vars(module).items():
            if name.startswith("_") or isinstance(value, type(module)):
                continue
            found.update(_from_object(value))
    return {c for c in found if len(c) >= MIN_LENGTH and CODE.fullmatch(c)}


def codes_without(codes: Iterable[str], words: Iterable[str]) -> set[str]:
    return set(codes) - set(words)
