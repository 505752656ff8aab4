"""Pasting the State Council's notice: a preview that stores nothing, then a confirmed
load for one contract (its project manager) or the installation (the system admin)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit.models import AuditRecord
from weibao.calendars.models import HolidayDay, HolidayYear, NationalHolidayYear
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services.defaults import install_defaults
from weibao.testing.factories import UserFactory

NOTICES = Path(__file__).parent / "notices"
NOTICE_2026 = (NOTICES / "dev" / "2026.txt").read_text(encoding="utf-8")
# A 2027 notice in the official style (made up for the test: the make-up Saturday
# 2027-02-20 and the rest days 02-09..02-11 are what a provisional year cannot know).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初七、周四）放假调休，共7天。2月20日（周六）上班。
"""


@pytest.fixture
def sysadmin(db):
    user = UserFactory(username="sysadmin")
    grant_admin_role(user, AdminRole.SYSTEM_ADMIN, by=None)
    return user


@pytest.fixture
def office_hours(contract):
    return install_defaults(contract)


def test_preview_lists_the_days_and_stores_nothing(pm, api_client_for):
    response = api_client_for(pm).post("/api/v1/holidays/notice/", {"text": NOTICE_2026}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["year"] == 2026
    assert body["work_days"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert "2026-02-15" in body["rest_days"] and len(body["rest_days"]) == 33
    assert body["unrecognised"] == []
    assert not HolidayDay.objects.exists() and not NationalHolidayYear.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="calendar.").exists()


def test_preview_lists_each_line_it_did_not_understand(pm, api_client_for):
    text = NOTICE_2027 + "三、清明节：另行通知。\n"
    body = api_client_for(pm).post("/api/v1/holidays/notice/", {"text": text}, format="json").json()
    assert body["unrecognised"] == ["三、清明节：另行通知。"]
    assert body["work_days"] == ["2027-02-20"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 30000}, "text"),
        ({"text": "一、元旦：1月1日至3日放假。"}, "year"),  # no year anywhere
        ({"text": "一、元旦：1月1日至3日放假。", "year": "２０２７x"}, "year"),
        ({"text": "一、元旦：1月1日至3日放假。", "year": 9999}, "year"),
        ({"text": NOTICE_2026, "bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(pm, api_client_for, payload, field):
    response = api_client_for(pm).post("/api/v1/holidays/notice/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_people_who_manage_no_calendar_cannot_use_it(contract, make_member, api_client_for):
    agent = make_member(contract, "hotline_agent")
    client = api_client_for(agent)
    assert client.post("/api/v1/holidays/notice/", {"text": NOTICE_2026}, format="json").status_code == 403
    response = client.post(
        "/api/v1/holidays/notice/confirm/", {"text": NOTICE_2027, "contract": contract.pk}, format="json"
    )
    assert response.status_code == 403
    assert not HolidayDay.objects.exists()


def test_another_contracts_manager_is_told_the_contract_does_not_exist(outsider, contract, api_client_for):
    response = api_client_for(outsider).post(
        "/api/v1/holidays/notice/confirm/", {"text": NOTICE_2027, "contract": contract.pk}, format="json"
    )
    assert response.status_code == 404 and "contract" in response.json()
    assert not HolidayDay.objects.exists()


def test_a_project_manager_loads_it_for_the_contract_and_deadlines_move(
    pm, contract, api_client_for, office_hours, clock, django_capture_on_commit_callbacks
):
    api = api_client_for(pm)
    clock.set_now(datetime(2027, 2, 4, 9, 0, tzinfo=UTC))  # Thursday 17:00, the eve of 除夕
    ticket = api.post("/api/v1/tickets/", {
        "contract": contract.pk, "type": "fault", "priority": "p3", "subject": "网办大厅无法登录",
        "description": "提示超时", "channel": "phone", "requester_name": "张三", "requester_phone": "13812345678",
    }, format="json").json()
    response_clock = Ticket.objects.get(pk=ticket["id"]).clocks.get(target="response")
    assert response_clock.due_at == datetime(2027, 2, 9, 1, 30, tzinfo=UTC)  # provisional: 除夕–初三

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/holidays/notice/confirm/",
            {"text": NOTICE_2027, "contract": contract.pk, "source": "国办发明电〔2026〕X号"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["work_days"] == ["2027-02-20"]
    response_clock.refresh_from_db()
    assert response_clock.due_at == datetime(2027, 2, 12, 1, 30, tzinfo=UTC)  # Friday after 初七
    assert HolidayYear.objects.filter(contract=contract, year=2027).exists()
    record = AuditRecord.objects.get(action="calendar.holiday.notice")
    assert record.contract_id == contract.pk and record.after["work_days"] == ["2027-02-20"]


def test_unrecognised_lines_must_be_accepted_explicitly(pm, contract, api_client_for):
    api = api_client_for(pm)
    text = NOTICE_2027 + "三、清明节：另行通知。\n"
    response = api.post("/api/v1/holidays/notice/confirm/", {"text": text, "contract": contract.pk}, format="json")
    assert response.status_code == 400 and "unrecognised" in response.json()
    assert not HolidayDay.objects.exists()
    response = api.post(
        "/api/v1/holidays/notice/confirm/",
        {"text": text, "contract": contract.pk, "accept_unrecognised": True},
        format="json",
    )
    assert response.status_code == 201


def test_only_the_system_admin_loads_it_for_the_installation(pm, sysadmin, contract, other_contract, api_client_for):
    response = api_client_for(pm).post("/api/v1/holidays/notice/confirm/", {"text": NOTICE_2027}, format="json")
    assert response.status_code == 403
    assert not NationalHolidayYear.objects.exists()

    response = api_client_for(sysadmin).post(
        "/api/v1/holidays/notice/confirm/", {"text": NOTICE_2027}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert NationalHolidayYear.objects.get().year == 2027
    assert AuditRecord.objects.filter(action="calendar.national.notice", actor=sysadmin).exists()


def test_the_installations_notice_reaches_every_contract_and_keeps_their_overrides(
    pm, outsider, sysadmin, contract, other_contract, api_client_for
):
    from weibao.calendars import services

    services.set_holiday(contract, datetime(2027, 2, 12).date(), "rest", "本地活动", by=pm)
    services.load_notice(NOTICE_2027, by=sysadmin)
    for each in (contract, other_contract):
        rules = services.day_rules_for(each.pk)
        assert 2027 in rules.covered_years
        assert rules.is_working_day(datetime(2027, 2, 20).date())  # the make-up Saturday
        assert not rules.is_working_day(datetime(2027, 2, 10).date())
    assert not services.day_rules_for(contract.pk).is_working_day(datetime(2027, 2, 12).date())
    assert services.day_rules_for(other_contract.pk).is_working_day(datetime(2027, 2, 12).date())
    first, last = datetime(2027, 1, 1).date(), datetime(2027, 12, 31).date()
    assert services.day_rules_for(other_contract.pk).uncovered_years(first, last) == []
