"""Reading import spreadsheets within bounds (issue 20, finding 2).

An upload is refused before anything is stored or parsed when it is too large
(``NPOHUB_IMPORT_MAX_UPLOAD_BYTES``). For the zip formats (.xlsx, .xlsm, .ods) the archive is
then checked without trusting what it declares: the number of entries, each entry's declared
size and compression ratio, and then every entry is decompressed in small chunks, counting the
bytes that actually come out (``NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES``,
``NPOHUB_IMPORT_MAX_COMPRESSION_RATIO``). While the worksheets stream past, their rows and
columns are counted from the tags themselves (not from the ``<dimension>`` header a file may
forge), and the file is refused as soon as a sheet passes ``NPOHUB_IMPORT_MAX_ROWS`` rows or
``NPOHUB_IMPORT_MAX_COLUMNS`` columns: a sheet is never read past its first forbidden row, and
python-calamine (which builds the whole sheet in memory) only ever sees a file that fits.

:func:`count_rows` gives the number of data rows the import will read (the background /
foreground choice is made from it); :func:`read_rows` yields the rows one by one and stops
with the same refusal if a file somehow holds more rows than were counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

from npohub.core.errors import ValidationFailed

CHUNK = 1 << 20  # bytes decompressed at a time
MAX_ZIP_ENTRIES = 2000  # an .xlsx has a few dozen parts
RATIO_FLOOR = 1 << 20  # entries smaller than this are not judged by their ratio
SMALL_PART = 4 << 20  # workbook.xml and its relationships are kept to find the first sheet
ZIP_FORMATS = (".xlsx", ".xlsm", ".ods")
CALAMINE_FORMATS = (".xlsx", ".xlsm", ".xls", ".ods")


class FileRefused(ValidationFailed):
    """The file cannot be imported as it is (too large, too many rows, not a spreadsheet)."""

    code = "import.file_refused"


class FileTooLarge(FileRefused):
    code = "import.file_too_large"
    http_status = 413


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_rows: int  # data rows, the header row not counted
    max_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_upload_bytes=settings.NPOHUB_IMPORT_MAX_UPLOAD_BYTES,
            max_uncompressed_bytes=settings.NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_ratio=settings.NPOHUB_IMPORT_MAX_COMPRESSION_RATIO,
            max_rows=settings.NPOHUB_IMPORT_MAX_ROWS,
            max_columns=settings.NPOHUB_IMPORT_MAX_COLUMNS,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.0f}" if size >= 1 << 20 else f"{size / (1 << 20):.2f}"


def too_many_rows(limits: Limits) -> FileRefused:
    return FileRefused(
        _("一次最多导入%(limit)s行，请拆分文件后分批导入") % {"limit": limits.max_rows},
        code="import.too_many_rows",
        details={"file": _("行数超过上限")},
    )


def _too_many_columns(limits: Limits) -> FileRefused:
    return FileRefused(
        _("文件的列数超过%(limit)s列，请使用导入模板") % {"limit": limits.max_columns},
        code="import.too_many_columns",
        details={"file": _("列数超过上限")},
    )


def _unreadable() -> FileRefused:
    return FileRefused(
        _("无法读取文件，请上传由导入模板填写的 .xlsx 文件"),
        code="import.unreadable",
        details={"file": _("无法读取")},
    )


def _bomb(limits: Limits) -> FileRefused:
    return FileRefused(
        _(
            "文件解压后超过%(size)s MB或压缩比异常（疑似压缩炸弹），已拒绝。"
            "请用导入模板重新保存后上传"
        )
        % {"size": _megabytes(limits.max_uncompressed_bytes)},
        code="import.decompressed_too_large",
        details={"file": _("解压后过大")},
    )


def check_upload_size(size: int | None, limits: Limits) -> None:
    """Refuse an upload over the size limit (called before the upload is read or stored)."""
    if size is not None and size > limits.max_upload_bytes:
        raise FileTooLarge(
            _("文件大小为%(size)s MB，超过上限%(limit)s MB，请拆分后分批导入")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_upload_bytes)},
            details={"file": _("文件过大")},
        )


# --- Zip archives -------------------------------------------------------------------------------


def _zip_entry_count(handle: IO[bytes]) -> int | None:
    """The entry count of the end-of-central-directory record, read before ``zipfile`` builds
    one object per entry; None when the record is not found (not a zip)."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    tail = min(size, 22 + 0xFFFF)
    handle.seek(size - tail)
    data = handle.read(tail)
    handle.seek(0)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    count: int = struct.unpack("<H", data[at + 10 : at + 12])[0]
    return count


