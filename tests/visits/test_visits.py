"""现场服务: plan, check in (feeding the ticket's arrival SLA), check out, confirm."""

from __future__ import annotations

from datetime import timedelta

from weibao.audit.models import AuditRecord
from weibao.testing.isolation import assert_isolated
from weibao.visits.models import Visit


def plan(web, **fields):
    data = {"engineer": fields.pop("engineer"), "start": "2026-11-24T14:00", "end": "2026-11-24T16:00",
            "location": "石龙区政务服务中心三楼机房", "purpose": "门户服务器巡检"}
    data.update(fields)
    return web.post("/visits/new/" + (f"?ticket={fields['ticket']}" if "ticket" in fields else ""), data)


def test_dispatched_visit_check_in_meets_the_arrival_sla(pm, client_for, new_ticket, engineer, api, clock):
    ticket = new_ticket(needs_onsite=True)  # P1: arrival within 120 min on 7×24
    web = client_for(pm)
    response = plan(web, engineer=engineer.pk, ticket=ticket["id"])
    visit = Visit.objects.get()
    assert response.status_code == 302 and visit.kind == "dispatched"
    clock.advance(timedelta(minutes=50))
    client_for(engineer).post(f"/visits/{visit.pk}/check_in/")
    arrival = {c["target"]: c for c in api.get(f"/api/v1/tickets/{ticket['id']}/").json()["sla"]}["arrival"]
    assert arrival["state"] == "met" and arrival["remaining_seconds"] == 70 * 60
    client_for(engineer).post(f"/visits/{visit.pk}/check_out/", {"work_done": "更换故障硬盘", "parts_used": "硬盘 1 块"})
    visit.refresh_from_db()
    assert visit.status == "done" and visit.parts_used == "硬盘 1 块"


def test_planned_round_and_confirmation_by_the_bureau(pm, client_for, engineer, liaison, desk):
    web = client_for(pm)
    plan(web, engineer=engineer.pk)
    visit = Visit.objects.get()
    assert visit.kind == "planned"
    eng = client_for(engineer)
    eng.post(f"/visits/{visit.pk}/check_in/")
    response = eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": ""}, follow=True)
    assert "请填写工作内容" in response.content.decode()
    eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": "巡检正常"})
    client_for(liaison).post(f"/visits/{visit.pk}/confirm/", {"name": "陈静", "note": "已核实"})
    visit.refresh_from_db()
    assert visit.status == "confirmed" and visit.confirmed_by_name == "陈静"
    assert AuditRecord.objects.filter(action="visit.confirm").exists()


def test_engineer_must_be_on_the_vendor_team(pm, client_for, liaison, desk):
    response = plan(client_for(pm), engineer=liaison.pk)
    assert response.status_code == 200 and not Visit.objects.exists()


def test_bad_times_are_field_errors(pm, client_for, engineer, desk):
    response = plan(client_for(pm), engineer=engineer.pk, end="2026-11-24T13:00")
    assert "结束时间须晚于开始时间" in response.content.decode()
    response = plan(client_for(pm), engineer=engineer.pk, start="tomorrow")
    assert "请填写有效的开始和结束时间" in response.content.decode()


def test_week_calendar(pm, client_for, engineer, desk):
    web = client_for(pm)
    plan(web, engineer=engineer.pk)
    page = web.get("/visits/", {"week": "2026-11-23"}).content.decode()
    assert "门户服务器巡检" in page
    assert "门户服务器巡检" not in web.get("/visits/", {"week": "2026-11-30"}).content.decode()


def test_visits_are_isolated(pm, client_for, engineer, outsider, desk):
    plan(client_for(pm), engineer=engineer.pk)
    visit = Visit.objects.get()
    web = client_for(outsider)
    assert_isolated(web, ["/visits/", "/visits/?week=2026-11-23", f"/visits/{visit.pk}/"],
                    secrets=["门户服务器巡检", "三楼机房"])
    assert_isolated(web, [f"/visits/{visit.pk}/check_in/", f"/visits/{visit.pk}/cancel/"],
                    secrets=["门户服务器巡检"], method="post", content_type="application/x-www-form-urlencoded")
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_deactivated_engineer_is_neither_offered_nor_planned(pm, client_for, engineer, desk):
    engineer.display_name = "离职工程师"
    engineer.is_active = False
    engineer.save()
    web = client_for(pm)
    assert "离职工程师" not in web.get("/visits/new/").content.decode()
    response = plan(web, engineer=engineer.pk)
    assert response.status_code == 200 and not Visit.objects.exists()
