"""An attachment's name tells the truth about its content: executable and script names are
refused wherever the extension hides (``invoice.pdf.exe``, ``run.BAT.``), and the name
stored and offered on download ends with the extension of the type its bytes show."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import attachments

PDF = b"%PDF-1.4\n" + b"1 0 obj\n" * 20
ZIP = b"PK\x03\x04" + bytes(range(40)) * 5
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
GBK_LOG = "2026-11-24 09:15:02 统一身份认证平台：证书校验超时。\r\n".encode("gbk") * 40


@pytest.fixture
def ticket(new_ticket, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Ticket.objects.get(pk=new_ticket()["id"])


@pytest.mark.parametrize(("name", "content"), [
    ("run.bat", PDF),
    ("page.hta", ZIP),
    ("invoice.pdf.exe", PDF),
    ("INVOICE.PDF.EXE", PDF),
    ("invoice.exe.pdf", PDF),
    ("setup.exe.", PDF),
    ("setup.exe . .", PDF),
    ("setup.exe::$DATA", PDF),
    ("报告.ｅｘｅ", PDF),  # full-width letters
    ("invoice\u202efdp.exe", PDF),  # shown as "invoiceexe.pdf" by a right-to-left override
    ("tool.jar", ZIP),
    ("macro.xlsm", ZIP),
    ("install.msi", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
    ("deploy.ps1", b"Get-ChildItem\r\n" * 10),
    ("job.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("C:\\Users\\x\\Desktop\\readme.txt.vbs", b"MsgBox 1\r\n"),
])
def test_executable_and_script_names_are_refused_naming_the_file(ticket, pm, name, content):
    with pytest.raises(ValidationError) as refused:
        attachments.add_attachment(ticket, SimpleUploadedFile(name, content), by=pm)
    assert "file" in refused.value.message_dict
    assert not ticket.attachments.exists()


@pytest.mark.parametrize(("name", "content", "stored"), [
    ("扫描件.pdf", PDF, "扫描件.pdf"),
    ("合同.docx", ZIP, "合同.docx"),
    ("发票.ofd", ZIP, "发票.ofd"),
    ("系统日志.log", GBK_LOG, "系统日志.log"),
    ("事项.csv", "\ufeff事项编码,事项名称\r\n1,营业执照变更\r\n".encode(), "事项.csv"),
    ("截图.JPG", PNG, "截图.png"),  # a PNG called .jpg: named by what it is
    ("report.pdf", ZIP, "report.zip"),
    ("page.html", b"<html><script>alert(1)</script></html>", "page.txt"),
    ("messages", GBK_LOG, "messages.txt"),
    ("v1.2", PDF, "v1.2.pdf"),
])
def test_the_stored_name_ends_with_the_extension_of_what_the_bytes_are(ticket, pm, name, content, stored):
    assert attachments.add_attachment(ticket, SimpleUploadedFile(name, content), by=pm).name == stored


def test_staff_upload_is_refused_and_download_offers_the_checked_name(ticket, pm, client_for):
    web = client_for(pm)
    evil = io.BytesIO(PDF)
    evil.name = "invoice.pdf.exe"
    response = web.post(f"/tickets/{ticket.pk}/reply/", {"body": "发票", "files": [evil]}, follow=True)
    assert "invoice.pdf.exe" in response.content.decode()  # the refusal names the file
    assert not ticket.attachments.exists()
    shot = io.BytesIO(PNG)
    shot.name = "截图.jpg"
    web.post(f"/tickets/{ticket.pk}/reply/", {"body": "截图", "files": [shot]})
    stored = ticket.attachments.get()
    download = web.get(f"/tickets/attachments/{stored.pk}/")
    assert "filename*=utf-8''%E6%88%AA%E5%9B%BE.png" in download["Content-Disposition"]



def test_a_name_stored_before_the_rule_is_offered_checked(ticket, pm, client_for):
    from django.core.files.base import ContentFile

    from weibao.servicedesk.models import Attachment

    stored = Attachment(ticket=ticket, name="invoice.pdf.exe", size=len(PDF), content_type="application/pdf",
                        sha256="0" * 64, uploaded_by=pm)
    stored.file.save("legacy.bin", ContentFile(PDF), save=False)
    stored.save()
    download = client_for(pm).get(f"/tickets/attachments/{stored.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="invoice.pdf.pdf"'
