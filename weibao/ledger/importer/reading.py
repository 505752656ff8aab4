"""The text of a contract from what a person pastes or uploads (.txt, .docx, .pdf with a
text layer). Anything else is a 400 naming the field (``BadParameter``), never a 500."""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.translation import gettext as _

from weibao.core.params import CONTROL_CHARACTERS, BadParameter

# A long contract with its annexes is well under 100,000 characters (the seed: 3,500). The
# importer reads ~40,000 characters a second on this machine, so the cap keeps a request
# to a few seconds.
MAX_TEXT_CHARS = 200_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 300
# Fewer Chinese characters than this is not a Chinese contract (or a scanned PDF).
MIN_CHINESE_CHARS = 20
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
EXTENSIONS = (".txt", ".docx", ".pdf")


def contract_text(value, field: str = "text") -> str:
    """The pasted text, checked: present, not too long, text rather than bytes, Chinese."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadParameter(field, _("请粘贴合同文本或上传合同文件。"))
    if not isinstance(value, str):
        raise BadParameter(field, _("合同文本必须是字符串。"))
    if len(value) > MAX_TEXT_CHARS:
        raise BadParameter(
            field, _("合同文本过长（%(n)s 字符），最多 %(max)s 字符。") % {"n": len(value), "max": MAX_TEXT_CHARS}
        )
    if CONTROL_CHARACTERS.search(value) or "\ufffd" in value:
        raise BadParameter(field, _("内容含有二进制数据，不是合同文本。"))
    if len(_CHINESE.findall(value)) < MIN_CHINESE_CHARS:
        raise BadParameter(field, _("这不像一份中文合同：几乎没有中文文字。"))
    return value


def text_of_upload(name: str, data: bytes, field: str = "file") -> str:
    """The text of an uploaded contract file, by its extension."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadParameter(field, _("文件过大，最多 %(mb)s MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not data:
        raise BadParameter(field, _("上传的文件是空的。"))
    lower = (name or "").lower()
    if lower.endswith(".txt"):
        text = _decode(data, field)
    elif lower.endswith(".docx"):
        text = _docx_text(data, field)
    elif lower.endswith(".pdf"):
        text = _pdf_text(data, field)
    else:
        raise BadParameter(field, _("只接受 .txt、.docx 或带文字层的 .pdf 文件。"))
    return contract_text(text, field)


def _decode(data: bytes, field: str) -> str:
    if b"\x00" in data:
        raise BadParameter(field, _("该文件是二进制文件，不是文本文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadParameter(field, _("无法识别文件编码，请另存为 UTF-8 文本后上传。"))


def _docx_text(data: bytes, field: str) -> str:
    from docx import Document  # python-docx: imported on use, it loads lxml
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BadParameter(field, _("无法读取该 DOCX 文件：文件已损坏或不是 Word 文档。")) from exc
    except Exception as exc:  # noqa: BLE001 - a malformed package raises lxml's and docx's own errors
        raise BadParameter(field, _("无法读取该 DOCX 文件：文件已损坏或不是 Word 文档。")) from exc
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            # A table flattened row by row, cells separated by spaces (as the importer reads
            # the payment and penalty tables of pasted text).
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                lines.append(" ".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _pdf_text(data: bytes, field: str) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadParameter(field, _("该 PDF 已加密，请上传未加密的文件。"))
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise BadParameter(field, _("PDF 页数过多（最多 %(max)s 页）。") % {"max": MAX_PDF_PAGES})
        text = "\n".join(page.extract_text() or "" for page in pages)
    except BadParameter:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many error types on a malformed file
        raise BadParameter(field, _("无法读取该 PDF 文件：文件已损坏或不是 PDF。")) from exc
    if len(_CHINESE.findall(text)) < MIN_CHINESE_CHARS:
        raise BadParameter(
            field, _("该 PDF 没有文字层（可能是扫描件），无法读取文字。请上传带文字层的 PDF 或 DOCX，或直接粘贴合同文本。")
        )
    return text
