"""The service-desk and calendar pages as a browser (without JavaScript) uses them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from weibao.audit.models import AuditRecord
from weibao.servicedesk.models import SavedView, SlaPolicy, Ticket


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


def test_list_shows_tickets_and_filters(web, new_ticket):
    new_ticket(subject="门户首页打不开", priority="p2")
    new_ticket(subject="电子证照无法亮证", priority="p4", type="consultation")
    page = web.get("/tickets/").content.decode()
    assert "门户首页打不开" in page and "电子证照无法亮证" in page
    page = web.get("/tickets/", {"priority": "p2"}).content.decode()
    assert "门户首页打不开" in page and "电子证照无法亮证" not in page
    page = web.get("/tickets/", {"q": "证照"}).content.decode()
    assert "电子证照无法亮证" in page and "门户首页打不开" not in page
    page = web.get("/tickets/", {"q": "13812345678"}).content.decode()
    assert "门户首页打不开" in page  # a caller's number finds their tickets


def test_bad_filter_shows_a_message_not_an_error(web, new_ticket):
    new_ticket()
    response = web.get("/tickets/", {"created_from": "tomorrow", "status": "bogus"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "YYYY-MM-DD" in body and "bogus" in body


def test_empty_state(web, desk):
    assert "还没有工单" in web.get("/tickets/").content.decode()


def test_my_queue_and_breaching_soon(web, new_ticket, pm, engineer, clock):
    mine = new_ticket(subject="分给我的")
    Ticket.objects.filter(pk=mine["id"]).update(assignee=pm)
    new_ticket(subject="别人的", priority="p4", type="consultation")
    page = web.get("/tickets/", {"view": "mine"}).content.decode()
    assert "分给我的" in page and "别人的" not in page
    page = web.get("/tickets/", {"view": "breaching"}).content.decode()
    assert "分给我的" in page  # P1: response due in 15 minutes
    assert "别人的" not in page  # P4: days away


def test_csv_and_xlsx_exports_mask_phones_and_are_audited(web, new_ticket):
    new_ticket()
    response = web.get("/tickets/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff工单号")
    assert "138****5678" in body and "13812345678" not in body
    response = web.get("/tickets/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "工单号" and rows[1][8] == "138****5678"
    assert AuditRecord.objects.filter(action="ticket.export").count() == 2


def test_bulk_assign_and_close(web, new_ticket, engineer, api):
    first, second = new_ticket(), new_ticket()
    response = web.post("/tickets/bulk/", {"ticket": [first["id"], second["id"]], "action": "assign",
                                            "assignee": engineer.pk})
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("status", flat=True)) == {"assigned"}
    # Closing needs resolved tickets: refused per ticket with the reason.
    web.post("/tickets/bulk/", {"ticket": [first["id"]], "action": "close"})
    assert Ticket.objects.get(pk=first["id"]).status == "assigned"


def test_saved_views(web, desk, pm):
    web.post("/tickets/views/", {"name": "P1 故障", "query": "priority=p1&type=fault"})
    assert SavedView.objects.get(user=pm).query == "priority=p1&type=fault"
    assert "P1 故障" in web.get("/tickets/").content.decode()


def test_ticket_page_actions_follow_the_state_machine(web, new_ticket, engineer, clock):
    ticket = new_ticket()
    page = web.get(f"/tickets/{ticket['id']}/").content.decode()
    assert 'data-action="assigned"' in page and 'data-action="resolved"' not in page
    assert "138****5678" in page and "13812345678" not in page
    web.post(f"/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": engineer.pk})
    web.post(f"/tickets/{ticket['id']}/transition/", {"to": "in_progress"})
    clock.advance(timedelta(minutes=5))
    web.post(f"/tickets/{ticket['id']}/transition/", {"to": "waiting", "comment": "等截图"})
    page = web.get(f"/tickets/{ticket['id']}/").content.decode()
    assert 'data-state="paused"' in page
    assert "继续处理" in page
    response = web.post(f"/tickets/{ticket['id']}/transition/", {"to": "closed"}, follow=True)
    assert "不能从" in response.content.decode()


def test_reveal_phone_is_audited(web, new_ticket):
    ticket = new_ticket()
    response = web.post(f"/tickets/{ticket['id']}/phone/", {"reason": "回访来电群众"})
    assert "13812345678" in response.content.decode()
    assert AuditRecord.objects.filter(action="ticket.personal_data.read").exists()


def test_reply_with_attachment_checked_by_content(web, new_ticket, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = new_ticket()
    good = io.BytesIO(b"%PDF-1.4 test")
    good.name = "截图.pdf"
    web.post(f"/tickets/{ticket['id']}/reply/", {"body": "附上说明", "public": "on", "files": [good]})
    stored = Ticket.objects.get(pk=ticket["id"]).attachments.get()
    assert stored.content_type == "application/pdf"
    download = web.get(f"/tickets/attachments/{stored.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    bad = io.BytesIO(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    bad.name = "invoice.pdf"
    response = web.post(f"/tickets/{ticket['id']}/reply/", {"body": "x", "files": [bad]}, follow=True)
    assert "不支持的文件类型" in response.content.decode()
    assert Ticket.objects.get(pk=ticket["id"]).attachments.count() == 1


def test_new_ticket_form(web, desk, contract):
    page = web.get("/tickets/new/").content.decode()
    assert "优先级说明" in page
    response = web.post("/tickets/new/", {"type": "fault", "priority": "p2", "channel": "phone",
                                          "subject": "审批系统打印乱码", "requester_name": "赵六"})
    ticket = Ticket.objects.get(subject="审批系统打印乱码")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    response = web.post("/tickets/new/", {"type": "fault", "priority": "p2", "channel": "phone"})
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_policy_edit_is_audited_and_validated(web, desk, contract):
    policy = SlaPolicy.objects.get(contract=contract, ticket_type="fault", priority="p1")
    data = {"response_minutes": "10", "arrival_minutes": "90", "resolution_minutes": "180",
            "response_calendar": policy.response_calendar_id, "arrival_calendar": policy.arrival_calendar_id,
            "resolution_calendar": policy.resolution_calendar_id, "warn_percent": "75"}
    web.post(f"/tickets/sla/{policy.pk}/", data)
    policy.refresh_from_db()
    assert (policy.response_minutes, policy.warn_percent) == (10, 75)
    record = AuditRecord.objects.get(action="sla.policy.update")
    assert record.before["response_minutes"] == 15 and record.after["response_minutes"] == 10
    response = web.post(f"/tickets/sla/{policy.pk}/", data | {"warn_percent": "150"}, follow=True)
    assert "预警比例" in response.content.decode()
    policy.refresh_from_db()
    assert policy.warn_percent == 75


def test_calendar_page_shows_the_year_and_warns_for_2027(web, desk):
    page = web.get("/calendars/", {"year": 2026}).content.decode()
    assert 'data-date="2026-10-01"' in page and "尚未载入" not in page
    page = web.get("/calendars/", {"year": 2027}).content.decode()
    assert "尚未载入" in page


def test_the_calendar_year_reads_the_contracts_edits_once_not_per_day(web, desk, contract, pm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from weibao.calendars import services

    services.set_holiday(contract, date(2026, 12, 31), "rest", "跨年", by=pm)
    web.get("/calendars/", {"year": 2026})  # the holiday rules cached, as on any later visit
    with CaptureQueriesContext(connection) as page_queries:
        page = web.get("/calendars/", {"year": 2026}).content.decode()
    edits_read = [q for q in page_queries if '"calendars_holidayday"' in q["sql"]]
    assert len(edits_read) <= 3, [q["sql"] for q in edits_read]
    assert len(page_queries) < 30
    assert "跨年" in page and 'data-date="2026-10-01"' in page
    # Each kind of day keeps its reason: the contract's edit, the State Council's rest
    # days and make-up working days, and plain weekdays and weekends.
    from weibao.calendars.official import official_rest_days, official_work_days

    year = services.year_status(contract.pk, 2026)
    assert len(year) == 365
    assert year[date(2026, 12, 31)] == (False, "contract", "跨年")
    rest = next(d for d in sorted(official_rest_days()) if d.year == 2026 and d.weekday() < 5)
    work = next(d for d in sorted(official_work_days()) if d.year == 2026)
    assert year[rest][:2] == (False, "official") and year[rest][2]
    assert year[work][:2] == (True, "official") and "调休" in year[work][2]
    assert year[date(2026, 6, 3)] == (True, "weekly", "")  # a Wednesday
    assert year[date(2026, 6, 6)] == (False, "weekly", "")  # a Saturday


def test_calendar_calculators(web, desk, contract):
    from weibao.calendars.models import BusinessCalendar

    office = BusinessCalendar.objects.get(contract=contract, kind="workday")
    page = web.get("/calendars/", {"calc": "deadline", "calendar": office.pk,
                                   "start": "2026-09-30T17:00", "minutes": 60}).content.decode()
    assert "2026-10-08 09:30" in page
    page = web.get("/calendars/", {"calc": "period", "from": "2026-09-28", "days": 5,
                                   "rule": "working_days"}).content.decode()
    assert "2026-10-10" in page
    page = web.get("/calendars/", {"calc": "period", "from": "x", "days": 5}).content.decode()
    assert "请填写有效的起算日期" in page


def test_holiday_edit_and_import_from_the_page(web, desk, contract):
    web.post("/calendars/holidays/set/", {"date": "2026-12-31", "kind": "rest", "name": "跨年"})
    page = web.get("/calendars/", {"year": 2026}).content.decode()
    assert "跨年" in page
    response = web.post("/calendars/holidays/import/", {"year": 2027, "text": "2027-01-01,休,元旦"}, follow=True)
    assert "已导入 2027 年 1 条安排" in response.content.decode()
    assert "尚未载入" not in web.get("/calendars/", {"year": 2027}).content.decode()


def test_only_the_project_manager_edits_calendars_and_policies(contract, desk, make_member, client_for):
    agent = client_for(make_member(contract, "hotline_agent"))
    assert agent.get("/calendars/").status_code == 403
    assert agent.get("/tickets/sla/").status_code == 403
    assert agent.post("/calendars/holidays/set/", {"date": "2026-12-31", "kind": "rest"}).status_code == 403
    policy = SlaPolicy.objects.filter(contract=contract).first()
    assert agent.post(f"/tickets/sla/{policy.pk}/", {"response_minutes": "1"}).status_code == 404


def test_home_panel_counts(web, new_ticket, pm):
    new_ticket()
    page = web.get("/").content.decode()
    assert "服务台" in page and "即将超时" in page


def test_watchers_are_told_of_status_changes(web, new_ticket, contract, make_member, client_for, engineer):
    from weibao.notifications.models import Notification

    ticket = new_ticket()
    bureau = make_member(contract, "bureau_liaison")
    client_for(bureau).post(f"/tickets/{ticket['id']}/watch/")
    web.post(f"/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": engineer.pk})
    assert Notification.objects.filter(recipient=bureau, kind="ticket.watch").count() == 1


def test_link_tickets_by_number_within_the_contract(web, new_ticket, outsider, other_contract):
    first, second = new_ticket(), new_ticket(subject="同一问题")
    web.post(f"/tickets/{first['id']}/link/", {"number": second["number"], "kind": "duplicates"})
    assert Ticket.objects.get(pk=first["id"]).links_out.get().to_ticket_id == second["id"]
    assert "同一问题" in web.get(f"/tickets/{first['id']}/").content.decode()
    linked_from = web.get(f"/tickets/{second['id']}/").content.decode()  # and the other way round
    assert "被关联" in linked_from and first["number"] in linked_from
    response = web.post(f"/tickets/{first['id']}/link/", {"number": "SL-2099-000001"}, follow=True)
    assert "没有工单" in response.content.decode()


def test_malformed_ids_are_answered_with_the_field_named_not_a_server_error(web, new_ticket, engineer):
    ticket = new_ticket()
    response = web.post(f"/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": "abc"})
    assert response.status_code == 400 and "处理人" in response.content.decode()
    response = web.post("/tickets/bulk/", {"ticket": [ticket["id"]], "action": "assign", "assignee": "abc"})
    assert response.status_code == 400 and "处理人" in response.content.decode()
    response = web.post(f"/tickets/{ticket['id']}/update/", {"component": "abc"})
    assert response.status_code == 400 and "服务目录项" in response.content.decode()
    response = web.post("/tickets/bulk/", {"ticket": ["²"], "action": "close"}, follow=True)
    assert response.status_code == 200 and "请先勾选工单" in response.content.decode()
    for name, value in (("assignee", "²"), ("contract", "²"), ("group", "99999999999999999999999")):
        response = web.get("/tickets/", {name: value})
        assert response.status_code == 200
        assert f"筛选条件 {name}：" in response.content.decode()
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"
