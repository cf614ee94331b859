"""First-line review hooks: apps above ``hubs`` register what hubs may review for them.

The hubs app itself declares the two subjects the issue names (a member's filing and its annual
report) with a label only, so hubs can record first-line reviews of them from the start. The app
that owns a subject may register it again, from its ``AppConfig.ready()``, with hooks; that
replaces the bare declaration::

    from npohub.hubs.registry import register_review_subject
    register_review_subject(
        "supervision.annual_report", _("年度报告初审"),
        on_review=callback,          # gets the FirstLineReview row, in the same transaction
        items=lister,                # organisation -> [(subject_id, label)] the hub may review
    )

and then, when a hub user reviews a member's submission::

    hub = hubs.selectors.acting_hub_for(user, org)          # None: not the user's member
    hubs.services.hub_review_record(actor=user, hub=hub, organization=org,
        subject="supervision.annual_report", subject_id=report.pk, opinion="pass", comment="")

When ``items`` is registered, ``hub_review_record`` only accepts an id it lists for the member.
``hubs.selectors.first_line_reviews(subject, subject_id)`` reads the reviews back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Lister = Callable[[Any], list[tuple[str, str]]]


@dataclass(frozen=True)
class ReviewSubject:
    code: str
    label: Any
    on_review: Callable[[Any], None] | None = None
    items: Lister | None = None

    @property
    def is_bare(self) -> bool:
        return self.on_review is None and self.items is None


_SUBJECTS: dict[str, ReviewSubject] = {}


def register_review_subject(
    code: str,
    label: Any,
    *,
    on_review: Callable[[Any], None] | None = None,
    items: Lister | None = None,
) -> None:
    """Declare a subject. A bare declaration (no hooks) may be replaced once by one with hooks;
    two different declarations with hooks are a configuration error."""
    existing = _SUBJECTS.get(code)
    subject = ReviewSubject(code, label, on_review, items)
    if existing is not None and existing != subject:
        if subject.is_bare:
            return  # the owner's hooks stay; a later bare declaration adds nothing
        if not existing.is_bare:
            raise ImproperlyConfigured(
                f"Review subject {code!r} is already registered differently."
            )
    _SUBJECTS[code] = subject


def review_subject(code: str) -> ReviewSubject | None:
    return _SUBJECTS.get(code)


def review_subjects() -> list[ReviewSubject]:
    return sorted(_SUBJECTS.values(), key=lambda s: s.code)


def subject_items(code: str, organization: Any) -> list[tuple[str, str]] | None:
    """The ids (and labels) of ``organization``'s submissions under ``code``; None when the owning
    app registered no lister (any id is then accepted)."""
    subject = _SUBJECTS.get(code)
    if subject is None or subject.items is None:
        return None
    return [(str(pk), str(label)) for pk, label in subject.items(organization)]
