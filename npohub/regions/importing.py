"""Reading division files into plain rows, with no database access.

Two layouts are understood:

``csv5``
    Five files ``provinces``, ``cities``, ``areas``, ``streets``, ``villages`` (``.csv`` or
    ``.csv.gz``), each with the columns ``code,name,<parent codes>``. Codes have 2, 4, 6, 9 and
    12 digits. There is no urban-rural column, so a community's flag is inferred from its name.
``nbs``
    The official NBS table: rows of ``12-digit code, 城乡分类代码, name`` (the 3-digit code may
    be empty above village level, or the row may have just ``code, name``), comma- or
    tab-separated, header optional. ``source`` is one file or a directory of such files.

Every problem raises :class:`DivisionFileError` naming the file and the line.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from .errors import DivisionFileError
from .models import Level, UrbanRural, UrbanRuralSource

LAYOUTS = ("csv5", "nbs")

# (file stem, level, digits in the code)
CSV5_FILES = (
    ("provinces", Level.PROVINCE, 2),
    ("cities", Level.CITY, 4),
    ("areas", Level.COUNTY, 6),
    ("streets", Level.TOWNSHIP, 9),
    ("villages", Level.VILLAGE, 12),
)
NBS_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
NAME_MAX = 100


@dataclass(slots=True)
class Unit:
    """One row of a division file, code padded to 12 digits."""

    code: str
    name: str
    level: int
    parent_code: str | None
    urban_rural: str
    urban_rural_source: str
    urban_rural_code: str
    file: str
    line: int


@dataclass
class ParsedSource:
    """All units of a source keyed by 12-digit code, plus rows folded into a higher level."""

    units: dict[str, Unit] = field(default_factory=dict)
    # Rows such as area 441900 东莞市 that repeat a city code (cities without counties).
    placeholders: int = 0


# Significant digits of the unit one level up (the parent's prefix), by level.
_PARENT_DIGITS = {2: 2, 3: 4, 4: 6, 5: 9}


def _level_of_full(full: str) -> int:
    """``codes.level_of`` for an already padded, valid code (hot path: 600k calls)."""
    if full[9:] != "000":
        return 5
    if full[6:9] != "000":
        return 4
    if full[4:6] != "00":
        return 3
    if full[2:4] != "00":
        return 2
    return 1


def _parent_of_full(full: str, level: int) -> str | None:
    """``codes.parent_code`` for an already padded code at a known level."""
    digits = _PARENT_DIGITS.get(level)
    return full[:digits].ljust(12, "0") if digits else None


def infer_urban_rural(name: str) -> str:
    """居委会/社区 → urban, 村委会/村 → rural, else unknown (a guess an official can correct)."""
    if "村民委员会" in name or "村委会" in name:
        return UrbanRural.RURAL
    if "居民委员会" in name or "居委会" in name or "社区" in name:
        return UrbanRural.URBAN
    if name.endswith("村"):
        return UrbanRural.RURAL
    return UrbanRural.UNKNOWN


def urban_rural_from_code(ur_code: str) -> str:
    """城乡分类代码 1xx → urban, 2xx → rural (domain rules §3)."""
    return UrbanRural.URBAN if ur_code.startswith("1") else UrbanRural.RURAL


def parse_source(source: Path, layout: str) -> ParsedSource:
    """Read ``source`` in ``layout`` into units; raise :class:`DivisionFileError` on any problem."""
    if layout not in LAYOUTS:
        raise DivisionFileError(
            f"未知格式 {layout!r}，应为 {' / '.join(LAYOUTS)}", file=str(source)
        )
    if not source.exists():
        raise DivisionFileError("文件或目录不存在", file=str(source))
    parsed = ParsedSource()
    if layout == "csv5":
        _parse_csv5(source, parsed)
    else:
        for path in _nbs_files(source):
            _parse_nbs_file(path, parsed)
    if not parsed.units:
        raise DivisionFileError("没有任何区划数据", file=str(source))
    return parsed


def _open_text(path: Path) -> IO[str]:
    raw = cast(
        "IO[bytes]",
        gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb"),  # noqa: SIM115 - closed with the wrapper
    )
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _csv5_path(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz"):
        if candidate.exists():
            return candidate
    raise DivisionFileError("文件不存在（也没有 .csv.gz）", file=str(directory / f"{stem}.csv"))


def _parse_csv5(directory: Path, parsed: ParsedSource) -> None:
    if not directory.is_dir():
        raise DivisionFileError("csv5 格式的来源应为包含五个文件的目录", file=str(directory))
    for stem, level, digits in CSV5_FILES:
        path = _csv5_path(directory, stem)
        name = str(path)
        with _open_text(path) as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            if header is None or [h.strip() for h in header[:2]] != ["code", "name"]:
                raise DivisionFileError("表头应以 code,name 开头", file=name, line=1)
            for row in rows:
                if not row or not any(row):
                    continue
                line = rows.line_num
                if len(row) < 2:
                    raise DivisionFileError(
                        "列数不足，应至少有 code,name 两列", file=name, line=line
                    )
                code = row[0].strip()
                if not code.isdigit() or len(code) != digits:
                    raise DivisionFileError(
                        f"区划代码 {code!r} 应为 {digits} 位数字", file=name, line=line
                    )
                _add(parsed, code, row[1], level, "", name, line)


def _nbs_files(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    files = sorted(p for p in source.iterdir() if p.name.endswith(NBS_SUFFIXES))
    if not files:
        raise DivisionFileError("目录中没有 .csv / .tsv / .txt 文件", file=str(source))
    return files


def _nbs_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with _open_text(path) as handle:
        first = handle.readline()
        delimiter = "\t" if "\t" in first else ","
        handle.seek(0)
        rows = csv.reader(handle, delimiter=delimiter)
        for row in rows:
            cells = [cell.strip() for cell in row]
            if any(cells):
                yield rows.line_num, cells


def _parse_nbs_file(path: Path, parsed: ParsedSource) -> None:
    name = str(path)
    for line, cells in _nbs_rows(path):
        if line == 1 and not cells[0].isdigit():
            continue  # header row
        if len(cells) == 2:
            code, ur_code, unit_name = cells[0], "", cells[1]
        elif len(cells) == 3:
            # Official order is code, 城乡分类代码, name; accept code, name, 城乡分类代码 too.
            if _looks_like_ur_code(cells[2]) and not _looks_like_ur_code(cells[1]):
                code, unit_name, ur_code = cells
            else:
                code, ur_code, unit_name = cells
        else:
            raise DivisionFileError(
                f"应为 3 列（代码、城乡分类代码、名称）或 2 列（代码、名称），实际 {len(cells)} 列",
                file=name,
                line=line,
            )
        if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
            raise DivisionFileError(f"区划代码 {code!r} 应为 12 位数字", file=name, line=line)
        if ur_code and not _looks_like_ur_code(ur_code):
            raise DivisionFileError(
                f"城乡分类代码 {ur_code!r} 应为以 1 或 2 开头的 3 位数字", file=name, line=line
            )
        level = _level_of_full(code.ljust(12, "0"))
        if level == Level.VILLAGE and not ur_code:
            raise DivisionFileError("村级区划缺少城乡分类代码", file=name, line=line)
        _add(parsed, code, unit_name, level, ur_code, name, line)


def _looks_like_ur_code(value: str) -> bool:
    return len(value) == 3 and value.isdigit() and value[0] in "12"


def _add(
    parsed: ParsedSource, code: str, name: str, level: int, ur_code: str, file: str, line: int
) -> None:
    name = name.strip()
    if not name:
        raise DivisionFileError("名称为空", file=file, line=line)
    if len(name) > NAME_MAX:
        raise DivisionFileError(f"名称超过 {NAME_MAX} 个字", file=file, line=line)
    full = code.ljust(12, "0")  # callers checked: digits, 2/4/6/9/12 long
    actual_level = _level_of_full(full)
    earlier = parsed.units.get(full)
    if earlier is not None:
        if actual_level < level and earlier.level == actual_level:
            # A county-less city (东莞市) or an island county (金门县) repeated one level down.
            parsed.placeholders += 1
            return
        raise DivisionFileError(
            f"区划代码 {code} 重复（首次出现在 {earlier.file} 第 {earlier.line} 行）",
            file=file,
            line=line,
        )
    if actual_level != level:
        raise DivisionFileError(f"区划代码 {code} 不是本文件的级别", file=file, line=line)
    source: str
    if ur_code:
        urban_rural, source = urban_rural_from_code(ur_code), UrbanRuralSource.OFFICIAL
    elif level == Level.VILLAGE:
        urban_rural = infer_urban_rural(name)
        source = UrbanRuralSource.INFERRED if urban_rural != UrbanRural.UNKNOWN else ""
    else:
        urban_rural, source = UrbanRural.UNKNOWN, ""
    parsed.units[full] = Unit(
        full, name, level, _parent_of_full(full, level), urban_rural, source, ur_code, file, line
    )
