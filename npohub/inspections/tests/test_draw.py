"""The verifiable draw: floors, commit–reveal, the documented HMAC ranking, conflicts, refusals."""

from __future__ import annotations

import hashlib
import hmac
import io
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from npohub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.inspections import draw as drawing
from npohub.inspections import services
from npohub.inspections.models import (
    Assignment,
    ConflictDeclaration,
    DrawLog,
    LogKind,
    SpotCheck,
    SpotCheckPlan,
)
from npohub.orgs.models import Officer, Person

from .factories import district_plan, drawn_plan, pool, population

pytestmark = pytest.mark.django_db


def test_a_district_plan_draws_five_percent_ceil_with_a_hash_that_matches_the_revealed_seed(
    regions, cast
):
    orgs = population(regions, 41)
    pool(regions, 3)
    actor = cast["district"]
    plan = district_plan(actor, regions)
    assert plan.level == "county"
    plan = services.plan_transition(actor=actor, plan=plan, transition="commit")
    assert plan.state == "committed" and len(plan.seed_hash) == 64
    committed_hash = plan.seed_hash
    plan = services.plan_transition(actor=actor, plan=plan, transition="draw")
    assert plan.state == "drawn"
    # 41 associations in 历下区 (plus none of the other kinds): ceil(0.05 × 41) = 3.
    assert SpotCheck.objects.filter(plan=plan).count() == math.ceil(Decimal("0.05") * 41) == 3
    assert plan.population_snapshot[0]["population"] == sorted(f"org:{o.uscc}" for o in orgs)
    assert all(c.assignments.filter(is_active=True).count() == 2 for c in plan.checks.all())
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    assert plan.state == "published"
    assert (
        hashlib.sha256(bytes.fromhex(plan.seed_hex)).hexdigest() == committed_hash == plan.seed_hash
    )
    assert (
        AuditEvent.objects.filter(
            kind="inspections.plan_publish", payload__seed=plan.seed_hex
        ).count()
        == 1
    )


def test_the_ranking_is_the_documented_hmac_recomputed_independently(regions, cast):
    orgs = population(regions, 3)
    pool(regions, 2)
    plan = drawn_plan(cast["district"], regions, ratio="1")
    seed = bytes.fromhex(plan.seed_hex)
    expected = sorted(
        orgs,
        key=lambda o: hmac.new(seed, f"org:{o.uscc}".encode(), hashlib.sha256).hexdigest(),
    )
    checks = list(plan.checks.order_by("number"))
    assert [c.organization_id for c in checks] == [o.pk for o in expected]
    assert [c.score for c in checks] == [
        hmac.new(seed, f"org:{o.uscc}".encode(), hashlib.sha256).hexdigest() for o in expected
    ]
    users = plan.pool_snapshot
    for check in checks:
        ranked = sorted(
            users,
            key=lambda u: hmac.new(
                seed, f"inspector:{plan.pk}:{check.number}:{u}".encode(), hashlib.sha256
            ).hexdigest(),
        )
        assert (
            list(check.assignments.order_by("position").values_list("user_id", flat=True))
            == ranked[:2]
        )


def test_verify_spot_check_reproduces_the_draw_and_detects_a_tampered_seed(regions, cast):
    population(regions, 41)
    pool(regions, 3)
    actor = cast["district"]
    plan = drawn_plan(actor, regions)
    with pytest.raises(CommandError, match="随机种子尚未公开"):
        call_command("verify_spot_check", str(plan.pk), stdout=io.StringIO())
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    out = io.StringIO()
    call_command("verify_spot_check", str(plan.pk), stdout=out)
    assert "结果：一致" in out.getvalue()
    tampered = ("0" if plan.seed_hex[0] != "0" else "1") + plan.seed_hex[1:]
    out = io.StringIO()
    with pytest.raises(CommandError, match="不一致"):
        call_command("verify_spot_check", str(plan.pk), "--seed", tampered, stdout=out)
    assert "种子哈希：不符" in out.getvalue()
    result = services.plan_verify(plan, seed_hex=tampered)
    assert not result.hash_ok and not result.ok


def test_the_same_seed_gives_the_same_lists_whatever_the_database_order(regions, cast):
    population(regions, 30)
    pool(regions, 4)
    plan = drawn_plan(cast["district"], regions, ratio="0.2")
    seed = bytes.fromhex(plan.seed_hex)
    keys = plan.population_snapshot[0]["population"]
    assert drawing.draw_stratum(seed, list(reversed(keys)), Decimal("0.2")) == list(
        plan.checks.order_by("number").values_list("org_key", flat=True)
    )


def test_a_ratio_under_the_floor_is_refused_and_nothing_is_stored(regions, cast):
    with pytest.raises(ValidationFailed) as caught:
        district_plan(cast["district"], regions, ratio="0.02")
    assert caught.value.message == (
        "定期抽查比例不得低于县（区）级登记管理机关的下限3%：社会团体 2%、社会服务机构 2%、基金会 2%"
    )
    assert caught.value.code == "inspections.ratio_below_floor"
    assert SpotCheckPlan.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="inspections.").exists()


def test_an_ad_hoc_plan_may_use_any_ratio_but_names_its_scope(regions, cast):
    data = services.PlanInput(
        title="专项", year=2026, kind="ad_hoc", method="desk", ratios={"foundation": "0.01"}
    )
    with pytest.raises(ValidationFailed, match="不定期抽查须指明类别（行业）或专项主题"):
        services.plan_create(actor=cast["district"], authority_region=regions["lixia"], data=data)
    data.topic = "慈善募捐专项检查"
    plan = services.plan_create(
        actor=cast["district"], authority_region=regions["lixia"], data=data
    )
    assert plan.ratios == {"foundation": "0.01"} and plan.inspectors_per_check == 1