def _open_zip(handle: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    count = _zip_entry_count(handle)
    if count is None:
        raise _unreadable()
    if count >= min(MAX_ZIP_ENTRIES, 0xFFFF):
        raise _bomb(limits)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable() from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _bomb(limits)
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        raise _bomb(limits)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _bomb(limits)
    return archive


class _Budget:
    """Bytes actually decompressed, across the whole archive and per entry."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0

    def chunks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        produced = 0
        allowed_by_ratio = max(RATIO_FLOOR, self.limits.max_ratio * max(info.compress_size, 1))
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    produced += len(chunk)
                    self.total += len(chunk)
                    if self.total > self.limits.max_uncompressed_bytes:
                        raise _bomb(self.limits)
                    if produced > allowed_by_ratio:
                        raise _bomb(self.limits)
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            # a bad CRC (sizes that lie), an unknown compression, an encrypted entry
            raise _unreadable() from exc


def _complete_tags(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The stream cut at tag boundaries: no yielded piece ends inside a tag."""
    tail = b""
    for chunk in chunks:
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"<")
        if cut < 0 or data.find(b">", cut) >= 0:
            tail = b""
            yield data
        else:
            tail = data[cut:]
            yield data[:cut]
    if tail:
        yield tail


_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_XLSX_REF = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{0,3})(\d+)["\']')
_XLSX_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?worksheet[\s>]")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _wider_than(columns: int) -> bytes:
    """A regex alternation of the column letters (1-3 of them) beyond column ``columns``."""
    last = _column_letters(columns).rjust(3, "@")  # "@" sorts before "A": no letter there
    options = ["[A-Z]{4}"] if columns < 18278 else []
    for width in (3, 2, 1):
        head = last[3 - width :]
        if len(head.lstrip("@")) < width:
            options.append(f"[A-Z]{{{width}}}")
            continue
        for i, char in enumerate(head):
            if char < "Z":
                options.append(head[:i] + f"[{chr(ord(char) + 1)}-Z]" + "[A-Z]" * (width - i - 1))
        break
    return "|".join(options).encode()


class _FastPatterns(NamedTuple):
    row: bytes  # b"<row" (with the file's namespace prefix, if any)
    cell: bytes  # b"<c"
    rows: re.Pattern[bytes]  # every <row r="N" …>, N and "/" when it is empty
    wide: re.Pattern[bytes]  # cells past the last allowed column, "/" when empty
    irregular: re.Pattern[bytes]  # a row or cell tag not followed by ' r="'


class _SheetScan:
    """Counts rows holding at least one cell of a worksheet, refusing at the first row or column
    past the limits. Rows and cells written as empty elements (``<row …/>``, ``<c …/>``) hold
    no value and are not counted.

    Files that write ``r="…"`` first on every row and cell (Excel, WPS, LibreOffice, openpyxl)
    are counted with a few C-level searches per megabyte; any other layout falls back to a
    tag-by-tag pass that follows positional cells too (same limits, slower).
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows = 0
        self.row_number = 0
        self.column = 0
        self.counted = True
        self.last_row = limits.max_rows + 1
        self.fast: _FastPatterns | None = None
        self.precise = False

    def feed(self, piece: bytes) -> None:
        if self.fast is None and not self.precise:
            root = _XLSX_ROOT.search(piece)
            literal = (root.group(1) or b"") if root else b""
            prefix = re.escape(literal)
            self.fast = _FastPatterns(
                row=b"<" + literal + b"row",
                cell=b"<" + literal + b"c",
                rows=re.compile(b"<" + prefix + rb'row r="(\d+)"[^>]*?(/?)>'),
                wide=re.compile(
                    b"<"
                    + prefix
                    + b'c r="(?:'
                    + _wider_than(self.limits.max_columns)
                    + rb')\d+"[^>]*?(/?)>'
                ),
                irregular=re.compile(b"<" + prefix + rb"(?:row|c)[>/\t\r\n\f]"),
            )
        fast = self.fast
        if not self.precise and fast is not None and self._regular(piece, fast):
            self._fast(piece, fast)
        else:
            self.precise = True
            self._precise(piece)

    @staticmethod
    def _regular(piece: bytes, fast: _FastPatterns) -> bool:
        return (
            piece.count(fast.row + b" ") == piece.count(fast.row + b' r="')
            and piece.count(fast.cell + b" ") == piece.count(fast.cell + b' r="')
            and fast.irregular.search(piece) is None
        )

    def _fast(self, piece: bytes, fast: _FastPatterns) -> None:
        if any(not empty for empty in fast.wide.findall(piece)):
            raise _too_many_columns(self.limits)
        found = fast.rows.findall(piece)
        if not found:
            return
        numbers = [int(number) for number, empty in found if not empty]
        self.rows += len(numbers)
        self.row_number = int(found[-1][0])  # a row already counted when it has cells
        if self.rows > self.last_row or (numbers and max(numbers) > self.last_row):
            raise too_many_rows(self.limits)

    def _precise(self, piece: bytes) -> None:
        limits = self.limits
        for match in _XLSX_TAG.finditer(piece):
            name, attrs = match.groups()
            empty = attrs.endswith(b"/")
            ref = _XLSX_REF.search(attrs)
            if name == b"row":
                self.row_number = int(ref.group(2)) if ref else self.row_number + 1
                self.column = 0
                self.counted = empty
                continue
            letters = ref.group(1) if ref else b""
            self.column = _column_number(letters) if letters else self.column + 1
            if empty:
                continue
            if self.column > limits.max_columns:
                raise _too_many_columns(limits)
            if not self.counted:
                self.counted = True
                self.rows += 1
                if self.rows > self.last_row or self.row_number > self.last_row:
                    raise too_many_rows(limits)


def _scan_xlsx_sheet(pieces: Iterator[bytes], limits: Limits, stop_after: int | None) -> int:
    """Rows with a cell (header included); stops early once more than ``stop_after`` data rows
    are seen (then the count is a lower bound)."""
    scan = _SheetScan(limits)
    for piece in pieces:
        scan.feed(piece)
        if stop_after is not None and scan.rows > stop_after + 1:
            break
    return scan.rows


def _first_sheet_part(parts: dict[str, bytes]) -> str | None:
    """The worksheet python-calamine reads as sheet 0: the first ``<sheet>`` of the workbook,
    through the workbook's relationships."""
    workbook, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if not workbook or not rels or b"<!DOCTYPE" in workbook or b"<!DOCTYPE" in rels:
        return None
    try:
        sheet = next(
            (e for e in ET.fromstring(workbook).iter() if e.tag.rsplit("}", 1)[-1] == "sheet"),
            None,
        )
        rel_id = next(
            (
                v
                for k, v in (sheet.attrib.items() if sheet is not None else [])
                if k.endswith("}id")
            ),
            None,
        )
        targets = {
            e.get("Id"): e.get("Target", "")
            for e in ET.fromstring(rels).iter()
            if e.tag.rsplit("}", 1)[-1] == "Relationship"
        }
    except ET.ParseError:
        return None
    target = targets.get(rel_id)
    if not target:
        return None
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def _drain(chunks: Iterator[bytes]) -> None:
    for _chunk in chunks:
        pass


def _small_part(chunks: Iterator[bytes]) -> bytes | None:
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > SMALL_PART:
            _drain(chunks)
            return None
    return bytes(data)


def _scan_xlsx(handle: IO[bytes], limits: Limits, stop_after: int | None) -> int:
    budget = _Budget(limits)
    with _open_zip(handle, limits) as archive:
        infos = archive.infolist()
        by_name = {info.filename: info for info in infos}
        small = {
            name: data
            for name in WORKBOOK_PARTS
            if name in by_name
            and (data := _small_part(budget.chunks(archive, by_name[name]))) is not None
        }
        sheets = [
            info
            for info in infos
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        ]
        if not sheets:
            raise _unreadable()
        first = _first_sheet_part(small)
        if stop_after is not None and first in by_name:
            # Inside the request: only the sheet the import reads, and only until it is known
            # to be a background job; the worker scans the whole archive before parsing it.
            sheets = [by_name[first]]
        rows: dict[str, int] = {}
        for info in infos:
            if info.filename in small:
                continue
            chunks = budget.chunks(archive, info)
            if info in sheets:
                rows[info.filename] = _scan_xlsx_sheet(_complete_tags(chunks), limits, stop_after)
            elif stop_after is None:
                _drain(chunks)
    counted = rows[first] if first in rows else max(rows.values())
    return max(counted - 1, 0)


_ODS_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated\s*=\s*["\'](\d+)["\']')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated\s*=\s*["\'](\d+)["\']')


def _scan_ods_content(pieces: Iterator[bytes], limits: Limits) -> int:
    """Rows with a value in the first table (header included), counting ``number-rows-repeated``
    and ``number-columns-repeated`` as the reader expands them; every table is bounded."""
    first_rows: int | None = None
    rows = position = column = repeat = 0
    has_value = False
    last_row = limits.max_rows + 1
    for piece in pieces:
        for match in _ODS_TAG.finditer(piece):
            closing, name, attrs = match.groups()
            if name == b"table":
                if closing and first_rows is None:
                    first_rows = rows
                rows = position = 0
                continue
            if name == b"table-row":
                if closing:
                    position += repeat
                    if has_value:
                        rows += repeat
                        if rows > last_row or position > last_row:
                            raise too_many_rows(limits)
                    continue
                found = _ROWS_REPEATED.search(attrs)
                repeat = int(found.group(1)) if found else 1
                column, has_value = 0, False
                if attrs.endswith(b"/"):
                    position += repeat
                continue
            if closing:
                continue
            found = _COLUMNS_REPEATED.search(attrs)
            column += int(found.group(1)) if found else 1
            if b"value-type" in attrs or not attrs.endswith(b"/"):
                if column > limits.max_columns:
                    raise _too_many_columns(limits)
                has_value = True
    return rows if first_rows is None else first_rows


def _scan_ods(handle: IO[bytes], limits: Limits) -> int:
    budget = _Budget(limits)
    rows = 0
    with _open_zip(handle, limits) as archive:
        for info in archive.infolist():
            chunks = budget.chunks(archive, info)
            if info.filename == "content.xml":
                rows = _scan_ods_content(_complete_tags(chunks), limits)
            else:
                _drain(chunks)
    return max(rows - 1, 0)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_encoding(handle: IO[bytes]) -> str:
    """utf-8 (with or without BOM) when the whole file decodes so, else gb18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    handle.seek(0)
    return encoding


def _csv_rows(handle: IO[bytes], limits: Limits) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(handle, encoding=_csv_encoding(handle), errors="replace", newline="")
    try:
        for row in csv.reader(text):
            if len(row) > limits.max_columns:
                raise _too_many_columns(limits)
            yield row
    except csv.Error as exc:
        raise _unreadable() from exc
    finally:
        text.detach()


# --- Legacy .xls (BIFF8 in an OLE2 compound file) -----------------------------------------------
# python-calamine reads a whole .xls sheet into memory, so before it sees the file the workbook
# stream is walked record by record: each worksheet's declared DIMENSIONS and the row and column
# of every cell record actually present are checked against the limits (a forged DIMENSIONS
# header does not help), and a stream declaring more bytes than the file holds is refused.

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_FREE, OLE_END = 0xFFFFFFFF, 0xFFFFFFFE
BIFF_BOF, BIFF_EOF, BIFF_DIMENSIONS = 0x0809, 0x000A, 0x0200
BIFF_WORKSHEET = 0x0010
# Cell records: row (u16) and column (u16) first; MULRK/MULBLANK end with their last column.
BIFF_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
BIFF_MULTI_CELLS = {0x00BD, 0x00BE}
# The longest text one cell may hold (Excel's own limit); longer is refused while reading.
MAX_CELL_CHARACTERS = 32_767


def _cell_too_long() -> FileRefused:
    return FileRefused(
        _("单元格内容超过%(limit)s个字符，请检查文件") % {"limit": f"{MAX_CELL_CHARACTERS:,}"},
        code="import.cell_too_long",
        details={"file": _("单元格内容过长")},
    )


def _ole_stream(data: bytes, names: tuple[str, ...], limits: Limits) -> bytes | None:
    """The bytes of the first stream called one of ``names`` in an OLE2 compound file (None
    when it is small enough to live in the mini stream: nothing to bound then)."""
    if len(data) < 512 or data[:8] != OLE_SIGNATURE:
        raise _unreadable()
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise _unreadable()
    size = 1 << shift
    sectors = max((len(data) - size) // size, 0)

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise _unreadable()
        return data[(n + 1) * size : (n + 2) * size]

    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff = struct.unpack_from("<I", data, 0x38)[0]
    difat_next, difat_count = struct.unpack_from("<II", data, 0x44)
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    for _step in range(min(difat_count, sectors)):
        if difat_next in (OLE_FREE, OLE_END):
            break
        block = struct.unpack(f"<{size // 4}I", sector(difat_next))
        fat_sectors.extend(block[:-1])
        difat_next = block[-1]
    fat: list[int] = []
    for n in fat_sectors[: min(fat_count, sectors)]:
        if n not in (OLE_FREE, OLE_END):
            fat.extend(struct.unpack(f"<{size // 4}I", sector(n)))

    def chain(start: int) -> Iterator[bytes]:
        seen = 0
        while start not in (OLE_FREE, OLE_END):
            seen += 1
            if seen > sectors or start >= len(fat):  # a loop or a dangling link
                raise _unreadable()
            yield sector(start)
            start = fat[start]

    directory = b"".join(chain(first_dir))
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        if entry[0x42] != 2 or name not in names:
            continue
        start, declared = struct.unpack_from("<IQ", entry, 0x74)
        if shift == 9:  # version 3 files keep only the low 32 bits
            declared &= 0xFFFFFFFF
        if declared > len(data) or declared > limits.max_uncompressed_bytes:
            raise _bomb(limits)  # a stream cannot hold more than the file carries
        if declared < cutoff:
            return None
        return b"".join(chain(start))[:declared]
    raise _unreadable()


def _scan_xls(handle: IO[bytes], limits: Limits) -> int | None:
    """Data rows of the first worksheet of an .xls (the largest row index of its cells), after
    checking every worksheet's declared and actual rows and columns against the limits."""
    data = handle.read(limits.max_upload_bytes + 1)
    stream = _ole_stream(data, ("Workbook", "Book"), limits)
    if stream is None:
        return None
    first_rows: int | None = None
    in_sheet, last_row = False, 0
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == BIFF_BOF and len(body) >= 4:
            in_sheet = struct.unpack_from("<H", body, 2)[0] == BIFF_WORKSHEET
            last_row = 0
        elif kind == BIFF_EOF:
            if in_sheet and first_rows is None:
                first_rows = last_row
            in_sheet = False
        elif not in_sheet:
            continue
        elif kind == BIFF_DIMENSIONS and len(body) >= 12:
            _rw_first, rw_last, _col_first, col_last = struct.unpack_from("<IIHH", body, 0)
            if rw_last > limits.max_rows + 1:  # rows 0 … rw_last-1, the header being row 0
                raise too_many_rows(limits)
            if col_last > limits.max_columns:
                raise _too_many_columns(limits)
        elif (kind in BIFF_CELLS or kind in BIFF_MULTI_CELLS) and len(body) >= 6:
            row, column = struct.unpack_from("<HH", body, 0)
            if kind in BIFF_MULTI_CELLS:
                column = struct.unpack_from("<H", body, len(body) - 2)[0]
            if column + 1 > limits.max_columns:
                raise _too_many_columns(limits)
            if row > limits.max_rows:
                raise too_many_rows(limits)
            last_row = max(last_row, row)
    return first_rows if first_rows is not None else 0


# --- The two entry points -----------------------------------------------------------------------


def count_rows(
    handle: IO[bytes], filename: str, limits: Limits, *, stop_after: int | None = None
) -> int | None:
    """Data rows (header excluded) the import will read, counted while streaming the file and
    refusing it (``FileRefused``) once a limit is passed. With ``stop_after``, counting stops
    once more rows than that are seen (the answer is then only known to be larger). None when
    the format cannot be counted without parsing it (an .xls whose workbook is small enough
    for the compound file's mini stream)."""
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            return _scan_xlsx(handle, limits, stop_after)
        if name.endswith(".ods"):
            return _scan_ods(handle, limits)
        if name.endswith(".xls"):
            return _scan_xls(handle, limits)
        if name.endswith(".csv"):
            rows = -1
            for row in _csv_rows(handle, limits):
                if row:
                    rows += 1
                    if rows > limits.max_rows:
                        raise too_many_rows(limits)
                    if stop_after is not None and rows > stop_after:
                        break
            return max(rows, 0)
        return None
    finally:
        handle.seek(0)


def read_rows(
    handle: IO[bytes],
    filename: str,
    limits: Limits,
    *,
    counted: Callable[[int], None] | None = None,
) -> Generator[list[Any], None, None]:
    """The rows of the first sheet (or the CSV), header first, one at a time, as Python values
    (cells padded from column A as ``to_python(skip_empty_area=False)`` does).

    The file is scanned first (:func:`count_rows`: every limit, before anything is parsed) and
    ``counted`` is told the number of data rows; a file that holds more than ``max_rows`` data
    rows raises ``FileRefused`` before its rows are read.
    """
    name = filename.lower()
    rows = count_rows(handle, filename, limits)
    if name.endswith(".csv"):
        if counted is not None and rows is not None:
            counted(rows)
        yield from _csv_rows(handle, limits)
        return
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(handle).get_sheet_by_index(0)
    except Exception as exc:  # any parser failure means "not a spreadsheet we can read"
        raise _unreadable() from exc
    if sheet.end is None:  # an empty sheet
        return
    if sheet.end[1] + 1 > limits.max_columns:
        raise _too_many_columns(limits)
    if sheet.end[0] > limits.max_rows:  # rows 0 … end, the header being row 0
        raise too_many_rows(limits)
    if counted is not None:
        counted(rows if rows is not None else sheet.end[0])
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for row in sheet.iter_rows():
        longest = MAX_CELL_CHARACTERS
        if any(isinstance(cell, str) and len(cell) > longest for cell in row):
            raise _cell_too_long()
        yield [*pad, *row] if pad else row
