"""The pages: list with filters and pagination, the incident page and its actions, the
report form, integrations (project manager only), plans and drills; isolation."""

from __future__ import annotations

import pytest

from weibao.incidents import services
from weibao.incidents.models import Drill, EmergencyPlan, Incident, Integration, ReportingDuty

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncall(contract, make_member):
    return make_member(contract, "oncall_engineer", username="oncall1")


def test_the_list_filters_by_status_and_level_and_paginates(contract, pm, client_for, clock):
    for index in range(30):
        services.open_incident(contract, by=pm, title=f"事件{index}", level="III" if index % 3 == 0 else "IV")
    client = client_for(pm)

    page = client.get("/incidents/?level=III")
    assert page.status_code == 200
    assert page.content.decode().count('data-status="open"') == 10
    first = client.get("/incidents/")
    assert "第 1 / 2 页" in first.content.decode()
    assert client.get("/incidents/?status=bogus").status_code == 200  # shown beside the filter
    assert "无效的取值" in client.get("/incidents/?status=bogus").content.decode()
    assert client.get("/incidents/?page=２").status_code == 400


def test_the_incident_page_shows_timeline_duties_and_actions(contract, pm, oncall, client_for, clock):
    incident = services.open_incident(contract, by=pm, title="门户首页无法访问", level="III")
    client = client_for(oncall)

    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "门户首页无法访问" in html and 'data-recipient="regulator"' in html and "确认事件" in html

    assert client.post(f"/incidents/{incident.pk}/acknowledge/").status_code == 302
    client.post(f"/incidents/{incident.pk}/note/", {"body": "已联系机房"})
    client.post(f"/incidents/{incident.pk}/resolve/", {"note": "切换备用节点"})
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert list(incident.timeline.values_list("kind", flat=True)) == ["state", "ack", "note", "state"]


def test_a_bureau_viewer_reads_but_cannot_act(contract, pm, viewer, client_for, clock):
    incident = services.open_incident(contract, by=pm, title="A")
    client = client_for(viewer)

    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "确认事件" not in html
    assert client.post(f"/incidents/{incident.pk}/acknowledge/").status_code == 403
    assert client.get("/incidents/integrations/").status_code == 403


def test_another_contracts_incident_is_not_found(contract, pm, outsider, client_for, clock):
    incident = services.open_incident(contract, by=pm, title="本合同事件")
    client = client_for(outsider)

    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert client.post(f"/incidents/{incident.pk}/acknowledge/").status_code == 404
    assert "本合同事件" not in client.get("/incidents/").content.decode()


def test_the_report_form_is_prefilled_and_records_when_and_to_whom(contract, pm, oncall, client_for, clock):
    incident = services.open_incident(contract, by=pm, title="网页被篡改", level="III", category="content")
    duty = incident.duties.get(recipient="regulator")
    client = client_for(oncall)

    form = client.get(f"/incidents/{incident.pk}/reports/{duty.pk}/").content.decode()
    assert "事件名称：网页被篡改" in form and "信息内容安全事件" in form and "属地省级网信部门" in form

    missing = client.post(f"/incidents/{incident.pk}/reports/{duty.pk}/", {"reported_to": "", "channel": "", "reported_at": "2026-11-24T10:30"})
    assert missing.status_code == 400 and "请填写报告方式" in missing.content.decode()
    bad = client.post(f"/incidents/{incident.pk}/reports/{duty.pk}/", {"reported_to": "x", "channel": "y", "reported_at": "9999-99-99"})
    assert bad.status_code == 400 and "reported_at" not in ReportingDuty.objects.get(pk=duty.pk).reported_to
    done = client.post(f"/incidents/{incident.pk}/reports/{duty.pk}/", {
        "reported_to": "河南省委网信办", "channel": "网络安全事件报告系统", "reported_at": "2026-11-24T10:00", "content": "…",
    })
    assert done.status_code == 302
    duty.refresh_from_db()
    assert duty.reported_to == "河南省委网信办" and duty.reported_at.isoformat() == "2026-11-24T02:00:00+00:00"


