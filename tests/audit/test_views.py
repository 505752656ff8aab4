"""The auditors' pages: filters, paging, a record's detail, CSV/XLSX exports (audited),
and who may read what."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from weibao.audit import services
from weibao.audit.models import AuditRecord
from weibao.testing.isolation import assert_isolated


@pytest.fixture
def trail(contract, other_contract):
    services.record("ticket.create", contract=contract, object_type="servicedesk.ticket", object_id="1",
                    object_repr="SL-2026-000001 门户打不开", actor_username="agent")
    services.record("sla.policy.update", contract=contract, object_type="servicedesk.slapolicy",
                    object_id="7", object_repr="故障 P1", before={"response_minutes": 15},
                    after={"response_minutes": 10}, actor_username="pm")
    services.record("ticket.create", contract=other_contract, object_type="servicedesk.ticket",
                    object_id="2", object_repr="别的合同的秘密工单", actor_username="other_agent")
    services.record("login.failure", outcome="failure", actor_username="sysadmin", object_repr="平台登录")


def test_contract_auditor_sees_only_that_contract(contract_auditor, client_for, trail):
    page = client_for(contract_auditor).get("/audit/").content.decode()
    assert "门户打不开" in page and "故障 P1" in page
    assert "别的合同的秘密工单" not in page and "平台登录" not in page


def test_filters_narrow_the_list(contract_auditor, client_for, trail):
    web = client_for(contract_auditor)
    page = web.get("/audit/", {"action": "sla.policy.update"}).content.decode()
    assert "故障 P1" in page and "门户打不开" not in page
    page = web.get("/audit/", {"actor": "agent"}).content.decode()
    assert "门户打不开" in page and "故障 P1" not in page
    page = web.get("/audit/", {"q": "门户"}).content.decode()
    assert "门户打不开" in page and "故障 P1" not in page


def test_bad_filters_are_field_errors_not_500(contract_auditor, client_for, trail):
    response = client_for(contract_auditor).get("/audit/", {"date_from": "last week", "outcome": "maybe"})
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode() and "无效的结果" in response.content.decode()


def test_detail_shows_the_change_and_is_audited(contract_auditor, client_for, trail):
    record = AuditRecord.objects.get(action="sla.policy.update")
    page = client_for(contract_auditor).get(f"/audit/{record.seq}/").content.decode()
    assert "response_minutes" in page and "15" in page and "10" in page
    assert AuditRecord.objects.filter(action="audit.read", object_id=str(record.seq)).exists()


def test_csv_and_xlsx_exports_follow_the_filters_and_are_audited(contract_auditor, client_for, trail):
    web = client_for(contract_auditor)
    response = web.get("/audit/", {"action": "ticket.create", "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff序号")
    assert "门户打不开" in body and "故障 P1" not in body and "秘密工单" not in body
    response = web.get("/audit/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "序号" and len(rows) >= 3
    exports = AuditRecord.objects.filter(action="audit.export")
    assert exports.count() == 2
    assert exports.order_by("seq").first().detail["filters"] == {"action": "ticket.create"}


def test_paging(contract_auditor, client_for, contract):
    for index in range(60):
        services.record("ticket.create", contract=contract, object_repr=f"工单{index:02d}", actor_username="agent")
    web = client_for(contract_auditor)
    assert "工单59" in web.get("/audit/").content.decode()
    second = web.get("/audit/", {"page": 2}).content.decode()
    assert "工单05" in second and "工单59" not in second


def test_platform_audit_admin_reads_platform_records(client_for, trail):
    from weibao.accounts.services.roles import grant_admin_role
    from weibao.testing.factories import UserFactory

    admin = UserFactory(username="audit_admin")
    grant_admin_role(admin, "auditor", by=None)
    page = client_for(admin).get("/audit/").content.decode()
    assert "平台登录" in page and "门户打不开" not in page


def test_others_get_nothing(pm, outsider, client_for, trail, contract_auditor):
    assert client_for(pm).get("/audit/").status_code == 403  # a project manager is not an auditor
    record = AuditRecord.objects.get(action="sla.policy.update")
    assert_isolated(client_for(outsider), ["/audit/", f"/audit/{record.seq}/", "/audit/?export=csv"],
                    secrets=["门户打不开", "故障 P1"])


def test_events_are_named_in_words_with_the_code_kept(contract_auditor, client_for, trail):
    web = client_for(contract_auditor)
    page = web.get("/audit/").content.decode()
    assert "新建工单" in page and "修改服务级别" in page
    assert 'title="ticket.create"' in page and "新建工单 (ticket.create)" in page
    record = AuditRecord.objects.filter(action="sla.policy.update").get()
    detail = web.get(f"/audit/{record.seq}/").content.decode()
    assert "修改服务级别" in detail and "<code>sla.policy.update</code>" in detail
    export = b"".join(web.get("/audit/", {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert "事件说明" in export.splitlines()[0] and "ticket.create,新建工单" in export


def test_every_audited_event_has_a_label():
    """A new audit.record(...) call needs its words in weibao/audit/labels.py."""
    import ast
    from pathlib import Path

    import weibao
    from weibao.audit.labels import ACTION_LABELS

    codes = set()
    for path in Path(weibao.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "record":
                for arg in ast.walk(node.args[0]) if node.args else []:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value or (
                        isinstance(arg, ast.Constant) and arg.value in ("login", "logout")
                    ):
                        codes.add(arg.value)
    assert codes, "no audit.record calls found"
    assert sorted(codes - set(ACTION_LABELS)) == []
