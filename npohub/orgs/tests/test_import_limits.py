"""Issue 20, finding 2: an import file cannot exhaust memory.

Every file here is small; the limits are lowered with settings so each case stays cheap.
"""

import io
import re
import zipfile

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from npohub.accounts.services import api_token_create
from npohub.core.errors import ValidationFailed
from npohub.orgs import import_files
from npohub.orgs.import_files import FileRefused, FileTooLarge, Limits, count_rows, read_rows
from npohub.orgs.imports import COMMUNITY_GROUP, import_start
from npohub.orgs.models import ImportJob, ImportStatus, Organization

pytestmark = pytest.mark.django_db

HEADER = [
    "名称",
    "住所社区/村区划代码",
    "类别",
    "负责人",
    "负责人手机",
    "备案日期",
    "宗旨/活动内容",
]


def group_row(i):
    return [f"解放桥社区第{i}舞蹈队", "370102001002", "文体活动", "李娜", "13800000000"]


def workbook_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([*row, "2023-04-01", "组织居民开展文体活动"][: len(header)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(data, name, change):
    """The .xlsx with one part changed (bytes → bytes), every other part as it was."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            target.writestr(info.filename, change(part) if info.filename == name else part)
    return out.getvalue()


def forged_dimension(data):
    """The sheet claims to hold one row (``<dimension ref="A1:G1"/>``) whatever it holds."""
    return rewrite(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G1"', xml),
    )


def upload(user, data, name="groups.xlsx"):
    return import_start(actor=user, kind=COMMUNITY_GROUP, upload=SimpleUploadedFile(name, data))


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if python-calamine is asked to parse anything."""

    class Refuse:
        @classmethod
        def from_filelike(cls, *args, **kwargs):
            raise AssertionError("the file was parsed")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Refuse)


# --- Upload size --------------------------------------------------------------------------------


def test_an_upload_over_the_size_limit_is_refused_in_chinese_before_it_is_stored(
    cast, regions, settings
):
    settings.NPOHUB_IMPORT_MAX_UPLOAD_BYTES = 4_000
    data = workbook_bytes([group_row(i) for i in range(200)])
    assert len(data) > 4_000

    with pytest.raises(FileTooLarge) as refused:
        upload(cast["street"], data)

    assert "超过上限" in refused.value.message and refused.value.http_status == 413
    assert refused.value.code == "import.file_too_large"
    assert not ImportJob.objects.exists()


def test_the_import_page_and_the_api_refuse_an_oversized_upload_and_store_nothing(
    cast, regions, settings
):
    settings.NPOHUB_IMPORT_MAX_UPLOAD_BYTES = 4_000
    data = workbook_bytes([group_row(i) for i in range(200)])
    client = Client()
    client.force_login(cast["street"])

    page = client.post(
        "/orgs/imports/upload/",
        {"kind": COMMUNITY_GROUP, "file": SimpleUploadedFile("g.xlsx", data)},
        follow=True,
    )
    assert "超过上限" in page.content.decode()

    _, raw = api_token_create(actor=cast["street"], user=cast["street"], name="tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    answer = api.post(
        "/api/v1/imports/",
        {"kind": COMMUNITY_GROUP, "file": SimpleUploadedFile("g.xlsx", data)},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "import.file_too_large"
    assert not ImportJob.objects.exists()


# --- Rows are counted, not declared -------------------------------------------------------------


def test_a_sheet_whose_header_claims_one_row_goes_to_the_background_by_its_real_rows(
    cast, regions, settings, django_capture_on_commit_callbacks
):
    settings.NPOHUB_IMPORT_SYNC_LIMIT = 10
    data = forged_dimension(workbook_bytes([group_row(i) for i in range(40)]))
    assert b'<dimension ref="A1:G1"' in data or b"A1:G1" in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )

    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = upload(cast["street"], data)

    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING and len(queued) == 1  # a task, not the request
    assert job.total_rows > 10
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW and job.total_rows == 40


def test_a_sheet_over_the_row_cap_is_refused_before_it_is_read_to_the_end(
    cast, regions, settings, monkeypatch, no_parsing
):
    settings.NPOHUB_IMPORT_MAX_ROWS = 20
    monkeypatch.setattr(import_files, "CHUNK", 4096)
    data = forged_dimension(workbook_bytes([group_row(i) for i in range(2_000)]))
    sheet_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    fed = []
    feed = import_files._SheetScan.feed
    monkeypatch.setattr(
        import_files._SheetScan,
        "feed",
        lambda self, piece: fed.append(len(piece)) or feed(self, piece),
    )

    with pytest.raises(FileRefused) as refused:
        upload(cast["street"], data)

    assert "一次最多导入20行" in refused.value.message
    assert refused.value.code == "import.too_many_rows"
    assert sum(fed) < sheet_size / 10  # stopped a little after row 21, not at the end
    assert not ImportJob.objects.exists()


def test_the_worker_refuses_a_stored_file_over_the_cap_without_parsing_it(
    cast, regions, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.NPOHUB_IMPORT_SYNC_LIMIT = 5
    data = forged_dimension(workbook_bytes([group_row(i) for i in range(30)]))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = upload(cast["street"], data)  # the request counts only past the inline limit
    settings.NPOHUB_IMPORT_MAX_ROWS = 20  # lowered since: the worker counts every row again

    class Refuse:
        @classmethod
        def from_filelike(cls, *args, **kwargs):
            raise AssertionError("the file was parsed")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Refuse)
    for callback in queued:
        callback()

    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert [e["message"] for e in job.errors] == ["一次最多导入20行，请拆分文件后分批导入"]
    assert not Organization.objects.exists()


def test_a_row_far_below_the_data_is_refused_before_the_sheet_is_built(cast, regions, settings):
    settings.NPOHUB_IMPORT_MAX_ROWS = 20
    data = rewrite(
        workbook_bytes([group_row(1)]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row></sheetData>',
        ),
    )
    with pytest.raises(FileRefused) as refused:
        upload(cast["street"], data)
    assert refused.value.code == "import.too_many_rows"
    assert not ImportJob.objects.exists()


def test_a_cell_in_a_far_column_is_refused_before_the_sheet_is_built(cast, regions):
    data = rewrite(
        workbook_bytes([group_row(1)]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</row></sheetData>", b'<c r="XFD2" t="n"><v>1</v></c></row></sheetData>'
        ),
    )
    with pytest.raises(FileRefused) as refused:
        upload(cast["street"], data)
    assert refused.value.code == "import.too_many_columns"
    assert not ImportJob.objects.exists()


def test_rows_written_without_cell_references_are_counted_one_by_one(settings):
    settings.NPOHUB_IMPORT_MAX_ROWS = 20
    rows = "".join(f"<row><c><v>{i}</v></c><c><v>{i}</v></c></row>" for i in range(30))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    data = rewrite(workbook_bytes([]), "xl/worksheets/sheet1.xml", lambda xml: sheet)
    with pytest.raises(FileRefused):
        count_rows(io.BytesIO(data), "x.xlsx", Limits.from_settings())
    settings.NPOHUB_IMPORT_MAX_ROWS = 40
    assert count_rows(io.BytesIO(data), "x.xlsx", Limits.from_settings()) == 29


# --- Archives that decompress past the limits ----------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_declared_size_without_being_inflated(
    cast, regions, settings, no_parsing
):
    settings.NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    padding = b" " * (30 * 1024 * 1024)  # 30 MB of spaces deflate to ~30 KB
    data = rewrite(
        workbook_bytes([group_row(1)]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
    )
    assert len(data) < 100_000

    with pytest.raises(FileRefused) as refused:
        upload(cast["street"], data)

    assert refused.value.code == "import.decompressed_too_large"
    assert "压缩炸弹" in refused.value.message
    assert not ImportJob.objects.exists()


def test_a_zip_bomb_that_lies_about_its_size_is_refused_while_inflating(settings):
    """The central directory says the sheet is 1 KB; inflating stops at the real limits."""
    settings.NPOHUB_IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    settings.NPOHUB_IMPORT_MAX_COMPRESSION_RATIO = 50
    padding = b" " * (30 * 1024 * 1024)
    data = bytearray(
        rewrite(
            workbook_bytes([group_row(1)]),
            "xl/worksheets/sheet1.xml",
            lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
        )
    )
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    lie = (1024).to_bytes(4, "little")
    assert data.count(real) == 2  # local header and central directory
    data = data.replace(real, lie)

    with pytest.raises(FileRefused) as refused:
        count_rows(io.BytesIO(bytes(data)), "x.xlsx", Limits.from_settings())
    assert refused.value.code in ("import.decompressed_too_large", "import.unreadable")


def test_an_archive_of_too_many_parts_is_refused_before_its_directory_is_read(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(import_files.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"x/{i}", b"")
    with pytest.raises(FileRefused) as refused:
        count_rows(io.BytesIO(out.getvalue()), "x.xlsx", Limits.from_settings())
    assert refused.value.code == "import.decompressed_too_large"


def test_an_ods_whose_repeated_rows_expand_past_the_cap_is_refused(cast, regions, settings):
    settings.NPOHUB_IMPORT_MAX_ROWS = 20
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="S"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>名称</text:p></table:table-cell>'
        '</table:table-row><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="string"><text:p>队</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    with pytest.raises(FileRefused) as refused:
        upload(cast["street"], out.getvalue(), name="groups.ods")
    assert refused.value.code == "import.too_many_rows"
    assert not ImportJob.objects.exists()


def test_a_csv_over_the_row_cap_is_refused_at_upload(cast, regions, settings):
    settings.NPOHUB_IMPORT_MAX_ROWS = 20
    lines = [",".join(HEADER[:3])] + [f"第{i}队,370102001002,文体活动" for i in range(30)]
    with pytest.raises(FileRefused):
        upload(cast["street"], "\n".join(lines).encode(), name="groups.csv")
    assert not ImportJob.objects.exists()


# --- The streaming reader reads what the whole-sheet reader read ---------------------------------


def test_the_streaming_reader_pads_rows_from_column_a_like_the_whole_sheet_reader():
    workbook = Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"], sheet["C5"], sheet["D6"] = "名称", "代码", "队", 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    whole = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    expected = whole.get_sheet_by_index(0).to_python(skip_empty_area=False)
    counted = []

    rows = list(
        read_rows(
            io.BytesIO(buffer.getvalue()), "x.xlsx", Limits.from_settings(), counted=counted.append
        )
    )

    assert rows == expected and counted == [2]


def test_a_refusal_is_a_validation_failure_naming_the_file():
    refusal = import_files.too_many_rows(Limits.from_settings())
    assert isinstance(refusal, ValidationFailed) and "file" in refusal.details
