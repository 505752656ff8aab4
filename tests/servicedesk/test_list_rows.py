"""The ticket list's rows (rendered in Python, ``servicedesk/views/list_rows.py``): what each
cell shows, escaped, masked for who may not see names, in the reader's language."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets


@pytest.fixture
def urged_ticket(desk, contract, pm, engineer, clock):
    ticket = tickets.create_ticket(
        contract, by=pm, type="fault", priority="p1", channel="phone",
        subject='<script>alert("x")</script> 审批系统打印乱码，所有窗口都无法打印受理回执，群众排队等候',
        requester_name="赵六", requester_phone="13812345678", assignee=engineer,
    )
    Ticket.objects.filter(pk=ticket.pk).update(urged_count=1)
    return ticket


def _row(response, ticket) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr class="prio-\w+">(?:(?!</tr>).)*?/tickets/{ticket.pk}/(?:(?!</tr>).)*</tr>', html, re.S)
    assert match, html
    return match.group(0)


def test_a_row_shows_every_cell_escaped(client_for, pm, engineer, urged_ticket):
    row = _row(client_for(pm).get("/tickets/"), urged_ticket)
    assert "<script>" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert "群众排队等候" not in row  # the subject cut at 40 characters
    assert f'<a href="/tickets/{urged_ticket.pk}/">{urged_ticket.number}</a>' in row
    assert 'title="甲方督办">督办</span>' in row
    assert "<td>故障</td>" in row and ">P1 紧急</span>" in row and "<td>已分派</td>" in row
    assert "赵六" in row  # the project manager calls back: the name in clear
    assert str(engineer) in row
    assert f'name="ticket" value="{urged_ticket.pk}"' in row  # may work it: selectable for bulk actions
    shanghai = ZoneInfo("Asia/Shanghai")
    assert f"<td>{urged_ticket.created_at.astimezone(shanghai):%Y-%m-%d %H:%M}</td>" in row
    due = Ticket.objects.get(pk=urged_ticket.pk).sla_due_at.astimezone(shanghai)
    assert f'<span class="sla sla-running">计时中</span><br><small>{due:%m-%d %H:%M}</small>' in row


def test_a_bureau_viewer_sees_the_name_masked_and_no_checkbox(client_for, contract, make_member, urged_ticket):
    viewer = make_member(contract, "bureau_viewer", username="viewer")
    row = _row(client_for(viewer).get("/tickets/"), urged_ticket)
    assert "赵六" not in row and "赵*" in row
    assert 'type="checkbox"' not in row


def test_rows_follow_the_reader_language(client_for, pm, urged_ticket):
    web = client_for(pm)
    web.post("/i18n/setlang/", {"language": "en", "next": "/tickets/"})
    row = _row(web.get("/tickets/"), urged_ticket)
    assert "Urged" in row or "urged" in row.lower()
    assert "督办" not in row
