"""Issue 20, finding 2, legacy .xls: python-calamine reads a whole .xls sheet into memory, so the
workbook stream is walked first and a file whose declared or actual rows or columns pass the
limits, or whose stream claims more bytes than the file holds, is refused before it is parsed;
a cell longer than Excel's 32,767 characters is refused while the rows are read."""

from __future__ import annotations

import io
import struct

import pytest
import python_calamine
from openpyxl import Workbook

from npohub.orgs import import_files
from npohub.orgs.import_files import (
    FileRefused,
    Limits,
    count_rows,
    read_rows,
)

LIMITS = Limits(
    max_upload_bytes=1 << 20,
    max_uncompressed_bytes=1 << 20,
    max_ratio=100,
    max_rows=10,
    max_columns=5,
)
END, FREE = 0xFFFFFFFE, 0xFFFFFFFF


def biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def number(row: int, column: int) -> bytes:
    return biff(0x0203, struct.pack("<HHHd", row, column, 15, 1.0))


def workbook_stream(*, dimensions=(0, 1, 0, 1), cells=()) -> bytes:
    globals_ = biff(0x0809, struct.pack("<HH", 0x0600, 0x0005) + bytes(12))
    padding = biff(0x00E1, bytes(4096))  # an ignorable record: the stream leaves the mini stream
    sheet = biff(0x0809, struct.pack("<HH", 0x0600, 0x0010) + bytes(12))
    sheet += biff(0x0200, struct.pack("<IIHHH", *dimensions, 0))
    for row, column in cells:
        sheet += number(row, column)
    return globals_ + padding + biff(0x000A, b"") + sheet + biff(0x000A, b"")


def compound_file(stream: bytes, *, declared: int | None = None) -> bytes:
    """A version-3 OLE2 file: FAT in sector 0, directory in sector 1, the stream from sector 2."""
    size = 512
    count = -(-len(stream) // size)
    fat = [0xFFFFFFFD, END, *range(3, 2 + count), END]
    fat += [FREE] * (size // 4 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", 0, *([FREE] * 108))

    def entry(name: str, kind: int, start: int, length: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        raw = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
        raw += struct.pack("<III", FREE, FREE, 1 if kind == 5 else FREE) + bytes(16 + 4 + 16)
        return raw + struct.pack("<IQ", start, length)

    directory = entry("Root Entry", 5, END, 0)
    directory += entry("Workbook", 2, 2, len(stream) if declared is None else declared)
    directory = directory.ljust(size, b"\0")
    body = stream.ljust(count * size, b"\0")
    return header + struct.pack(f"<{size // 4}I", *fat) + directory + body


@pytest.fixture
def calamine_must_not_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the .xls was parsed although it should have been refused first")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)


def refusal(data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        list(read_rows(io.BytesIO(data), "legacy.xls", LIMITS))
    return info.value


def test_a_workbook_within_the_limits_is_counted_from_its_cells(calamine_must_not_run):
    data = compound_file(workbook_stream(dimensions=(0, 6, 0, 3), cells=[(0, 0), (5, 2)]))
    assert count_rows(io.BytesIO(data), "legacy.xls", LIMITS) == 5


def test_declared_dimensions_past_the_row_limit_are_refused_before_parsing(calamine_must_not_run):
    data = compound_file(workbook_stream(dimensions=(0, 65_536, 0, 3)))
    assert refusal(data).code == "import.too_many_rows"


def test_a_forged_small_dimension_does_not_hide_cells_beyond_the_row_limit(
    calamine_must_not_run,
):
    data = compound_file(workbook_stream(dimensions=(0, 1, 0, 1), cells=[(0, 0), (500, 0)]))
    assert refusal(data).code == "import.too_many_rows"


@pytest.mark.parametrize(
    "stream",
    [
        workbook_stream(dimensions=(0, 2, 0, 200)),
        workbook_stream(dimensions=(0, 1, 0, 1), cells=[(0, 40)]),
    ],
)
def test_columns_past_the_limit_declared_or_present_are_refused(calamine_must_not_run, stream):
    assert refusal(compound_file(stream)).code == "import.too_many_columns"


def test_a_stream_claiming_more_bytes_than_the_file_is_refused(calamine_must_not_run):
    data = compound_file(workbook_stream(), declared=1 << 30)
    assert refusal(data).code == "import.decompressed_too_large"


def test_a_file_that_is_not_an_ole2_workbook_is_unreadable(calamine_must_not_run):
    assert refusal(b"not a workbook" * 100).code == "import.unreadable"


def test_a_cell_longer_than_the_bound_is_refused_while_reading(monkeypatch):
    # Excel and openpyxl stop at 32,767 characters; a smaller bound shows the check reading.
    monkeypatch.setattr(import_files, "MAX_CELL_CHARACTERS", 100)
    book = Workbook()
    book.active.append(["名称", "住所"])
    book.active.append(["合唱队", "路" * 101])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRefused) as info:
        list(read_rows(io.BytesIO(buffer.getvalue()), "groups.xlsx", LIMITS))
    assert info.value.code == "import.cell_too_long"
