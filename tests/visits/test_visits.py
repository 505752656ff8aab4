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
    clock.advance(timedelta(minutes=5))
    client_for(engineer).post(f"/visits/{visit.pk}/check_out/", {"work_done": "更换故障硬盘", "parts_used": "硬盘 1 块"})
    visit.refresh_from_db()
    assert visit.status == "done" and visit.parts_used == "硬盘 1 块"


def test_planned_round_and_confirmation_by_the_bureau(pm, client_for, engineer, liaison, desk, clock):
    web = client_for(pm)
    plan(web, engineer=engineer.pk)
    visit = Visit.objects.get()
    assert visit.kind == "planned"
    eng = client_for(engineer)
    eng.post(f"/visits/{visit.pk}/check_in/")
    response = eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": ""}, follow=True)
    assert "请填写工作内容" in response.content.decode()
    clock.advance(timedelta(minutes=5))
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


# -- who may sign in and out, and who confirmed ------------------------------------------


def _dispatched(pm, client_for, new_ticket, engineer, **ticket_fields):
    ticket = new_ticket(needs_onsite=True, **ticket_fields)
    plan(client_for(pm), engineer=engineer.pk, ticket=ticket["id"])
    return ticket, Visit.objects.get()


def _arrival(api, ticket) -> dict:
    return {c["target"]: c for c in api.get(f"/api/v1/tickets/{ticket['id']}/").json()["sla"]}["arrival"]


def test_a_hotline_agent_cannot_check_in_and_stop_the_arrival_clock(
        pm, client_for, new_ticket, engineer, api, contract, make_member, clock):
    ticket, visit = _dispatched(pm, client_for, new_ticket, engineer)
    agent = client_for(make_member(contract, "hotline_agent"))
    assert "到场签到由本次现场服务的工程师本人完成" in agent.get(f"/visits/{visit.pk}/").content.decode()
    response = agent.post(f"/visits/{visit.pk}/check_in/", follow=True)
    assert "只有本次现场服务的工程师本人可以签到" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.arrived_at is None
    assert _arrival(api, ticket)["state"] == "running"
    assert not AuditRecord.objects.filter(action="visit.check_in").exists()


def test_check_in_and_out_are_audited_with_who_and_the_times_recorded(
        pm, client_for, new_ticket, engineer, api, clock):
    ticket, visit = _dispatched(pm, client_for, new_ticket, engineer)
    eng = client_for(engineer)
    clock.advance(timedelta(minutes=30))
    arrived = clock.now()
    eng.post(f"/visits/{visit.pk}/check_in/")
    record = AuditRecord.objects.get(action="visit.check_in")
    assert record.actor == engineer and record.after["arrived_at"] == arrived.isoformat()
    assert record.detail["ticket_arrival"] is True and not record.detail["override_reason"]
    clock.advance(timedelta(minutes=9))  # within the 10-minute idle timeout
    eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": "更换故障硬盘"})
    record = AuditRecord.objects.get(action="visit.check_out")
    assert record.actor == engineer and record.after["departed_at"] == clock.now().isoformat()
    assert _arrival(api, ticket)["state"] == "met"


def test_the_project_manager_signs_for_the_engineer_only_with_a_reason_which_is_audited(
        pm, client_for, new_ticket, engineer, api, clock):
    ticket, visit = _dispatched(pm, client_for, new_ticket, engineer)
    web = client_for(pm)
    response = web.post(f"/visits/{visit.pk}/check_in/", follow=True)
    assert "请填写原因" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "planned"
    web.post(f"/visits/{visit.pk}/check_in/", {"reason": "工程师手机没电，电话确认已到场"})
    visit.refresh_from_db()
    assert visit.status == "on_site" and visit.checked_in_by == pm
    record = AuditRecord.objects.get(action="visit.check_in")
    assert record.actor == pm and record.detail["override_reason"] == "工程师手机没电，电话确认已到场"
    page = web.get(f"/visits/{visit.pk}/").content.decode()
    assert "代签" in page and "工程师手机没电" in page
    assert _arrival(api, ticket)["state"] == "met"


