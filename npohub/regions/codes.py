"""Pure functions on 12-digit statistical division codes (the materialised path)."""

from __future__ import annotations

# (level, number of significant digits)
_LEVEL_DIGITS = ((1, 2), (2, 4), (3, 6), (4, 9), (5, 12))


def pad(code: str) -> str:
    """A code of 2, 4, 6, 9 or 12 digits padded with zeros to 12 digits."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ValueError(f"区划代码应为2、4、6、9或12位数字：{code!r}")
    return code.ljust(12, "0")


def level_of(code: str) -> int:
    """The level of a 12-digit code: 1 province … 5 village, from its non-zero segments."""
    code = pad(code)
    level = 1
    for lvl, digits in _LEVEL_DIGITS[1:]:
        previous = dict(_LEVEL_DIGITS)[lvl - 1]
        if code[previous:digits].strip("0"):
            level = lvl
    return level


def prefix_of(code: str, level: int | None = None) -> str:
    """The significant leading digits of a code at its (or the given) level."""
    code = pad(code)
    lvl = level or level_of(code)
    return code[: dict(_LEVEL_DIGITS)[lvl]]


def ancestors(code: str) -> list[tuple[int, str]]:
    """(level, 12-digit code) for the unit itself and every unit above it, top first."""
    code = pad(code)
    lvl = level_of(code)
    result = []
    for level, digits in _LEVEL_DIGITS:
        if level > lvl:
            break
        result.append((level, code[:digits].ljust(12, "0")))
    return result


def parent_code(code: str) -> str | None:
    chain = ancestors(code)
    return chain[-2][1] if len(chain) > 1 else None


def is_valid(code: str) -> bool:
    try:
        pad(code)
    except ValueError:
        return False
    return True
