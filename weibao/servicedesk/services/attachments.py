"""Files added to a ticket: typed by their first bytes (not their name or the browser's
word), named so that a download opens as what it is and never runs, and kept by digest.
The one way in for staff replies, the portal and mail."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.servicedesk.models import Attachment, Ticket

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Checked against the file's first bytes, not its name or the browser's word.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)


def sniff(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return "text/plain" if _looks_like_text(head) else None


_TEXT_CONTROLS = set("\t\n\r\f\x1b")


def _looks_like_text(head: bytes) -> bool:
    """Text in UTF-8 or in GB18030 (which covers GBK and GB2312: logs and CSV files from
    Chinese Windows machines). ``head`` is the file's first bytes, so its last character
    may be cut in two: the decoder is told more may follow."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ch < " " and ch not in _TEXT_CONTROLS)
        if controls <= len(text) // 100:
            return True
    return False


# The extensions a file of each sniffed type may carry; the first is given to a name whose
# extension says otherwise, so the name offered on download opens the file as what it is.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/gif": ("gif",),
    # OFD: GB/T 33190-2016, the format of Chinese electronic invoices (a ZIP container).
    "application/zip": ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "ofd"),
    # WPS Office's own formats (.wps/.et/.dps) are OLE files like .doc/.xls/.ppt.
    "application/x-ole-storage": ("doc", "xls", "ppt", "wps", "et", "dps", "msg"),
    # A forwarded mail (.eml, message/rfc822) is text too.
    "text/plain": ("txt", "log", "csv", "tsv", "json", "xml", "md", "ini", "conf", "cfg", "yaml", "yml", "sql", "eml"),
}
# Names Windows, macOS, Linux or Office run rather than open, wherever they appear among a
# name's suffixes: a PDF header does not stop invoice.pdf.exe being started by a double click.
EXECUTABLE_EXTENSIONS = frozenset("""
    exe com bat cmd scr pif cpl msc msi msp mst dll ocx sys drv lnk url scf inf reg hta chm hlp
    js jse vbs vbe vb wsf wsh wsc ws ps1 ps1xml ps2 ps2xml psc1 psc2 psd1 psm1 msh msh1 msh2 mshxml
    jar apk appx msix deb rpm dmg pkg command workflow gadget
    sh bash zsh csh ksh run elf py pyc pyo pyw pyz pl rb php php3 php4 php5 php7 phtml phar
    cgi asp aspx jsp jspx lua tcl
    docm dotm xlsm xltm xlam xla xll pptm potm ppam ppsm sldm
    iso vhd vhdx settingcontent-ms library-ms search-ms
""".split())
# Characters Windows does not allow in a file name (":" would also name an NTFS stream).
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|]')


def attachment_name(raw: str, content_type: str, *, refuse: bool = True) -> str:
    """The name an upload of ``content_type`` is stored and offered under.

    Refuses (on "file") a name that is an executable or a script under any of its
    suffixes, compared case-blind, in full-width letters, past a trailing dot or space (which
    Windows drops), an NTFS stream or a right-to-left override. A name whose extension is
    not one of the sniffed type's gets that type's extension instead (截图.jpg holding a PNG
    is stored as 截图.png). ``refuse=False`` renames instead of refusing, for names stored
    before this rule.
    """
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (bidi overrides among them) let a name look other than it is.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    folded = unicodedata.normalize("NFKC", name).lower()
    suffixes = {part.strip(" .") for part in re.split(r"[.:]", folded)[1:]}
    executable = bool(suffixes & EXECUTABLE_EXTENSIONS)
    if executable and refuse:
        raise ValidationError(
            {"file": _("“%(name)s”是可执行文件或脚本，不能作为附件上传。") % {"name": name[:100]}}
        )
    name = _UNSAFE_IN_NAME.sub("_", name).strip().rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    extension = unicodedata.normalize("NFKC", extension)
    allowed = EXTENSIONS.get(content_type)
    if allowed is None:  # a type sniffed by an earlier version: nothing to compare with
        return name[:200] or _("附件")
    if dot and stem and extension.lower() in allowed and not executable:
        return f"{stem[:190]}.{extension}"
    if dot and stem and re.fullmatch(r"[A-Za-z0-9-]{1,20}", extension) and not extension.isdigit():
        name = stem  # an extension that names another type is replaced, not kept in front
    return f"{(name or _('附件'))[:190]}.{allowed[0]}"


def offered_name(attachment: Attachment) -> str:
    """The name a download offers: the stored one, checked again for rows stored before
    ``attachment_name`` refused executables."""
    return attachment_name(attachment.name, attachment.content_type, refuse=False)


def add_attachment(ticket: Ticket, upload, *, by) -> Attachment:
    """Keep an upload, typed by its first bytes; its name must agree (``attachment_name``).
    The one way in for staff replies, the portal and mail: a user adds files with a reply."""
    require(by, ticket.contract_id, Capability.REPLY)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("附件不能超过 20 MB。")})
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            {"file": _("不支持的文件类型（允许 PDF、图片、Office 文档、压缩包、纯文本）。")}
        )
    name = attachment_name(upload.name, content_type)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        ticket=ticket, name=name, size=upload.size, content_type=content_type,
        sha256=digest.hexdigest(), uploaded_by=by,
    )
    attachment.file.save(f"{digest.hexdigest()[:16]}.bin", upload, save=False)
    attachment.save()
    return attachment