def test_an_on_site_plan_with_one_inspector_per_check_is_refused(regions, cast):
    with pytest.raises(ValidationFailed, match="实地检查每个检查对象至少需要2名检查人员"):
        district_plan(cast["district"], regions, inspectors_per_check=1)
    assert SpotCheckPlan.objects.count() == 0


def test_a_conflicted_inspector_is_never_drawn_and_the_redraw_is_logged(regions, cast):
    orgs = population(regions, 4)
    entries = pool(regions, 4)
    target = orgs[0]
    # One declared conflict, one officer of the organisation, one of its supervisory unit.
    ConflictDeclaration.objects.create(
        inspector=entries[0],
        organization=target,
        reason="曾为该组织提供咨询",
        declared_by=cast["district"],
        declared_at="2026-01-05T00:00:00Z",
    )
    entries[1].id_number = "11010519491231002X"
    entries[1].save()
    person = Person.objects.create(name="前理事", id_number="11010519491231002X")
    Officer.objects.create(organization=target, person=person, position="director")
    target.supervisory_unit = "历下区教育局"
    target.save()
    entries[2].department = "历下区教育局"
    entries[2].save()
    conflicted = {entries[0].user_id, entries[1].user_id, entries[2].user_id}
    actor = cast["district"]
    redraws = 0
    for _ in range(8):  # a fresh seed each round
        SpotCheckPlan.objects.all().delete()
        with pytest.raises(Conflict, match="回避后可抽取的检查人员只有1名"):
            drawn_plan(actor, regions, ratio="1")
        assert not SpotCheck.objects.exists() and not Assignment.objects.exists()
    # With more inspectors the draw succeeds and never assigns a conflicted one.
    pool(regions, 3, prefix="more")
    for _ in range(20):
        SpotCheckPlan.objects.all().delete()
        plan = drawn_plan(actor, regions, ratio="1")
        check = plan.checks.get(organization=target)
        assigned = set(check.assignments.values_list("user_id", flat=True))
        assert len(assigned) == 2 and not assigned & conflicted
        excluded = check.log.filter(kind=LogKind.EXCLUDED)
        reasons = dict(excluded.values_list("user_id", "reason"))
        assert set(reasons) <= conflicted
        for uid in reasons:
            assert (
                reasons[uid]
                == {
                    entries[0].user_id: "declared",
                    entries[1].user_id: "officer",
                    entries[2].user_id: "supervisory_unit",
                }[uid]
            )
        if excluded.exists():
            redraws += 1
            assert check.log.filter(kind=LogKind.REDRAW).exists()
        assert services.plan_verify(plan, seed_hex=plan.seed_hex).lists_ok
    assert redraws > 0


def test_fewer_than_two_eligible_inspectors_is_a_clear_refusal(regions, cast):
    population(regions, 5)
    pool(regions, 1)
    actor = cast["district"]
    plan = services.plan_transition(
        actor=actor, plan=district_plan(actor, regions), transition="commit"
    )
    with pytest.raises(Conflict) as caught:
        services.plan_transition(actor=actor, plan=plan, transition="draw")
    assert caught.value.message == (
        "检查人员名录库中可抽取的在岗检查人员只有1名，每个检查对象需要2名，不能抽取"
    )
    plan.refresh_from_db()
    assert plan.state == "committed" and plan.population_snapshot == []
    assert not SpotCheck.objects.exists() and DrawLog.objects.filter(plan=plan).count() == 1


def test_another_districts_bureau_may_not_plan_or_draw_and_nothing_changes(regions, cast):
    population(regions, 5)
    pool(regions, 2)
    with pytest.raises(PermissionDenied, match="只有该区划的登记管理机关可以制定和抽取抽查计划"):
        district_plan(cast["district_out"], regions)
    plan = district_plan(cast["district"], regions)
    events = AuditEvent.objects.count()
    for user in ("district_out", "inspector", "qingdao"):
        with pytest.raises(PermissionDenied):
            services.plan_transition(actor=cast[user], plan=plan, transition="commit")
    plan.refresh_from_db()
    assert plan.state == "draft" and plan.seed_hash == "" and AuditEvent.objects.count() == events


def test_a_committed_plan_cannot_be_edited(regions, cast):
    actor = cast["district"]
    plan = services.plan_transition(
        actor=actor, plan=district_plan(actor, regions), transition="commit"
    )
    data = services.PlanInput(
        title="改", year=2026, kind="regular", method="on_site", ratios={"association": "0.5"}
    )
    with pytest.raises(InvalidTransition, match="只有草稿可以修改"):
        services.plan_update(actor=actor, plan=plan, data=data)
    plan.refresh_from_db()
    assert plan.title == "2026年历下区社会组织双随机抽查"


def test_strata_by_kind_with_charities_apart_use_their_own_ratios(regions, cast):
    assocs = population(regions, 10)
    population(regions, 10, kind="foundation", start=2000)
    for org in assocs[:3]:
        org.is_charity = True
        org.save()
    pool(regions, 2)
    data = services.PlanInput(
        title="济宁式比例",
        year=2026,
        kind="regular",
        method="desk",
        ratios={"association": "0.05", "foundation": "0.10", "charity": "1"},
    )
    actor = cast["district"]
    plan = services.plan_create(actor=actor, authority_region=regions["lixia"], data=data)
    plan = services.plan_transition(actor=actor, plan=plan, transition="commit")
    plan = services.plan_transition(actor=actor, plan=plan, transition="draw")
    counts = {s["key"]: (len(s["population"]), s["drawn"]) for s in plan.population_snapshot}
    assert counts == {"association": (7, 1), "foundation": (10, 1), "charity": (3, 3)}
