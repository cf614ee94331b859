"""Done-when 2 of the supervision issue: a district plan draws 5 % with a published seed, the
hash is public before the draw, the command and the portal page recompute the same lists, and
the lists for a fixed seed are a known answer (the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from npohub.inspections import draw as drawing
from npohub.inspections import services
from npohub.inspections.models import ConflictDeclaration, LogKind, SpotCheck

from .factories import district_plan, pool, population

pytestmark = pytest.mark.django_db

SEED = hashlib.sha256(b"npohub known-answer seed").digest()
# ceil(5 % × 41) = 3 of the 41 associations 历下区抽查测试组织1000…1040, ranked by
# HMAC-SHA256(key=seed, msg="org:" + USCC) ascending. A known answer: the suite runs on SQLite
# and PostgreSQL, and both must draw exactly these, in this order.
KNOWN_ANSWER = [
    "org:513701020000102112",
    "org:51370102000010377G",
    "org:51370102000010155W",
]


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _committed(regions, cast, monkeypatch):
    population(regions, 41)
    pool(regions, 3)
    monkeypatch.setattr(drawing, "new_seed", lambda: SEED)
    actor = cast["district"]
    plan = district_plan(actor, regions)
    return services.plan_transition(actor=actor, plan=plan, transition="commit")


def test_a_fixed_seed_draws_the_known_answer_whatever_the_database(regions, cast, monkeypatch):
    plan = _committed(regions, cast, monkeypatch)
    assert plan.seed_hash == hashlib.sha256(SEED).hexdigest()
    plan = services.plan_transition(actor=cast["district"], plan=plan, transition="draw")
    assert list(plan.checks.order_by("number").values_list("org_key", flat=True)) == KNOWN_ANSWER
    # The same answer computed without draw.py, straight from the documented formula.
    keys = plan.population_snapshot[0]["population"]
    ranked = sorted(keys, key=lambda k: hmac.new(SEED, k.encode(), hashlib.sha256).hexdigest())
    assert ranked[:3] == KNOWN_ANSWER


def test_the_hash_is_public_before_the_draw_and_the_portal_recomputes_the_same_lists(
    regions, cast, monkeypatch
):
    plan = _committed(regions, cast, monkeypatch)
    public = Client()
    url = reverse("portal:inspection-plan", args=[plan.pk])

    # Committed: the hash is on the public list and page, the seed and the lists are not.
    assert plan.title in _text(public.get(reverse("portal:inspection-plan-list")))
    before = _text(public.get(url))
    assert f"抽取前公布的种子哈希（SHA-256） {hashlib.sha256(SEED).hexdigest()}" in before
    assert "随机种子 抽取后公布" in before
    assert SEED.hex() not in before and "抽查对象与结果" not in before

    actor = cast["district"]
    plan = services.plan_transition(actor=actor, plan=plan, transition="draw")
    assert SEED.hex() not in _text(public.get(url))  # drawn, not yet published
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")

    # Published: the seed, the drawn organisations, and a recomputation that agrees.
    after = _text(public.get(url))
    assert f"随机种子 {SEED.hex()}" in after
    assert (
        "一致：种子的SHA-256与抽取前公布的哈希相符，按公开算法重新计算的名单与公布的名单相同。"
        in after
    )
    assert "检查人员：3/3 个检查对象一致" in after
    assert "HMAC-SHA256(密钥=种子, 消息=k)" in after  # the algorithm, in Chinese
    listed = " ".join(k for k in KNOWN_ANSWER)
    assert f"社会团体 41 5% {listed} {listed} 是" in after
    for number, key in enumerate(KNOWN_ANSWER, start=1):
        assert f"{number} 历下区抽查测试组织" in after and key.removeprefix("org:") in after

    # The command says the same.
    out = io.StringIO()
    call_command("verify_spot_check", str(plan.pk), stdout=out)
    assert out.getvalue().splitlines()[-2:] == ["检查人员：3/3 个检查对象一致", "结果：一致"]
    assert "层 association：名录 41，比例 0.05，重新计算 3 个，一致" in out.getvalue()

    # A citizen reads the check in plain words; the technical detail is folded away.
    html = public.get(url).content.decode()
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "核对结果：一致。" in outside and "本页已替您核对了一遍" in outside
    for technical in ("HMAC", "verify_spot_check", "SQLite", "PostgreSQL", "org:"):
        assert technical not in outside
        assert technical in html  # still there, inside the details block
    assert '<details class="tech-details" id="verify-details">' in html  # folded by default

    # Anyone can try another seed: the page shows the mismatch and the lists it would give.
    other = hashlib.sha256(b"another seed").digest()
    wrong = _text(public.get(url, {"seed": other.hex()}))
    assert "不一致：种子的SHA-256与公布的哈希不符；重新计算的名单与公布的名单不同。" in wrong
    population_keys = plan.population_snapshot[0]["population"]
    recomputed = " ".join(drawing.draw_stratum(other, population_keys, Decimal("0.05")))
    assert f"社会团体 41 5% {recomputed} {listed} 否" in wrong
    assert "核对结果：不一致。" in wrong
    assert "随机种子应为64位十六进制数字" in _text(public.get(url, {"seed": "xyz"}))


def test_a_conflicted_inspector_is_never_drawn_for_any_seed(regions, cast, monkeypatch):
    """An inspector who declared a conflict with every organisation is skipped every time,
    whatever the seed, and each time the ranking reached them the skip is in the draw log."""
    orgs = population(regions, 41)
    entries = pool(regions, 4)
    for org in orgs:
        ConflictDeclaration.objects.create(
            inspector=entries[0],
            organization=org,
            reason="曾在该组织任职",
            declared_by=cast["district"],
            declared_at="2026-01-05T00:00:00Z",
        )
    actor = cast["district"]
    for n in range(12):
        seed = hashlib.sha256(f"seed {n}".encode()).digest()
        monkeypatch.setattr(drawing, "new_seed", lambda seed=seed: seed)
        plan = district_plan(actor, regions)
        for move in ("commit", "draw", "publish"):
            plan = services.plan_transition(actor=actor, plan=plan, transition=move)
        checks = SpotCheck.objects.filter(plan=plan)
        assert checks.count() == 3
        for check in checks:
            users = set(check.assignments.values_list("user_id", flat=True))
            assert len(users) == 2 and entries[0].user_id not in users
        reached = {
            c.pk
            for c in checks
            if entries[0].user_id
            in [u for u, _ in drawing.rank_inspectors(seed, plan.pk, c.number, plan.pool_snapshot)][
                :2
            ]
        }
        logged = set(
            plan.log.filter(kind=LogKind.EXCLUDED, user_id=entries[0].user_id).values_list(
                "spot_check_id", flat=True
            )
        )
        assert reached == logged
        assert services.plan_verify(plan).ok