def test_a_vendor_user_records_the_requesters_confirmation_on_their_behalf(
        pm, client_for, engineer, desk, clock):
    engineer.display_name = "李工"
    engineer.save()
    plan(client_for(pm), engineer=engineer.pk)
    visit = Visit.objects.get()
    eng = client_for(engineer)
    eng.post(f"/visits/{visit.pk}/check_in/")
    clock.advance(timedelta(minutes=5))
    eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": "巡检正常"})
    assert "请求人姓名" in eng.get(f"/visits/{visit.pk}/").content.decode()
    response = eng.post(f"/visits/{visit.pk}/confirm/", {"name": " "}, follow=True)
    assert "请填写请求人姓名" in response.content.decode()
    eng.post(f"/visits/{visit.pk}/confirm/", {"name": "王五", "note": "已恢复"})
    visit.refresh_from_db()
    assert (visit.status, visit.confirmation_kind, visit.confirmed_by) == ("confirmed", "on_behalf", engineer)
    assert "由乙方 李工 代请求人 王五 记录确认" in eng.get(f"/visits/{visit.pk}/").content.decode()
    record = AuditRecord.objects.get(action="visit.confirm")
    assert record.actor == engineer and record.after["kind"] == "on_behalf"


def test_a_bureau_account_confirming_is_the_bureaus_confirmation(pm, client_for, engineer, liaison, desk, clock):
    liaison.display_name = "陈静"
    liaison.save()
    plan(client_for(pm), engineer=engineer.pk)
    visit = Visit.objects.get()
    eng = client_for(engineer)
    eng.post(f"/visits/{visit.pk}/check_in/")
    clock.advance(timedelta(minutes=5))
    eng.post(f"/visits/{visit.pk}/check_out/", {"work_done": "巡检正常"})
    bureau = client_for(liaison)
    bureau.post(f"/visits/{visit.pk}/confirm/", {"name": ""})
    visit.refresh_from_db()
    assert (visit.confirmation_kind, visit.confirmed_by, visit.confirmed_by_name) == ("bureau", liaison, "陈静")
    assert "甲方 陈静 确认" in bureau.get(f"/visits/{visit.pk}/").content.decode()


# -- dispatching from a ticket -----------------------------------------------------------


def test_dispatching_from_a_ticket_without_onsite_starts_its_arrival_clock(
        pm, client_for, new_ticket, engineer, api, clock):
    ticket = new_ticket()  # P1 fault, not marked as needing anyone on site
    assert "arrival" not in {c["target"] for c in api.get(f"/api/v1/tickets/{ticket['id']}/").json()["sla"]}
    clock.advance(timedelta(minutes=20))
    plan(client_for(pm), engineer=engineer.pk, ticket=ticket["id"])
    assert api.get(f"/api/v1/tickets/{ticket['id']}/").json()["needs_onsite"] is True
    arrival = _arrival(api, ticket)
    assert arrival["state"] == "running" and arrival["remaining_seconds"] == 120 * 60  # from the dispatch
    clock.advance(timedelta(minutes=45))
    client_for(engineer).post(f"/visits/{Visit.objects.get().pk}/check_in/")
    arrival = _arrival(api, ticket)
    assert arrival["state"] == "met" and arrival["remaining_seconds"] == 75 * 60
    assert api.get(f"/api/v1/tickets/{ticket['id']}/").json()["arrived_at"] is not None


def test_dispatching_a_ticket_whose_policy_has_no_arrival_target_says_so(
        pm, client_for, new_ticket, engineer, api, clock):
    ticket = new_ticket(priority="p3")
    web = client_for(pm)
    response = plan(web, engineer=engineer.pk, ticket=ticket["id"])
    assert "没有到场时限" in web.get(response.url).content.decode()


def test_a_closed_ticket_cannot_be_dispatched_to(pm, client_for, new_ticket, engineer, api):
    ticket = new_ticket()
    api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": "cancelled"}, format="json")
    response = plan(client_for(pm), engineer=engineer.pk, ticket=ticket["id"])
    assert response.status_code == 200 and "不能派遣" in response.content.decode()
    assert not Visit.objects.exists()


def test_malformed_ids_are_field_errors_not_server_errors(pm, client_for, engineer, desk):
    web = client_for(pm)
    response = plan(web, engineer="abc")
    assert response.status_code == 200 and "工程师必须是本合同乙方团队成员" in response.content.decode()
    assert web.get("/visits/new/", {"ticket": "abc"}).status_code == 400
    assert web.get("/visits/", {"engineer": "²"}).status_code == 200
    assert not Visit.objects.exists()
