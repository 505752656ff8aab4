"""The calendar page's notice paste: preview table, lines not understood, confirm."""

from __future__ import annotations

from pathlib import Path

import pytest

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.calendars.models import HolidayDay, HolidayYear, NationalHolidayYear
from weibao.testing.factories import UserFactory

NOTICE_2026 = (Path(__file__).parent / "notices" / "dev" / "2026.txt").read_text(encoding="utf-8")
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初七、周四）放假调休，共7天。2月20日（周六）上班。
三、清明节：另行通知。
"""


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


def test_the_2027_calendar_shows_provisional_holidays_and_says_so(web):
    page = web.get("/calendars/", {"year": 2027}).content.decode()
    assert "暂定" in page and "尚未载入" in page
    assert 'class="day rest provisional" title="2027-01-01' in page
    assert "/calendars/holidays/notice/" in page


def test_preview_shows_every_day_and_each_line_not_understood(web):
    page = web.post("/calendars/holidays/notice/", {"text": NOTICE_2027, "preview": "1"}).content.decode()
    assert "2027 年安排预览" in page
    assert "2027-02-11" in page and "2027-02-20" in page
    assert "三、清明节：另行通知。" in page
    assert not HolidayDay.objects.exists()


def test_confirm_loads_the_year_for_the_contract(web, contract):
    response = web.post(
        "/calendars/holidays/notice/",
        {"text": NOTICE_2026.replace("2026", "2026"), "confirm": "1", "scope": "contract"},
        follow=True,
    )
    assert "已载入 2026 年安排" in response.content.decode()
    assert HolidayYear.objects.filter(contract=contract, year=2026).exists()
    assert HolidayDay.objects.filter(contract=contract, kind="work").count() == 6


def test_lines_not_understood_hold_the_load_until_accepted(web, contract):
    page = web.post("/calendars/holidays/notice/", {"text": NOTICE_2027, "confirm": "1", "scope": "contract"})
    assert "未能识别" in page.content.decode()
    assert not HolidayYear.objects.exists()
    web.post("/calendars/holidays/notice/",
             {"text": NOTICE_2027, "confirm": "1", "scope": "contract", "accept_unrecognised": "1"})
    assert HolidayYear.objects.filter(contract=contract, year=2027).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "一、元旦：1月1日放假。", "preview": "1"}, "未写明年份"),
        ({"text": NOTICE_2027, "year": "９９９９", "preview": "1"}, ""),
        ({"text": "x" * 20001, "preview": "1"}, "过长"),
        ({"text": NOTICE_2027, "confirm": "1", "scope": "national"}, ""),
    ],
)
def test_bad_input_is_told_on_the_page(web, data, message):
    response = web.post("/calendars/holidays/notice/", data)
    assert response.status_code == 200
    assert 'id="notice-error"' in response.content.decode()
    assert message in response.content.decode()
    assert not NationalHolidayYear.objects.exists() and not HolidayYear.objects.exists()


def test_the_system_admin_loads_it_for_the_installation(client_for, db):
    admin = UserFactory(username="sysadmin")
    grant_admin_role(admin, AdminRole.SYSTEM_ADMIN, by=None)
    web = client_for(admin)
    page = web.get("/calendars/holidays/notice/").content.decode()
    assert 'value="national"' not in page  # no preview yet
    page = web.post("/calendars/holidays/notice/", {"text": NOTICE_2027, "preview": "1"}).content.decode()
    assert 'value="national"' in page and 'value="contract"' not in page
    web.post("/calendars/holidays/notice/",
             {"text": NOTICE_2027, "confirm": "1", "scope": "national", "accept_unrecognised": "1"})
    assert NationalHolidayYear.objects.get().year == 2027


def test_a_hotline_agent_cannot_open_it(contract, make_member, client_for):
    agent = client_for(make_member(contract, "hotline_agent"))
    assert agent.get("/calendars/holidays/notice/").status_code == 403
    assert agent.post("/calendars/holidays/notice/", {"text": NOTICE_2027, "confirm": "1"}).status_code == 403
