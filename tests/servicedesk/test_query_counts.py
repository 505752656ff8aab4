"""What one request of the ticket pages and the API costs in SQL statements, and that the
cost does not grow with the tickets on the list or the entries on a ticket (issue 19).

Each budget counts everything the request runs, the audit seal after its commit included
(production seals after commit; the test settings seal at once, so the tests switch to
after-commit and run that one callback). The test's own transaction turns the request's
transaction, and the seal's, into savepoints: 2 statements more each here than in
production, where their BEGIN and COMMIT are not statements the count sees.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.audit.services import seal_pending
from weibao.feedback.services.ratings import rate
from weibao.servicedesk.models import SupportGroup, Ticket
from weibao.servicedesk.services import tickets

REQUEST_SAVEPOINT = 2  # SAVEPOINT / RELEASE of the request's transaction inside the test's
MEMBERSHIPS_OF = 'SELECT "contracts_membership"."id", "contracts_membership"."contract_id"'
SEAL_SAVEPOINT = 2  # and of the audit seal's, after the request's


@pytest.fixture
def web(pm, client_for, clock):
    client = client_for(pm)
    client.get("/tickets/")  # the session's first request writes "last seen"
    return client


@pytest.fixture(autouse=True)
def _seal_after_commit(settings):
    settings.WEIBAO_AUDIT_SEALING = "after_commit"


@pytest.fixture
def count(django_capture_on_commit_callbacks):
    """Run ``request`` once; its statements, the audit seal after its commit included."""

    def run(request, ok=(200,)):
        seal_pending()  # what the set-up wrote is not this request's to seal
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks() as callbacks:
                response = request()
            for callback in callbacks:
                if getattr(callback, "__name__", "") == "_seal_after_commit":
                    callback()
        assert response.status_code in ok, response.content[:500]

        return [q["sql"] for q in queries.captured_queries]

    return run


def _open(contract, pm, n, **fields):
    made = []
    for i in range(n):
        made.append(tickets.create_ticket(
            contract, by=pm, type="fault", priority="p2", channel="phone", subject=f"审批系统打印乱码 {i}",
            requester_name="赵六", requester_phone="13812345678", **fields,
        ))
    return made


def _with_entries(ticket, pm, n):
    for i in range(n):
        tickets.add_reply(ticket, f"已远程排查，第 {i} 次回复", by=pm, public=i % 2 == 0)
    return ticket


# --- the list and its count ----------------------------------------------------------------


def test_the_list_page_costs_the_same_for_5_and_50_tickets(web, desk, contract, pm, count, engineer):
    _open(contract, pm, 5, assignee=engineer)
    few = count(lambda: web.get("/tickets/"))
    _open(contract, pm, 45, assignee=engineer)
    many = count(lambda: web.get("/tickets/"))
    assert len(many) == len(few) <= 6 + REQUEST_SAVEPOINT, many
    # The filter form's components, groups and team: one query.
    assert sum('"servicedesk_supportgroup"' in sql for sql in many) == 1, many
    # The navigation's administrator check is answered by the user's own query.
    assert not any('"accounts_adminrolegrant"' in sql and "accounts_user" not in sql for sql in many), many
    # The rows read what a row shows: not the description, nor the phone and e-mail that
    # every row would decrypt without showing them.
    (rows,) = [sql for sql in many if sql.startswith('SELECT "servicedesk_ticket"."id"') and "LIMIT" in sql]
    for unshown in ("description", "requester_phone", "requester_email", "requester_organisation"):
        assert f'"servicedesk_ticket"."{unshown}"' not in rows, rows


def test_the_list_count_costs_the_same_for_5_and_50_tickets(web, desk, contract, pm, count):
    _open(contract, pm, 5)
    few = count(lambda: web.get("/tickets/count/"))
    _open(contract, pm, 45)
    many = count(lambda: web.get("/tickets/count/"))
    assert len(many) == len(few) <= 4 + REQUEST_SAVEPOINT, many
    # A fragment: no navigation, no administrator-role lookup for a shell it does not show.
    assert not any(sql.startswith('SELECT "accounts_adminrolegrant"') for sql in many), many


def test_a_search_costs_the_same_for_5_and_50_matches(web, desk, contract, pm, count):
    _open(contract, pm, 5)
    few = count(lambda: web.get("/tickets/", {"q": "打印"}))
    _open(contract, pm, 45)
    many = count(lambda: web.get("/tickets/", {"q": "打印"}))
    assert len(many) == len(few) <= 9 + REQUEST_SAVEPOINT, many


# --- one ticket -----------------------------------------------------------------------------


def test_the_ticket_page_costs_the_same_for_5_and_50_entries(web, desk, contract, pm, count):
    first, second = _open(contract, pm, 2)
    _with_entries(first, pm, 5)
    _with_entries(second, pm, 50)
    few = count(lambda: web.get(f"/tickets/{first.pk}/"))
    many = count(lambda: web.get(f"/tickets/{second.pk}/"))
    assert len(many) == len(few) <= 12 + REQUEST_SAVEPOINT, many
    # The lists beside the ticket that are empty (no attachment, work log, link, rating,
    # escalation, change, data mark) are found empty by one probe, not read one by one.
    (probe,) = [sql for sql in many if sql.startswith("SELECT EXISTS")]
    for table in ("servicedesk_attachment", "servicedesk_worklog", "servicedesk_ticketlink", "feedback_rating",
                  "escalations_escalation", "changes_changerequest_tickets", "changes_ticketdatamark"):
        assert [sql for sql in many if f'FROM "{table}"' in sql] == [probe], table
    # The user's memberships are read once for the whole request (navigation, page, panels),
    # and with them the contracts: the current one and the switcher's need no query.
    assert sum(sql.startswith(MEMBERSHIPS_OF) for sql in many) == 1
    assert not any(sql.startswith('SELECT "contracts_contract"') for sql in many), many
    # Nor is the ticket's contract joined again to the ticket: it is the one read with them.
    joined = [sql for sql in many if '"contracts_contract"' in sql and not sql.startswith(MEMBERSHIPS_OF)]
    assert joined == [], "\n".join(sql[:50] + " … " + sql[sql.index(" FROM "):][:70] for sql in joined)


def test_a_ticket_page_shows_its_links_both_ways_at_no_cost_per_link(web, desk, contract, pm, count):
    ticket, *others = _open(contract, pm, 4)
    alone = count(lambda: web.get(f"/tickets/{ticket.pk}/"))
    tickets.link(ticket, others[0], by=pm)
    one_link = count(lambda: web.get(f"/tickets/{ticket.pk}/"))
    assert len(one_link) == len(alone) + 1, one_link  # the probe found a link: one read of them
    tickets.link(ticket, others[1], by=pm)
    tickets.link(others[2], ticket, by=pm)
    linked = count(lambda: web.get(f"/tickets/{ticket.pk}/"))
    assert len(linked) == len(one_link), linked
    (links,) = [sql for sql in linked if sql.startswith("SELECT") and 'FROM "servicedesk_ticketlink"' in sql
                and not sql.startswith("SELECT EXISTS")]
    assert '"description"' not in links and '"requester_phone"' not in links, links
    page = web.get(f"/tickets/{ticket.pk}/").content.decode()
    for other in others:
        assert f'href="/tickets/{other.pk}/">{other.number} {other.subject}</a>' in page


def test_the_api_costs_the_same_for_a_ticket_with_5_or_50_entries(api, desk, contract, pm, count):
    first, second = _open(contract, pm, 2)
    _with_entries(first, pm, 5)
    _with_entries(second, pm, 50)
    api.get("/api/v1/tickets/")  # the token's first use records when it was last used
    few = count(lambda: api.get(f"/api/v1/tickets/{first.pk}/"))
    many = count(lambda: api.get(f"/api/v1/tickets/{second.pk}/"))
    # The token, the memberships, the ticket, its clocks; the read is audited (the phone is
    # shown in clear): its INSERT, and the seal after commit: the head, the pending records
    # and their writing (one statement on PostgreSQL, two on SQLite).
    seal_writes = 1 if connection.vendor == "postgresql" else 2
    assert len(many) == len(few) <= 7 + seal_writes + REQUEST_SAVEPOINT + SEAL_SAVEPOINT, many


# --- creating -------------------------------------------------------------------------------

WEB_FORM = {"type": "fault", "priority": "p2", "channel": "phone", "subject": "审批系统打印乱码",
            "requester_name": "赵六", "requester_phone": "138 1234 5678"}


def test_creating_on_the_web_takes_15_statements_however_many_tickets_exist(web, desk, contract, pm, count):
    _open(contract, pm, 5)
    few = count(lambda: web.post("/tickets/new/", WEB_FORM), ok=(302,))
    _open(contract, pm, 45)
    many = count(lambda: web.post("/tickets/new/", WEB_FORM), ok=(302,))
    # 14, on SQLite and PostgreSQL alike (there the seal relaxes its commit within its head's read).
    assert len(many) == len(few) <= 15 + REQUEST_SAVEPOINT + SEAL_SAVEPOINT, many
    assert sum(sql.startswith("SAVEPOINT") for sql in many) == 2  # the request's and the seal's, no other


def test_creating_on_the_web_with_a_group_looks_it_up_once(web, desk, contract, pm, count):
    group = SupportGroup.objects.filter(contract=contract).first()
    sqls = count(lambda: web.post("/tickets/new/", WEB_FORM | {"group": str(group.pk)}), ok=(302,))
    assert sum("servicedesk_supportgroup" in sql for sql in sqls) == 1, sqls


def test_creating_through_the_api_takes_15_statements_however_many_tickets_exist(api, desk, contract, pm, count):
    payload = {"contract": contract.pk, "type": "fault", "priority": "p1", "subject": "统一身份认证登录失败",
               "channel": "phone", "requester_name": "张三", "requester_phone": "13812345678"}
    _open(contract, pm, 5)
    api.get("/api/v1/tickets/")  # the token's first use records when it was last used
    few = count(lambda: api.post("/api/v1/tickets/", payload, format="json"), ok=(201,))
    _open(contract, pm, 45)
    many = count(lambda: api.post("/api/v1/tickets/", payload, format="json"), ok=(201,))
    assert len(many) <= 15 + REQUEST_SAVEPOINT + SEAL_SAVEPOINT, many
    assert sum(sql.startswith("SAVEPOINT") for sql in many) == 2
    assert len(many) == len(few)
    # Answered from the objects in hand: the ticket and its clocks are not read back.
    assert not any(sql.startswith('SELECT "servicedesk_ticket"."id"') for sql in many), many
    assert not any(sql.startswith('SELECT "contracts_contract"') for sql in many), many  # read with the memberships
    assert not any("FROM \"servicedesk_slaclock\"" in sql for sql in many), many


def test_the_api_answer_to_a_create_is_what_a_read_answers(api, desk, contract, pm, clock):
    payload = {"contract": contract.pk, "type": "fault", "priority": "p1", "subject": "统一身份认证登录失败",
               "channel": "phone", "requester_name": "张三", "requester_phone": "139-1234-5678"}
    created = api.post("/api/v1/tickets/", payload, format="json").json()
    read = api.get(f"/api/v1/tickets/{created['id']}/").json()
    # Only the phone differs: a read shows it in clear to who calls back (audited), a create masks it.
    assert {k: v for k, v in created.items() if k != "requester_phone"} == \
        {k: v for k, v in read.items() if k != "requester_phone"}
    assert created["requester_phone"] == "139****5678" and read["requester_phone"] == "13912345678"
    assert Ticket.objects.get(pk=created["id"]).sla_state == "running"


# --- the session -----------------------------------------------------------------------------


def test_page_views_within_a_minute_do_not_write_the_session(web, desk, contract, pm, count, clock):
    web.get("/tickets/")
    clock.advance(timedelta(seconds=50))
    sqls = count(lambda: web.get("/tickets/"))
    assert not any(sql.startswith('UPDATE "django_session"') for sql in sqls), sqls
    clock.advance(timedelta(seconds=15))  # over a minute since "last seen" was written
    sqls = count(lambda: web.get("/tickets/"))
    assert any(sql.startswith('UPDATE "django_session"') for sql in sqls), sqls


def test_a_resolved_ticket_page_reads_its_rating_once(web, desk, contract, pm, engineer, count):
    (ticket,) = _open(contract, pm, 1, assignee=engineer)
    tickets.transition(ticket, "in_progress", by=pm)
    ticket = tickets.transition(ticket, "resolved", by=pm, comment="已远程修复")
    sqls = count(lambda: web.get(f"/tickets/{ticket.pk}/"))
    # No rating yet: the probe says so, and the panel offers the form without reading.
    assert sum(sql.startswith('SELECT "feedback_rating"') for sql in sqls) == 0, sqls
    assert 'name="level"' in web.get(f"/tickets/{ticket.pk}/").content.decode()
    rating = rate(ticket, 5, "回访满意", by=pm, source="phone")
    sqls = count(lambda: web.get(f"/tickets/{ticket.pk}/"))
    assert "回访满意" in web.get(f"/tickets/{ticket.pk}/").content.decode()
    assert rating.get_level_display() in web.get(f"/tickets/{ticket.pk}/").content.decode()
    # The 好差评 panel shows the rating and asks whether one may rate: one read for both.
    assert sum(sql.startswith('SELECT "feedback_rating"') for sql in sqls) == 1, sqls
