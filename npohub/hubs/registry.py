"""First-line review hooks: apps above ``hubs`` register what hubs may review for them.

Supervision, registration or ratings call, from their ``AppConfig.ready()``::

    from npohub.hubs.registry import register_review_subject
    register_review_subject("supervision.annual_report", _("年度报告初审"), on_review=callback)

and then, when a hub user reviews a member's submission::

    hub = hubs.selectors.acting_hub_for(user, org)          # None: not the user's member
    hubs.services.hub_review_record(actor=user, hub=hub, organization=org,
        subject="supervision.annual_report", subject_id=report.pk, opinion="pass", comment="")

The callback receives the ``FirstLineReview`` row inside the same transaction (e.g. to move the
submission to "reviewed by hub"). ``hubs.selectors.first_line_reviews(subject, subject_id)``
reads them back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ReviewSubject:
    code: str
    label: Any
    on_review: Callable[[Any], None] | None = None


_SUBJECTS: dict[str, ReviewSubject] = {}


def register_review_subject(
    code: str, label: Any, *, on_review: Callable[[Any], None] | None = None
) -> None:
    existing = _SUBJECTS.get(code)
    subject = ReviewSubject(code, label, on_review)
    if existing is not None and existing != subject:
        raise ImproperlyConfigured(f"Review subject {code!r} is already registered differently.")
    _SUBJECTS[code] = subject


def review_subject(code: str) -> ReviewSubject | None:
    return _SUBJECTS.get(code)


def review_subjects() -> list[ReviewSubject]:
    return sorted(_SUBJECTS.values(), key=lambda s: s.code)
