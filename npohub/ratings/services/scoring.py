"""Scores, outliers and the committee's results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require

from .. import selectors
from ..models import Application, ApplicationState, Assignment, Indicator, Score
from ..permissions import can_finalise, can_score
from ..policy import level_for

# ---------------------------------------------------------------------------------------------
# Scores


@dataclass
class ScoreEntry:
    indicator_id: int
    points: Any
    comment: str = ""
    evidence_ref: str = ""
    evidence_file: UploadedFile | None = None


def scores_save(*, actor: User, assignment: Assignment, entries: list[ScoreEntry]) -> Assignment:
    """Save the expert's draft: each point within 0 and the indicator's maximum."""
    require(can_score(actor, assignment))
    app = assignment.application
    leaves = {i.pk: i for i in selectors.leaves_of(app.round, app.organization.kind)}
    errors: dict[str, str] = {}
    clean: list[tuple[Indicator, Decimal | None, ScoreEntry]] = []
    for entry in entries:
        indicator = leaves.get(int(entry.indicator_id))
        if indicator is None:
            errors[f"indicator_{entry.indicator_id}"] = _("不是本申报可评分的指标")
            continue
        raw = "" if entry.points is None else str(entry.points).strip()
        if raw == "":
            clean.append((indicator, None, entry))
            continue
        try:
            points = Decimal(raw).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors[f"indicator_{indicator.pk}"] = _("%(code)s的得分不是数字") % {
                "code": indicator.code
            }
            continue
        if points < 0 or points > indicator.max_points:
            errors[f"indicator_{indicator.pk}"] = _("%(code)s的得分应在0至%(max)s分之间") % {
                "code": indicator.code,
                "max": indicator.max_points,
            }
            continue
        clean.append((indicator, points, entry))
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    with transaction.atomic():
        for indicator, value, entry in clean:
            if value is None:
                Score.objects.filter(assignment=assignment, indicator=indicator).delete()
                continue
            score, _created = Score.objects.update_or_create(
                assignment=assignment,
                indicator=indicator,
                defaults={
                    "points": value,
                    # Longer than the column: refused naming the field (core.params), not cut.
                    "comment": (entry.comment or "").strip(),
                    "evidence_ref": (entry.evidence_ref or "").strip(),
                },
            )
            if entry.evidence_file is not None:
                score.evidence_file = entry.evidence_file
                score.save(update_fields=["evidence_file"])
        total = sum((s.points for s in assignment.scores.all()), Decimal(0))
        assignment.total = total
        assignment.save(update_fields=["total"])
        audit_record(
            actor=actor,
            kind="ratings.scores_saved",
            target=assignment,
            organization_id=app.organization_id,
            region_code=app.organization.address_code,
            payload={"total": str(total), "count": len(clean)},
        )
    return assignment


def assignment_submit(*, actor: User, assignment: Assignment) -> Assignment:
    """Submit the scores: every leaf indicator scored; no change afterwards."""
    require(can_score(actor, assignment))
    app = assignment.application
    leaves = selectors.leaves_of(app.round, app.organization.kind)
    scored = set(assignment.scores.values_list("indicator_id", flat=True))
    missing = [i for i in leaves if i.pk not in scored]
    if missing:
        raise ValidationFailed(
            _("还有%(n)s项指标未评分（%(codes)s）")
            % {"n": len(missing), "codes": "、".join(i.code for i in missing[:5])},
            details={f"indicator_{i.pk}": _("必填") for i in missing},
        )
    with transaction.atomic():
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
        audit_record(
            actor=actor,
            kind="ratings.scores_submitted",
            target=assignment,
            organization_id=app.organization_id,
            region_code=app.organization.address_code,
            payload={"total": str(assignment.total)},
        )
    return assignment


# ---------------------------------------------------------------------------------------------
# Outliers and the committee


def outliers(totals: dict[int, Decimal], policy: dict[str, Any]) -> dict[int, str]:
    """The documented outlier rule (see policy.py): {key: why} for totals far from the median."""
    if len(totals) < int(policy["outlier_min_panel"]):
        return {}
    values = list(totals.values())
    mid = selectors.median(values)
    mad = selectors.median([abs(v - mid) for v in values])
    share = Decimal(str(policy["outlier_median_share"]))
    k = Decimal(str(policy["outlier_mad_k"]))
    floor = Decimal(str(policy["outlier_min_points"]))
    found: dict[int, str] = {}
    for key, value in totals.items():
        gap = abs(value - mid)
        if mid and gap > share * mid:
            found[key] = _("与评审组中位数%(median)s相差%(gap)s分，超过中位数的%(pct)s%%") % {
                "median": mid.quantize(Decimal("0.1")),
                "gap": gap.quantize(Decimal("0.1")),
                "pct": (share * 100).normalize(),
            }
        elif mad and gap > k * mad and gap >= floor:
            found[key] = _(
                "与评审组中位数%(median)s相差%(gap)s分，超过%(k)s倍绝对中位差（%(mad)s）"
            ) % {
                "median": mid.quantize(Decimal("0.1")),
                "gap": gap.quantize(Decimal("0.1")),
                "k": k.normalize(),
                "mad": mad.quantize(Decimal("0.1")),
            }
    return found


def compute_panel(application: Application, policy: dict[str, Any]) -> Application:
    """Flag outliers; the panel total is the mean of the other experts' totals."""
    tasks = list(application.assignments.filter(submitted_at__isnull=False))
    flagged = outliers({a.pk: a.total for a in tasks}, policy)
    for a in tasks:
        a.is_outlier = a.pk in flagged
        a.outlier_note = flagged.get(a.pk, "")[:300]
        a.save(update_fields=["is_outlier", "outlier_note"])
    counted = [a.total for a in tasks if not a.is_outlier] or [a.total for a in tasks]
    if counted:
        mean = (sum(counted, Decimal(0)) / len(counted)).quantize(Decimal("0.1"))
        application.panel_total = mean
        application.final_total = mean
        application.level = level_for(mean, application.round.thresholds)
        application.save(update_fields=["panel_total", "final_total", "level", "updated_at"])
    return application


def application_finalise(
    *, actor: User, application: Application, final_total: Any = None, note: str = ""
) -> Application:
    """The committee settles the total (the panel mean unless it records why not) and the
    level it earns under the round's thresholds."""
    require(can_finalise(actor, application))
    total = application.panel_total if final_total in (None, "") else final_total
    try:
        value = Decimal(str(total)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("审定得分不是数字"), details={"final_total": _("无效")}) from None
    if value < 0 or value > 1000:
        raise ValidationFailed(_("审定得分应在0至1000分之间"), details={"final_total": _("无效")})
    note = (note or "").strip()
    if application.panel_total is not None and value != application.panel_total and not note:
        raise ValidationFailed(
            _("审定得分与专家平均分不同，须写明委员会意见"), details={"note": _("必填")}
        )
    with transaction.atomic():
        application.final_total = value
        application.level = level_for(value, application.round.thresholds)
        application.committee_note = note
        application.state = ApplicationState.FINALISED
        application.save(
            update_fields=["final_total", "level", "committee_note", "state", "updated_at"]
        )
        audit_record(
            actor=actor,
            kind="ratings.result_finalised",
            target=application,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"total": str(value), "level": application.level},
        )
    return application
