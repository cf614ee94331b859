"""Bounded values (issue 20, finding 1): the repair step a migration runs before it adds the
bounds, and the check that every field of an app is bounded.

SQLite enforces neither ``max_length`` nor a decimal's digits nor an integer range, so before
an app's CheckConstraints existed it could store a 100,000-character text or 10^12 in a count.
A migration first brings such rows within the bounds it is about to add
(:func:`repair_out_of_bounds`, historical models only); PostgreSQL never stored them, so there
it changes nothing. :func:`unbounded_fields` lists the fields an app's models leave unbounded
(each app's tests assert it is empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q

from .params import decimal_limit


def repair_out_of_bounds(
    apps: Any, app_label: str, ranges: Mapping[str, Mapping[str, tuple[Any, Any]]]
) -> None:
    """Texts cut to their column's ``max_length`` (every model of the app); each number of
    ``ranges`` ({model: {field: (minimum, maximum)}}) outside its range set to the nearer bound,
    or blanked (NULL) when the field allows it, for the staff to enter again; decimals beyond
    their column likewise."""
    from django.db.models.functions import Left, Length

    for model in apps.get_app_config(app_label).get_models():
        declared = ranges.get(model.__name__, {})
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and field.max_length:
                model.objects.annotate(_length=Length(field.name)).filter(
                    _length__gt=field.max_length
                ).update(**{field.name: Left(field.name, field.max_length)})
            low, high = declared.get(field.name, (None, None))
            if isinstance(field, models.DecimalField):
                limit = decimal_limit(field.max_digits, field.decimal_places)
                step = Decimal(1).scaleb(-field.decimal_places)
                low = max(Decimal(-limit) + step, Decimal(-limit) + step if low is None else low)
                high = min(Decimal(limit) - step, Decimal(limit) - step if high is None else high)
            if low is not None or high is not None:
                _settle(model, field, low, high)


def _settle(model: Any, field: Any, low: Any, high: Any) -> None:
    name = field.name
    if field.null:
        outside = Q()
        if low is not None:
            outside |= Q(**{f"{name}__lt": low})
        if high is not None:
            outside |= Q(**{f"{name}__gt": high})
        if outside:
            model.objects.filter(outside).update(**{name: None})
        return
    if low is not None:
        model.objects.filter(**{f"{name}__lt": low}).update(**{name: low})
    if high is not None:
        model.objects.filter(**{f"{name}__gt": high}).update(**{name: high})


def constrained_fields(model: Any) -> set[str]:
    """Names of the fields a CheckConstraint of ``model`` mentions."""
    from django.db.models import CheckConstraint
    from django.db.models.expressions import F

    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Q):
            for child in node.children:
                if isinstance(child, tuple):
                    names.add(child[0].split("__")[0])
                else:
                    walk(child)
        elif isinstance(node, F):
            names.add(node.name)
        elif hasattr(node, "get_source_expressions"):
            for source in node.get_source_expressions():
                walk(source)
        elif hasattr(node, "lhs"):
            walk(node.lhs)

    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            walk(constraint.condition)
    return names


def unbounded_fields(app_label: str, *, exempt: frozenset[str] = frozenset()) -> list[str]:
    """``Model.field`` for each text, decimal or integer field of the app without a
    CheckConstraint (``exempt``: ``Model.field`` names set only by the platform)."""
    from django.apps import apps

    missing: list[str] = []
    for model in apps.get_app_config(app_label).get_models():
        mentioned = constrained_fields(model)
        for field in model._meta.concrete_fields:
            if field.is_relation or field.primary_key:
                continue
            key = f"{model.__name__}.{field.name}"
            bounded_kind = isinstance(
                field,
                models.CharField | models.TextField | models.DecimalField | models.IntegerField,
            )
            if bounded_kind and key not in exempt and field.name not in mentioned:
                missing.append(key)
            elif isinstance(field, models.TextField) and not field.max_length:
                missing.append(f"{key} (no max_length)")
    return missing
