"""A keyword in the ticket subjects (``queries.subject_contains``): through SQLite's FTS5
trigram table (migration 0014) it finds exactly what a case-blind substring test finds,
and the table follows every new, edited and deleted ticket."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weibao.servicedesk.models import Ticket
from weibao.servicedesk.queries import subject_contains
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults
from weibao.testing.factories import TicketFactory

SUBJECTS = [
    "三楼打印机卡纸，无法打印", "打印机驱动安装失败", "VPN 连接超时 (错误 809)", "vpn账号过期",
    "统一身份认证登录失败：证书错误", "100% CPU on the Web server", "file_name_with_underscores 无法上传",
    'He said "reset" twice', "Ｕ盾（全角）无法识别", "电子证照 API 调用 *超时*", "  前后有空格  ",
    "a-b-c 与 abc 不同", "审批系统打印受理回执乱码",
]
# Keywords a user types, and some to trip the query syntax: quotes, operators, wildcards.
KEYWORDS = [
    "打印机", "打印", "打", "vpn", "VPN 连", "Vpn账号", "100%", "0% C", "_name_", "e_w", '"reset"', 'd "r',
    "(错误", "*超时*", "AND", "OR ", "NEAR(", "全角）", "Ｕ盾（", "  前", "a-b", "b-c 与 ab", "无法", "nothing here",
    "证书错误", "-", '"', "'", "\\", "%", "__",
    # Odd values outside testers send: they are text to a keyword, and find nothing.
    "1e999", "9999-12-31", "²２٣", "x" * 10_000, "99999999999999999999999",
]


@pytest.fixture
def subjects(desk, contract, pm):
    return [TicketFactory(contract=contract, by=pm, subject=subject) for subject in SUBJECTS]


def _found(keyword: str) -> set[str]:
    return set(Ticket.objects.filter(subject_contains(keyword)).values_list("subject", flat=True))


def _expected(keyword: str) -> set[str]:
    return {s for s in SUBJECTS if keyword.lower() in s.lower()}


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_a_keyword_finds_the_subjects_that_contain_it_whatever_the_case(subjects, keyword):
    assert _found(keyword) == _expected(keyword)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(alphabet=st.sampled_from(sorted(set("".join(SUBJECTS)) | set('"*()^:+-%_\\'))), min_size=1, max_size=6),
    st.sampled_from(SUBJECTS).flatmap(lambda s: st.tuples(st.integers(0, len(s) - 1), st.integers(1, 8)).map(
        lambda ij: s[ij[0]:ij[0] + ij[1]])),
))
def test_any_keyword_finds_what_a_substring_test_finds(subjects, keyword):
    assert _found(keyword) == _expected(keyword)


def test_the_search_follows_new_edited_and_deleted_tickets(subjects, contract, pm):
    ticket = TicketFactory(contract=contract, by=pm, subject="会议室投影仪没有信号")
    assert _found("投影仪") == {"会议室投影仪没有信号"}
    tickets.update_ticket(ticket, by=pm, subject="会议室音响没有声音")
    assert _found("投影仪") == set()
    assert _found("音响没") == {"会议室音响没有声音"}
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert _found("音响没") == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL has its trigram GIN index (0003)")
def test_on_sqlite_a_long_keyword_is_looked_up_in_the_trigram_table_not_matched_per_subject(subjects):
    sql, params = Ticket.objects.filter(subject_contains("打印机")).values("id").query.sql_with_params()
    assert "LIKE" not in sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    # M: the MATCH constraint answered by the FTS index. Whether the tickets are then read
    # by id or, on a table this small, scanned is the planner's call: the benchmark times
    # it at 100,000 tickets.
    assert "servicedesk_ticket_subject_search VIRTUAL TABLE INDEX 0:M" in plan, plan


def test_another_contracts_ticket_is_found_nowhere_by_its_subject(
    desk, contract, other_contract, pm, make_member, client_for, api_client_for
):
    """The keyword narrows the user's own tickets: the page, its count, the API and the
    export of contract A's PM never show B's ticket with the same subject."""
    install_defaults(other_contract)
    mine = TicketFactory(contract=contract, by=pm, subject="会议室投影仪没有信号")
    theirs = TicketFactory(contract=other_contract, by=make_member(other_contract), subject="会议室投影仪没有信号")
    web = client_for(pm)
    page = web.get("/tickets/", {"q": "投影仪"}).content.decode()
    # Numbers run per contract (both are SL-…-000001): the links tell them apart.
    assert f'href="/tickets/{mine.pk}/"' in page and f'href="/tickets/{theirs.pk}/"' not in page
    assert web.get("/tickets/count/", {"q": "投影仪"}).content.decode().strip() == "共 1 张工单"
    listed = api_client_for(pm).get("/api/v1/tickets/", {"q": "投影仪"}).json()
    assert [t["id"] for t in listed["results"]] == [mine.pk]
    exported = web.get("/tickets/", {"q": "投影仪", "export": "csv"})
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content if exported.streaming else [exported.content]).decode("utf-8-sig")
    assert len([line for line in body.splitlines() if "会议室投影仪没有信号" in line]) == 1
