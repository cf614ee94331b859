"""The staff menu. Apps register items; each item names who may see it.

Items are shown in groups (one drop-down each in the header) so the menu stays one line as apps
are added. An item's group is its own ``group`` or, by default, the one its URL namespace maps
to in ``NAMESPACE_GROUPS``; an unknown namespace falls into 其他."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise
    order: int


GROUPS: dict[str, NavGroup] = {
    g.key: g
    for g in (
        NavGroup("home", _("工作台"), 0),
        NavGroup("registry", _("组织名录"), 10),
        NavGroup("registration", _("登记备案"), 20),
        NavGroup("supervision", _("监督管理"), 30),
        NavGroup("hubs", _("以社管社"), 40),
        NavGroup("ratings", _("评估评星"), 50),
        NavGroup("stats", _("统计分析"), 60),
        NavGroup("system", _("系统"), 90),
        NavGroup("other", _("其他"), 95),
    )
}

NAMESPACE_GROUPS: dict[str, str] = {
    "orgs": "registry",
    "imports": "registry",
    "registration": "registration",
    "community": "registration",
    "certificates": "registration",
    "supervision": "supervision",
    "credit": "supervision",
    "inspections": "supervision",
    "enforcement": "supervision",
    "hubs": "hubs",
    "party": "hubs",
    "ratings": "ratings",
    "stars": "ratings",
    "dashboards": "stats",
    "regions": "system",
    "accounts": "system",
    "notifications": "system",
}

_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    """Add an item to the staff menu (called from an app's ``ready``)."""
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def group_of(item: NavItem) -> str:
    """The group an item is shown in: its own, else its namespace's, else 其他."""
    key = item.group or NAMESPACE_GROUPS.get(item.url_name.split(":", 1)[0], "other")
    return key if key in GROUPS else "other"


@functools.cache
def _url_of(url_name: str, _prefix: str, _urlconf: str) -> str | None:
    """The menu item's URL, reversed once per URL configuration and script prefix (the menu is
    built on every page; reversing ~40 names each time was a third of the header's cost)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def menu_for(user: Any) -> list[dict[str, Any]]:
    """The items this user may see, in order, with their URL and group."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in _ITEMS:
        if not item.visible(user):
            continue
        url = _url_of(
            item.url_name, get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)
        )
        if url is None:
            continue
        items.append(
            {"label": item.label, "url": url, "name": item.url_name, "group": group_of(item)}
        )
    return items


def menu_groups_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The visible items grouped for the header; ``active`` marks the group holding ``path``."""
    entries_all = menu_for(user)
    # The current page is the item with the longest URL that starts it (/orgs/imports/ is
    # 批量导入, not also 社会组织名录 at /orgs/).
    matching = [e["url"] for e in entries_all if e["url"] != "/" and path.startswith(e["url"])]
    current = max(matching, key=len, default=path)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries_all:
        entry["active"] = bool(path) and entry["url"] == current
        grouped.setdefault(entry["group"], []).append(entry)
    groups = []
    for key in sorted(grouped, key=lambda k: GROUPS[k].order):
        entries = grouped[key]
        groups.append(
            {
                "key": key,
                "label": GROUPS[key].label,
                "items": entries,
                "active": any(e["active"] for e in entries),
            }
        )
    return groups
