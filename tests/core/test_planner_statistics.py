"""The nightly refresh of SQLite's planner statistics (core.tasks)."""

from __future__ import annotations

from django.db import connection

from weibao.core.tasks import refresh_query_planner_statistics
from weibao.testing.factories import TicketFactory


def test_the_nightly_task_gives_sqlite_statistics_of_the_tickets_indexes(desk, contract, pm):
    TicketFactory(contract=contract, by=pm)
    ran = refresh_query_planner_statistics.call_local()
    if connection.vendor != "sqlite":
        assert ran is False  # autovacuum's job there
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'servicedesk_ticket'")
        analysed = {row[0] for row in cursor.fetchall()}
    assert {"ticket_status_filter_cover", "ticket_recent"} <= analysed
