"""Valid, unique-by-construction identifiers for demo rows: USCCs and resident ID numbers.

Uniqueness comes from a bijection on a counter (``(i * P + offset) mod N`` with ``P`` coprime to
``N``), so no set of issued codes has to be kept in memory even at the national size.
"""

from __future__ import annotations

import datetime as dt
import math

from stdnum.cn import ric

from npohub.core.validators import uscc_check_character

# GB 11714-1997 organisation code: 8 body characters, weights, check character.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Letters allowed in a USCC (no I, O, S, V, Z).
_CODE_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"


def _char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714): 0–9 or X."""
    total = sum(_char_value(c) * w for c, w in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else ("0" if check == 11 else str(check))


class _Permutation:
    """A fixed bijection of 0…n-1, different for each offset."""

    def __init__(self, n: int, multiplier: int, offset: int) -> None:
        if math.gcd(n, multiplier) != 1:
            raise ValueError("multiplier must be coprime to n")
        self.n = n
        self.multiplier = multiplier
        self.offset = offset % n

    def __call__(self, i: int) -> int:
        if i >= self.n:
            raise OverflowError("identifier space exhausted")
        return (i * self.multiplier + self.offset) % self.n


class UsccAllocator:
    """Issues USCCs: 5 + kind digit + authority division + organisation code + check.

    Organisations registered before 2016 keep a numeric organisation code (the old 代码证);
    later ones get a civil-affairs code beginning "MJ" like real 2016+ codes.
    """

    def __init__(self, offset: int) -> None:
        self._old = _Permutation(10_000_000, 7_368_787, offset)
        self._new = _Permutation(len(_CODE_LETTERS) * 100_000, 1_234_567, offset * 7 + 3)
        self._old_next = 0
        self._new_next = 0

    def _org_code(self, modern: bool) -> str:
        if modern and self._new_next < self._new.n:
            j = self._new(self._new_next)
            self._new_next += 1
            body = f"MJ{_CODE_LETTERS[j // 100_000]}{j % 100_000:05d}"
        else:
            j = self._old(self._old_next)
            self._old_next += 1
            body = f"5{j:07d}"
        return body + org_code_check(body)

    def issue(self, kind_digit: str, division6: str, *, modern: bool) -> str:
        first17 = f"5{kind_digit}{division6}{self._org_code(modern)}"
        return first17 + uscc_check_character(first17)


_BIRTH_FIRST = dt.date(1950, 1, 1)
_BIRTH_LAST = dt.date(2003, 12, 31)


class IdNumberAllocator:
    """Issues resident ID numbers (GB 11643): place + birth date + sequence + check.

    The birth date and the 3-digit sequence come from a permuted counter, so numbers never
    repeat; the place is the requested county code when it existed in the birth year (python-
    stdnum's table), else its city's or province's code.
    """

    def __init__(self, offset: int) -> None:
        days = (_BIRTH_LAST - _BIRTH_FIRST).days + 1
        self._perm = _Permutation(days * 1000, 15_485_863, offset)
        self._next = 0
        self._valid: dict[tuple[str, int], bool] = {}
        self._place: dict[tuple[str, int], str] = {}

    def _place_valid(self, code6: str, year: int) -> bool:
        key = (code6, year)
        if key not in self._valid:
            sample = f"{code6}{year}0701001"
            try:
                self._valid[key] = ric.is_valid(sample + ric.calc_check_digit(sample + "0"))
            except (KeyError, ValueError):  # a code stdnum knows without county details
                self._valid[key] = False
        return self._valid[key]

    def _place_for(self, code6: str, year: int) -> str:
        key = (code6, year)
        if key not in self._place:
            chosen = next(
                (
                    c
                    for c in (code6, code6[:4] + "00", code6[:2] + "0000")
                    if self._place_valid(c, year)
                ),
                "110101",
            )
            self._place[key] = chosen
        return self._place[key]

    def issue(self, code6: str) -> str:
        j = self._perm(self._next)
        self._next += 1
        born = _BIRTH_FIRST + dt.timedelta(days=j // 1000)
        first17 = f"{self._place_for(code6, born.year)}{born:%Y%m%d}{j % 1000:03d}"
        return first17 + ric.calc_check_digit(first17 + "0")
