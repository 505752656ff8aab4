"""Reads an auditor must be able to trace: who downloaded which attachment, and who
searched the tickets by a caller's phone number (recorded masked)."""

from __future__ import annotations

import io

import pytest

from weibao.audit.models import AuditRecord
from weibao.servicedesk.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


def test_an_attachment_download_is_audited(web, pm, new_ticket, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket()
    upload = io.BytesIO(b"%PDF-1.4 test")
    upload.name = "身份证复印件.pdf"
    web.post(f"/tickets/{ticket['id']}/reply/", {"body": "附件", "public": "on", "files": [upload]})
    attachment = Attachment.objects.get()
    assert not AuditRecord.objects.filter(action="ticket.attachment.download").exists()
    assert web.get(f"/tickets/attachments/{attachment.pk}/").status_code == 200
    entry = AuditRecord.objects.get(action="ticket.attachment.download")
    assert entry.actor == pm and entry.contract_id == ticket["contract"]
    assert entry.object_id == str(ticket["id"])
    assert entry.detail == {"attachment": attachment.pk, "name": "身份证复印件.pdf"}


def test_a_search_by_phone_is_audited_with_the_number_masked(web, pm, new_ticket):
    new_ticket(requester_phone="13912345678", subject="门户打不开")
    page = web.get("/tickets/", {"q": "139-1234-5678"})
    assert "门户打不开" in page.content.decode()
    web.get("/tickets/count/", {"q": "139-1234-5678"})  # the list's own count: the same search
    entry = AuditRecord.objects.get(action="ticket.search_by_phone")
    assert entry.actor == pm
    assert entry.detail == {"phone": "139****5678"} and entry.object_repr == "139****5678"
    assert "13912345678" not in str(entry.detail) + entry.object_repr


def test_a_search_by_phone_through_the_api_is_audited(api, pm, new_ticket):
    new_ticket(requester_phone="13912345678")
    assert api.get("/api/v1/tickets/", {"q": "13912345678"}).json()["count"] == 1
    assert AuditRecord.objects.filter(action="ticket.search_by_phone", actor=pm).count() == 1


def test_a_search_by_words_or_number_is_not_a_phone_search(web, new_ticket):
    new_ticket()
    for q in ("门户", "SL-2026", "2026", "--"):
        assert web.get("/tickets/", {"q": q}).status_code == 200
    assert not AuditRecord.objects.filter(action="ticket.search_by_phone").exists()
