"""The staff menu. Apps register items; each item names who may see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    """Add an item to the staff menu (called from an app's ``ready``)."""
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def menu_for(user: Any) -> list[dict[str, str]]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in _ITEMS:
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "name": item.url_name})
    return items