def test_integrations_page_shows_full_urls_and_creates_one(contract, pm, client_for, clock):
    client = client_for(pm)
    created = client.post("/incidents/integrations/", {"name": "Zabbix 机房", "kind": "zabbix", "group_by": "host,severity"})
    assert created.status_code == 302
    integration = Integration.objects.get()
    assert integration.group_by == ["host", "severity"]
    html = client.get("/incidents/integrations/").content.decode()
    assert f"/api/v1/integrations/zabbix/{integration.secret}/" in html

    bad = client.post("/incidents/integrations/", {"name": "", "kind": "nagios"})
    assert bad.status_code == 200 and "无效的接入类型" in bad.content.decode()

    client.post(f"/incidents/integrations/{integration.pk}/rotate/")
    integration.refresh_from_db()
    assert f"/api/v1/integrations/zabbix/{integration.secret}/" in client.get("/incidents/integrations/").content.decode()


def test_a_silence_from_the_page(contract, pm, client_for, clock):
    client = client_for(pm)
    client.post("/incidents/silences/new/", {"matchers": "component=portal", "starts_at": "2026-11-24T10:00", "ends_at": "2026-11-24T12:00"})
    assert "component=portal" in client.get("/incidents/integrations/").content.decode()
    assert client.post("/incidents/silences/new/", {"matchers": "portal", "starts_at": "2026-11-24T10:00", "ends_at": "2026-11-24T12:00"}).status_code == 302
    assert client.post("/incidents/silences/new/", {"matchers": "a=b", "starts_at": "yesterday", "ends_at": ""}).status_code == 400


def test_plan_create_and_drill_flow_through_the_pages(contract, pm, oncall, client_for, clock):
    client = client_for(pm)
    answer = client.post("/incidents/plans/new/", {
        "title": "数据库故障应急预案", "scenario": "database", "level": "III", "category": "",
        "steps": "确认主库状态 | 驻场工程师\n切换到备库 | 驻场工程师\n报告甲方 | 项目经理",
        "role_1": "总指挥", "person_1": str(pm.pk), "active": "on", "bureau_template": "{title}",
    })
    assert answer.status_code == 302
    plan = EmergencyPlan.objects.get()
    assert [s.owner for s in plan.steps.all()] == ["驻场工程师", "驻场工程师", "项目经理"]
    assert plan.roles.get().person == pm
    assert "切换到备库" in client.get(f"/incidents/plans/{plan.pk}/").content.decode()

    client.post(f"/incidents/plans/{plan.pk}/drills/", {"scheduled_at": "2026-11-25T09:00"})
    drill = Drill.objects.get()
    client_for(oncall).post(f"/incidents/drills/{drill.pk}/start/")
    item = drill.checklist.first()
    client_for(oncall).post(f"/incidents/checklist/{item.pk}/tick/", {"done": "1"})
    client.post(f"/incidents/drills/{drill.pk}/finish/", {"participants": [str(pm.pk), str(oncall.pk)], "findings": "备库切换慢", "follow_ups": "优化切换脚本"})
    drill.refresh_from_db()
    assert drill.status == "done" and drill.checklist.exclude(done_at=None).count() == 1
    assert "优化切换脚本" in client.get(f"/incidents/drills/{drill.pk}/").content.decode()
    assert client_for(oncall).post(f"/incidents/drills/{drill.pk}/cancel/").status_code == 403


def test_review_page_creates_follow_up_tickets(contract, pm, client_for, clock):
    incident = services.resolve(services.open_incident(contract, by=pm, title="A"), by=pm)
    client = client_for(pm)
    assert incident.number in client.get(f"/incidents/{incident.pk}/review/").content.decode()
    client.post(f"/incidents/{incident.pk}/review/", {"follow_ups": "没有原因的复盘不开工单"})
    assert not hasattr(Incident.objects.get(), "review")
    client.post(f"/incidents/{incident.pk}/review/", {"cause": "证书过期", "follow_ups": "证书监测\n"})
    assert Incident.objects.get().review.follow_ups.get().ticket.subject == "证书监测"


def test_manual_incident_from_the_page(contract, oncall, client_for, clock):
    client = client_for(oncall)
    assert client.post("/incidents/new/", {"title": "", "level": "IV", "category": "other"}).status_code == 200
    assert client.post("/incidents/new/", {"title": "短信网关发送失败", "level": "IV", "category": "equipment"}).status_code == 302
    assert Incident.objects.get().title == "短信网关发送失败"


def test_the_home_page_shows_unresolved_incidents_and_overdue_reports(contract, pm, client_for, clock):
    import datetime as dt

    services.open_incident(contract, by=pm, title="短信网关发送失败", level="I")
    clock.set_now(clock.now() + dt.timedelta(hours=1))
    html = client_for(pm).get("/").content.decode()
    assert "短信网关发送失败" in html and "逾期未报告" in html
