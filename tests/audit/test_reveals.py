"""The auditor's list of reveals: page, API, exports; each contract's own, filterable."""

import pytest

from weibao import audit
from weibao.audit.models import AuditRecord
from weibao.testing.isolation import assert_isolated


@pytest.fixture
def reveals(contract, other_contract, make_member, clock):
    engineer = make_member(contract, "resident_engineer", username="eng_li")
    liaison = make_member(contract, "bureau_liaison", username="liaison_wang")
    stranger = make_member(other_contract, "project_manager", username="far_pm")

    def reveal(user, on, ticket_id, field, reason):
        audit.record("ticket.personal_data.read", actor=user, contract=on, object_type="servicedesk.ticket",
                     object_id=str(ticket_id), object_repr=f"SL-2026-00000{ticket_id} 登录失败",
                     detail={"field": field, "reason": reason})

    reveal(engineer, contract, 1, "requester_phone", "回访来电群众")
    clock.set_now(clock.now().replace(day=26))
    reveal(liaison, contract, 2, "requester_email", "核实投诉人")
    reveal(stranger, other_contract, 9, "requester_phone", "别的合同的秘密原因")
    audit.record("ticket.create", actor=engineer, contract=contract, object_type="servicedesk.ticket", object_id="3")
    audit.services.seal_pending()
    return engineer, liaison


def test_the_auditor_lists_every_reveal_of_their_contract(contract, make_member, client_for, api_client_for, reveals):
    auditor = make_member(contract, "auditor", username="c_auditor")
    page = client_for(auditor).get("/audit/reveals/").content.decode()
    assert "eng_li" in page and "回访来电群众" in page and "请求人电话" in page
    assert "liaison_wang" in page and "核实投诉人" in page and "请求人邮箱" in page
    assert "别的合同的秘密原因" not in page
    body = api_client_for(auditor).get("/api/v1/audit/reveals/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["actor"] == "liaison_wang" and first["field"] == "requester_email" and first["reason"] == "核实投诉人"
    assert first["object_id"] == "2" and first["contract"] == contract.pk and first["at"]


def test_filters_by_person_and_date(contract, make_member, client_for, api_client_for, reveals):
    auditor = make_member(contract, "auditor", username="c_auditor")
    api = api_client_for(auditor)
    by_person = api.get("/api/v1/audit/reveals/", {"actor": "eng_li"}).json()
    assert [r["actor"] for r in by_person["results"]] == ["eng_li"]
    by_date = api.get("/api/v1/audit/reveals/", {"date_from": "2026-11-25"}).json()
    assert [r["actor"] for r in by_date["results"]] == ["liaison_wang"]
    page = client_for(auditor).get("/audit/reveals/", {"actor": "eng_li"}).content.decode()
    assert "回访来电群众" in page and "核实投诉人" not in page


@pytest.mark.parametrize("params, named", [({"date_from": "2026-13-45"}, "date_from"), ({"contract": "abc"}, "contract")])
def test_a_bad_filter_is_a_400_naming_it(contract, make_member, api_client_for, client_for, reveals, params, named):
    auditor = make_member(contract, "auditor", username="c_auditor")
    response = api_client_for(auditor).get("/api/v1/audit/reveals/", params)
    assert response.status_code == 400 and named in response.json()
    page = client_for(auditor).get("/audit/reveals/", params)
    assert page.status_code == 200 and "field-error" in page.content.decode()  # shown beside its field


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_lists_reveals_and_is_audited(contract, make_member, client_for, reveals, fmt):
    auditor = make_member(contract, "auditor", username="c_auditor")
    response = client_for(auditor).get("/audit/reveals/", {"export": fmt})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert "回访来电群众" in text and "核实投诉人" in text and "别的合同的秘密原因" not in text
    record = AuditRecord.objects.filter(action="audit.export", actor_id=auditor.pk).get()
    assert record.detail["list"] == "reveals" and record.detail["rows"] == 2


def test_others_are_refused(pm, outsider, client_for, api_client_for, reveals):
    assert client_for(pm).get("/audit/reveals/").status_code == 403
    assert api_client_for(pm).get("/api/v1/audit/reveals/").status_code == 403
    assert_isolated(client_for(outsider), ["/audit/reveals/", "/audit/reveals/?export=csv"], secrets=["回访来电群众", "核实投诉人"])
    outsiders = api_client_for(outsider).get("/api/v1/audit/reveals/")
    assert "回访来电群众" not in outsiders.content.decode()


def test_the_platform_audit_admin_sees_no_contracts_reveals(client_for, api_client_for, reveals):
    from weibao.accounts.services.roles import grant_admin_role
    from weibao.testing.factories import UserFactory

    admin = UserFactory(username="audit_admin")
    grant_admin_role(admin, "auditor", by=None)
    page = client_for(admin).get("/audit/reveals/")
    assert page.status_code == 200 and "回访来电群众" not in page.content.decode()
    assert "没有符合条件的查看记录" in page.content.decode()
