"""Requesters are anonymised WEIBAO_PERSONAL_DATA_RETENTION_DAYS after their ticket ended,
after a dry run that changes nothing; the trail says how many and which, never who
(issue 17, PIPL art. 19)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from weibao.audit.models import AuditRecord
from weibao.servicedesk import tasks
from weibao.servicedesk.models import Ticket

PHONE = "13912345678"


def _ended(ticket: dict, status: str, when: dt.datetime) -> int:
    fields = {"status": status, "updated_at": when}
    if status == "closed":
        fields["closed_at"] = when
    Ticket.objects.filter(pk=ticket["id"]).update(**fields)
    return ticket["id"]


@pytest.fixture
def tickets(new_ticket, clock, settings):
    settings.WEIBAO_PERSONAL_DATA_RETENTION_DAYS = 365
    now = clock.now()
    return {
        "old_closed": _ended(new_ticket(requester_phone=PHONE, requester_email="a@example.com"), "closed",
                             now - dt.timedelta(days=400)),
        "old_cancelled": _ended(new_ticket(requester_phone=PHONE), "cancelled", now - dt.timedelta(days=366)),
        "recent_closed": _ended(new_ticket(requester_phone=PHONE), "closed", now - dt.timedelta(days=300)),
        "old_but_open": _ended(new_ticket(requester_phone=PHONE), "in_progress", now - dt.timedelta(days=900)),
    }


def _requesters() -> dict[int, tuple[str, str, str]]:
    return {t.pk: (t.requester_name, t.requester_phone, t.requester_email) for t in Ticket.objects.all()}


def test_the_dry_run_reports_per_contract_and_changes_nothing(tickets, contract):
    before = _requesters()
    out = StringIO()
    call_command("anonymise_requesters", stdout=out)
    report = out.getvalue()
    assert f"{contract.number}  {contract.name}: 2 ticket(s), oldest ended 2025-10-20" in report
    assert "Dry run: 2 requester(s) would be anonymised" in report
    assert _requesters() == before
    assert not AuditRecord.objects.filter(action="ticket.personal_data.anonymise").exists()


def test_apply_anonymises_only_those_past_the_period(tickets, api):
    call_command("anonymise_requesters", "--apply", stdout=StringIO())
    after = _requesters()
    assert after[tickets["old_closed"]] == ("匿名", "", "")
    assert after[tickets["old_cancelled"]] == ("匿名", "", "")
    assert after[tickets["recent_closed"]] == ("张三", PHONE, "")
    assert after[tickets["old_but_open"]] == ("张三", PHONE, "")
    # The anonymised ones are no longer found by the phone they had.
    found = {t["id"] for t in api.get("/api/v1/tickets/", {"q": PHONE}).json()["results"]}
    assert found == {tickets["recent_closed"], tickets["old_but_open"]}
    assert Ticket.objects.get(pk=tickets["old_closed"]).requester_phone_hash == ""


def test_the_trail_records_counts_and_tickets_never_values(tickets, contract):
    call_command("anonymise_requesters", "--apply", stdout=StringIO())
    record = AuditRecord.objects.get(action="ticket.personal_data.anonymise")
    assert record.contract_id == contract.pk
    assert record.detail["count"] == 2
    assert sorted(record.detail["ticket_ids"]) == sorted([tickets["old_closed"], tickets["old_cancelled"]])
    assert PHONE not in str(record.detail) and "张三" not in str(record.detail)
    # A second run finds nothing left to do and records nothing more.
    out = StringIO()
    call_command("anonymise_requesters", "--apply", stdout=out)
    assert "No requester is past the retention period." in out.getvalue()
    assert AuditRecord.objects.filter(action="ticket.personal_data.anonymise").count() == 1


def test_the_nightly_task_applies_it(tickets):
    assert tasks.anonymise_expired_requesters.call_local() == 2
    assert Ticket.objects.get(pk=tickets["old_closed"]).requester_name == "匿名"


def test_another_contracts_requesters_are_reported_and_audited_apart(tickets, other_contract, contract, clock):
    other = Ticket.objects.get(pk=tickets["old_closed"])
    Ticket.objects.filter(pk=tickets["old_cancelled"]).update(contract=other_contract)
    call_command("anonymise_requesters", "--apply", stdout=StringIO())
    records = {r.contract_id: r.detail["ticket_ids"] for r in AuditRecord.objects.filter(
        action="ticket.personal_data.anonymise")}
    assert records == {contract.pk: [other.pk], other_contract.pk: [tickets["old_cancelled"]]}


def test_the_auditor_sees_the_last_run_of_their_contract_only(tickets, contract, other_contract, make_member,
                                                              client_for):
    call_command("anonymise_requesters", "--apply", stdout=StringIO())
    page = client_for(make_member(contract, "auditor", username="aud")).get("/audit/reveals/").content.decode()
    assert "到期匿名化" in page and "2 张工单（保存期限 365 天）" in page
    assert PHONE not in page
    elsewhere = client_for(make_member(other_contract, "auditor", username="aud2")).get("/audit/reveals/")
    assert "2 张工单" not in elsewhere.content.decode()
