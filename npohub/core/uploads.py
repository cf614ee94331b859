"""Checking uploaded documents: the type comes from the content, never from the name.

Accepted: PDF without active content, PNG, JPEG, GIF, and Office Open XML documents
(.docx/.xlsx/.pptx) without macros. Legacy binary Office files (.doc/.xls) can carry macros
that cannot be checked without a parser, so they are refused with a hint to save as .docx/.xlsx.
Shared by every app that takes uploads (registration materials, annual-report attachments).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationFailed

if TYPE_CHECKING:
    from .models import StoredDocument

# Extension → content type, for the types accepted.
ACCEPTED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
# PDF names that run code or carry other files.
_PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"file": message})


def sniff(head: bytes, content: bytes, extension: str) -> str:
    """The accepted extension family the content really is, or raise."""
    if head.startswith(b"%PDF-"):
        if any(marker in content for marker in _PDF_ACTIVE):
            raise _refuse(_("PDF 文件含有脚本或嵌入文件，请另存为普通 PDF 后上传"))
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(_("不接受旧版 Office 文件（.doc/.xls），请另存为 .docx/.xlsx 后上传"))
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise _refuse(_("文件已损坏，无法识别")) from exc
        if any("vbaProject" in n or n.lower().endswith(".bin") for n in names):
            raise _refuse(_("Office 文件含有宏，请另存为不含宏的文档后上传"))
        if "[Content_Types].xml" in names:
            for ext, part in _OOXML_PART.items():
                if any(n.startswith(part) for n in names):
                    return ext
    raise _refuse(
        _("不支持的文件类型，只接受 PDF、图片（PNG/JPG/GIF）和 Word/Excel/PowerPoint 文档")
    )


def check_upload(name: str, stream: IO[bytes], *, max_bytes: int) -> CheckedFile:
    """Read and check one upload; raises ValidationFailed with the reason."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _refuse(_("文件超过大小上限 %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)})
    if not content:
        raise _refuse(_("文件是空的"))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED:
        raise _refuse(
            _("不支持的文件扩展名“%(ext)s”，只接受 %(list)s")
            % {"ext": extension or "—", "list": "、".join(sorted(set(ACCEPTED)))}
        )
    actual = sniff(content[:16], content, extension)
    family = "jpg" if extension == "jpeg" else extension
    if actual != family:
        raise _refuse(
            _("文件内容与扩展名不符（扩展名为 .%(ext)s，内容是 %(actual)s）")
            % {"ext": extension, "actual": actual.upper()}
        )
    safe_name = name.replace("/", "_").replace("\\", "_").strip()[:200] or f"file.{extension}"
    return CheckedFile(
        name=safe_name,
        extension=family,
        content_type=ACCEPTED[family],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def store_document(
    document: StoredDocument, *, name: str, stream: IO[bytes], max_bytes: int, uploaded_by: Any
) -> CheckedFile:
    """Check one upload and save it as ``document`` (an unsaved ``StoredDocument`` with its
    owner and kind set): the checked name, type, size and hash, the uploader and the time, the
    file under a random name (nothing of the user's file name reaches the file system). The
    caller holds the transaction and writes the audit record; raises ValidationFailed."""
    checked = check_upload(name, stream, max_bytes=max_bytes)
    document.original_name = checked.name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.uploaded_by = uploaded_by
    document.uploaded_at = timezone.now()
    document.file.save(
        f"{secrets.token_hex(16)}.{checked.extension}", ContentFile(checked.content), save=False
    )
    document.save()
    return checked


def discard_document(document: StoredDocument) -> dict[str, Any]:
    """Delete a stored document's row now and its file once the transaction commits; the
    audit payload naming what went."""
    payload = {"attachment": document.pk, "name": document.original_name, "sha256": document.sha256}
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    return payload
