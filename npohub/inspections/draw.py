"""The verifiable draw (commit–reveal), as pure functions: no database, no clock.

The algorithm (also shown on the public verification page):

1. **Commit.** When a plan is committed the platform draws a 32-byte seed from the operating
   system's CSPRNG (``secrets.token_bytes(32)``), keeps it hidden, and publishes its hash
   ``H = sha256(seed)`` as 64 lower-case hex digits. From then on nobody can change the seed
   without the published hash giving it away.
2. **Population.** At the draw the eligible organisations are fixed in a *population snapshot*
   stored with the plan: per stratum, the ordered list of keys. The key of an organisation is
   ``"org:" + 统一社会信用代码`` (``"id:<registry id>"`` when it has none).
3. **Objects.** In each stratum every key ``k`` gets the score
   ``HMAC-SHA256(key=seed, msg=k)`` (hex), the keys are sorted by score ascending, and the first
   ``ceil(ratio × n)`` are drawn (``n`` = keys in the stratum; ratio as an exact decimal).
   Check numbers 1, 2, 3 … follow the strata in their stored order, then the rank.
4. **Inspectors.** For check number ``c`` of plan ``p`` every inspector ``u`` of the pool
   snapshot gets ``HMAC-SHA256(key=seed, msg="inspector:<p>:<c>:<u>")`` (``u`` = user id);
   sorted ascending, inspectors with a conflict of interest (recorded in the draw log with the
   reason) are skipped and the next one is drawn in their place, until the check has its
   number of inspectors.
5. **Reveal.** After the draw the seed is published. Anyone can check ``sha256(seed) = H`` and
   recompute steps 3–4 from the stored snapshots: ``manage.py verify_spot_check <plan id>``
   and the public page do exactly that.

Sorting happens here in Python on hex strings, never in the database, so SQLite and PostgreSQL
give the same lists for the same seed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal

SEED_BYTES = 32


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def seed_hash(seed: bytes) -> str:
    """The published commitment: sha256 of the raw seed bytes, hex."""
    return hashlib.sha256(seed).hexdigest()


def seed_from_hex(value: str) -> bytes:
    """The seed from its hex form; ``ValueError`` when it is not 64 hex digits."""
    text = (value or "").strip().lower()
    if len(text) != SEED_BYTES * 2:
        raise ValueError("seed must be 64 hex digits")
    return bytes.fromhex(text)


def score(seed: bytes, message: str) -> str:
    """HMAC-SHA256(key=seed, msg=message), hex."""
    return hmac.new(seed, message.encode("utf-8"), hashlib.sha256).hexdigest()


def organization_key(uscc: str | None, pk: int) -> str:
    return f"org:{uscc}" if uscc else f"id:{pk}"


def inspector_message(plan_id: int, check_no: int, user_id: int) -> str:
    return f"inspector:{plan_id}:{check_no}:{user_id}"


def draw_count(ratio: Decimal, population: int) -> int:
    """ceil(ratio × n), exactly (no floating point)."""
    return int(math.ceil(Decimal(ratio) * population)) if population else 0


def rank(seed: bytes, keys: Iterable[str]) -> list[tuple[str, str]]:
    """(key, score) sorted by score ascending (ties, which do not happen, by key)."""
    return sorted(((key, score(seed, key)) for key in keys), key=lambda item: (item[1], item[0]))


def draw_stratum(seed: bytes, keys: Sequence[str], ratio: Decimal) -> list[str]:
    """The keys drawn from one stratum, in rank order."""
    return [key for key, _ in rank(seed, keys)[: draw_count(ratio, len(keys))]]


def rank_inspectors(
    seed: bytes, plan_id: int, check_no: int, user_ids: Iterable[int]
) -> list[tuple[int, str]]:
    """(user id, score) of the pool for one check, ascending."""
    scored = [(uid, score(seed, inspector_message(plan_id, check_no, uid))) for uid in user_ids]
    return sorted(scored, key=lambda item: (item[1], item[0]))


def draw_inspectors(
    seed: bytes,
    plan_id: int,
    check_no: int,
    user_ids: Iterable[int],
    excluded: Iterable[int],
    needed: int,
) -> list[int]:
    """The first ``needed`` inspectors of the ranking who are not excluded."""
    skip = set(excluded)
    chosen = [
        uid for uid, _ in rank_inspectors(seed, plan_id, check_no, user_ids) if uid not in skip
    ]
    return chosen[:needed]
