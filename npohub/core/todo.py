"""What is waiting for a user (工作台): each app lists its own to-do items; the home page shows them.

An app with work for its users puts a ``todo.py`` module next to its models, with providers
that it registers when the module is imported::

    from npohub.core.todo import TodoItem, register

    def reports_to_review(user, today):
        if not is_bureau(user):
            return []                                   # no query for roles it has nothing for
        row = AnnualReport.objects.filter(...).aggregate(n=Count("id"), due=Min("bureau_deadline"))
        return [TodoItem.make("supervision.to_review", _("待审查的年度报告"), row["n"],
                              url, row["due"], today)]

    register("supervision", reports_to_review)

The top layer (``npohub.dashboards``) imports every installed app's ``todo`` module once
(``autodiscover_modules("todo")``) and asks ``todos_for(user)``: it knows nothing of the apps.

A provider counts only what *this* user may act on, in a fixed number of queries whatever the
data (one aggregate gives the count and the earliest deadline), and links to the page where the
work is done (filtered to those items where the page can filter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

# Items due within this many days are marked 临近期限.
SOON_DAYS = 7


class Urgency(IntEnum):
    """Lower is more urgent (the home page sorts on it, then on the deadline). ``INFO`` marks
    something the user follows but need not act on (their application being processed): the
    home page lists it apart and leaves it out of the counts of work waiting."""

    OVERDUE = 0
    SOON = 1
    NORMAL = 2
    INFO = 3


def urgency_of(due: dt.date | None, today: dt.date) -> Urgency:
    if due is None:
        return Urgency.NORMAL
    if due < today:
        return Urgency.OVERDUE
    if (due - today).days <= SOON_DAYS:
        return Urgency.SOON
    return Urgency.NORMAL


@dataclass(frozen=True)
class TodoItem:
    """One line of the home page: ``count`` things named ``label``, handled at ``url``; ``due``
    is the earliest deadline among them (None: no deadline). ``key`` is a stable name
    (``"<app>.<what>"``) for tests and page anchors."""

    label: str | Promise
    count: int
    url: str
    due: dt.date | None = None
    urgency: Urgency = Urgency.NORMAL
    key: str = ""

    @classmethod
    def make(
        cls,
        key: str,
        label: str | Promise,
        count: int | None,
        url: str,
        due: dt.date | None = None,
        today: dt.date | None = None,
    ) -> TodoItem:
        """An item whose urgency follows from its deadline."""
        day = today or timezone.localdate()
        return cls(
            label=label,
            count=int(count or 0),
            url=url,
            due=due,
            urgency=urgency_of(due, day),
            key=key,
        )


# A provider: (user, today) -> the user's items of one app (items with count 0 are dropped).
Provider = Callable[[Any, dt.date], Iterable[TodoItem]]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or, under the same name, replace) a provider; called when an app's todo.py loads."""
    _PROVIDERS[name] = provider


def providers() -> list[tuple[str, Provider]]:
    return sorted(_PROVIDERS.items())


def sort_key(item: TodoItem) -> tuple[int, dt.date, str]:
    """Most urgent first: overdue, then due soon, then the rest; earliest deadline first within
    each (items without a deadline last)."""
    return (int(item.urgency), item.due or dt.date.max, str(item.label))


def todos_for(user: Any, *, today: dt.date | None = None) -> list[TodoItem]:
    """Every registered app's items for ``user`` that hold something, most urgent first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    day = today or timezone.localdate()
    items = [item for _name, provider in providers() for item in provider(user, day)]
    return sorted((item for item in items if item.count > 0), key=sort_key)
