"""Incident lifecycle, reporting duties, events in and out, plans, reviews and figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from weibao.core import events
from weibao.core.models import Event
from weibao.incidents import plans, services, tasks
from weibao.incidents.models import Alert, Incident, LevelDefinition, ReportingDuty, TimelineEntry
from weibao.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncall(contract, make_member):
    return make_member(contract, "oncall_engineer", username="oncall1")


def _open(contract, by, **kwargs):
    kwargs.setdefault("title", "统一身份认证无法登录")
    return services.open_incident(contract, by=by, **kwargs)


def test_a_level_three_incident_shows_its_reporting_deadlines(contract, oncall, clock):
    """较大 (III): to the bureau within the contract's 120 minutes, and to the provincial
    cyberspace office within 4 hours (《国家网络安全事件报告管理办法》 art. 4)."""
    incident = _open(contract, oncall, level="III")

    duties = {d.recipient: d for d in incident.duties.all()}
    assert duties["bureau"].due_at == clock.now() + dt.timedelta(minutes=120)
    assert duties["regulator"].due_at == clock.now() + dt.timedelta(hours=4)
    assert duties["regulator"].reported_to == "属地省级网信部门"


def test_a_level_four_incident_has_no_regulator_report(contract, oncall, clock):
    incident = _open(contract, oncall, level="IV")
    assert list(incident.duties.values_list("recipient", flat=True)) == ["bureau"]


def test_critical_infrastructure_reports_within_an_hour_once_the_contract_says_so(contract, oncall, pm, clock):
    from weibao.incidents.integrations import save_level

    services.install_level_defaults(contract)
    definition = LevelDefinition.objects.get(contract=contract, level="III")
    save_level(definition, by=pm, definition_text="…", bureau_minutes=30, regulator_minutes=60, regulator_name="保护工作部门、公安机关")

    incident = _open(contract, oncall, level="III")
    assert incident.duties.get(recipient="regulator").due_at == clock.now() + dt.timedelta(hours=1)


def test_raising_the_level_brings_deadlines_forward_and_adds_the_regulator(contract, oncall, clock):
    incident = _open(contract, oncall, level="IV")
    clock.set_now(clock.now() + dt.timedelta(minutes=10))

    services.change_level(incident, "I", by=oncall, reason="扩大到全市")

    duties = {d.recipient: d for d in incident.duties.all()}
    assert duties["bureau"].due_at == incident.opened_at + dt.timedelta(minutes=30)
    assert duties["regulator"].due_at == incident.opened_at + dt.timedelta(hours=4)
    event = Event.objects.get(type="incident.level_changed")
    assert event.payload["level"] == "I" and event.payload["previous"] == "IV"


def test_reminders_before_and_after_the_deadline_once_each(contract, oncall, pm, clock):
    incident = _open(contract, oncall, level="IV")  # bureau: 240 minutes
    assert tasks.send_reporting_reminders() == 0

    clock.set_now(clock.now() + dt.timedelta(minutes=121))
    assert tasks.send_reporting_reminders() == 1
    assert tasks.send_reporting_reminders() == 0
    assert Notification.objects.filter(recipient=pm).count() == 1
    assert Notification.objects.filter(recipient=oncall).count() == 1

    clock.set_now(clock.now() + dt.timedelta(minutes=120))
    assert tasks.send_reporting_reminders() == 1
    assert "逾期" in Notification.objects.filter(recipient=pm).latest("pk").subject
    assert incident.timeline.filter(kind=TimelineEntry.Kind.NOTIFICATION).count() == 2


def test_recording_a_report_stops_the_reminders_and_is_audited(contract, oncall, clock):
    from weibao.audit.models import AuditRecord

    incident = _open(contract, oncall, level="IV")
    duty = incident.duties.get()
    with pytest.raises(ValidationError) as refused:
        services.record_report(duty, by=oncall, reported_to="", channel="", content="")
    assert set(refused.value.message_dict) == {"reported_to", "channel"}

    services.record_report(duty, by=oncall, reported_to="甲方联络人 陈静", channel="电话", content=services.report_form(incident, "bureau"))

    clock.set_now(clock.now() + dt.timedelta(hours=5))
    assert tasks.send_reporting_reminders() == 0
    assert AuditRecord.objects.filter(action="incident.report").count() == 1
    assert "统一身份认证无法登录" in ReportingDuty.objects.get().content


def test_acknowledge_resolve_reopen(contract, oncall, clock):
    incident = _open(contract, oncall)
    clock.set_now(clock.now() + dt.timedelta(minutes=4))
    incident = services.acknowledge(incident, by=oncall)
    assert incident.status == "acknowledged" and incident.acknowledged_by == oncall
    with pytest.raises(ValidationError):
        services.acknowledge(incident, by=oncall)

    incident = services.resolve(incident, by=oncall, note="重启认证服务")
    with pytest.raises(ValidationError):
        services.reopen(incident, by=oncall, reason="")
    incident = services.reopen(incident, by=oncall, reason="再次出现")
    assert incident.status == "acknowledged" and incident.resolved_at is None
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == ["state", "ack", "state", "state"]
    assert [e.type for e in Event.objects.order_by("pk")] == ["incident.opened", "incident.acknowledged", "incident.resolved"]


def test_only_the_vendor_team_works_incidents(contract, liaison, outsider, clock):
    with pytest.raises(PermissionDenied):
        _open(contract, liaison)
    incident = _open(contract, None)
    with pytest.raises(PermissionDenied):
        services.acknowledge(incident, by=outsider)


def test_a_monitor_going_down_opens_an_incident_and_coming_up_resolves_it(contract, components, clock, django_capture_on_commit_callbacks):
    portal = components["portal"]
    payload = {"monitor": 7, "component": portal.pk, "name": "门户首页", "evidence": {"status": 502, "latency_ms": 31}}
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("monitor.down", contract=contract, payload=payload)
    incident = Incident.objects.get()
    assert incident.source == "monitor" and incident.component == portal and incident.status == "open"
    assert "502" in incident.timeline.filter(kind="alert").get().body

    # A second monitor of the same component joins; a repeated event changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("monitor.down", contract=contract, payload=dict(payload, monitor=8, name="门户搜索"))
        events.publish("monitor.down", contract=contract, payload=payload)
    assert Incident.objects.count() == 1 and incident.alerts.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        events.publish("monitor.up", contract=contract, payload=payload)
    assert Incident.objects.get().status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("monitor.up", contract=contract, payload=dict(payload, monitor=8, name="门户搜索"))
    assert Incident.objects.get().status == "resolved"
    assert not Alert.objects.filter(status="firing").exists()


def test_an_escalation_acknowledgement_marks_the_incident_acknowledged_by_that_person(contract, oncall, clock, django_capture_on_commit_callbacks):
    incident = _open(contract, None)
    step = {"object_type": "incidents.incident", "object_id": str(incident.pk), "step": 1, "target": "赵磊", "channel": "短信"}
    ack = {"object_type": "incidents.incident", "object_id": str(incident.pk), "user": oncall.pk}
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("escalation.step", contract=contract, payload=step)
        events.publish("escalation.acknowledged", contract=contract, payload=ack)
    incident.refresh_from_db()
    assert incident.status == "acknowledged" and incident.acknowledged_by == oncall
    assert incident.timeline.filter(kind="escalation").count() == 1

    # Re-dispatched (a crash before marking it done): nothing twice.
    for event in Event.objects.filter(type__startswith="escalation."):
        Event.objects.filter(pk=event.pk).update(dispatched_at=None)
        events.dispatch(event)
    assert incident.timeline.filter(kind__in=["escalation", "ack"]).count() == 2


def test_an_escalation_of_another_contracts_incident_is_ignored(contract, other_contract, oncall, clock, django_capture_on_commit_callbacks):
    incident = _open(contract, None)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("escalation.acknowledged", contract=other_contract, payload={
            "object_type": "incidents.incident", "object_id": str(incident.pk), "user": oncall.pk,
        })
    assert Incident.objects.get().status == "open"


def _portal_plan(contract, pm, components, **kwargs):
    return plans.save_plan(
        contract, by=pm, title="门户不可用应急预案", scenario="portal_down", component=components["portal"],
        steps=[("确认范围", "值班"), ("切换备用节点", "驻场"), ("报告甲方", "项目经理")],
        bureau_template="【{level}】{component}：{title}", **kwargs,
    )


def test_the_matching_plan_attaches_and_its_steps_are_ticked_with_times(contract, pm, oncall, components, clock):
    plan = _portal_plan(contract, pm, components)
    plans.save_plan(contract, by=pm, title="任意故障", scenario="other", steps=[("通用步骤", "")])

    incident = _open(contract, oncall, component=components["portal"])

    items = list(incident.checklist.all())
    assert [i.text for i in items] == ["确认范围", "切换备用节点", "报告甲方"] and items[0].plan == plan
    clock.set_now(clock.now() + dt.timedelta(minutes=3))
    services.tick(items[0], by=oncall)
    items[0].refresh_from_db()
    assert items[0].done_at == clock.now() and items[0].done_by == oncall
    assert plans.fill_template(plan.bureau_template, incident) == "【一般（Ⅳ级）】政务服务门户：统一身份认证无法登录"


def test_a_plan_for_more_severe_incidents_does_not_attach_to_a_minor_one(contract, pm, oncall, components, clock):
    _portal_plan(contract, pm, components, level="II")
    incident = _open(contract, oncall, component=components["portal"], level="IV")
    assert not incident.checklist.exists()

    services.change_level(incident, "II", by=oncall)
    assert incident.checklist.count() == 3


def test_a_review_turns_follow_ups_into_tickets(contract, pm, oncall, clock):
    incident = _open(contract, oncall)
    with pytest.raises(ValidationError):
        services.save_review(incident, by=pm, cause="…")
    incident = services.resolve(incident, by=oncall)

    review = services.save_review(incident, by=pm, cause="证书过期", follow_ups=["证书到期监测", "", "更新值班手册"])

    tickets = [f.ticket for f in review.follow_ups.all()]
    assert [t.subject for t in tickets] == ["证书到期监测", "更新值班手册"]
    assert all(t.contract == contract for t in tickets)
    assert set(incident.tickets.all()) == set(tickets)
    with pytest.raises(PermissionDenied):
        services.save_review(incident, by=oncall, cause="…")


def test_drill_runs_against_the_plans_checklist_and_records_participants(contract, pm, oncall, components, clock):
    plan = _portal_plan(contract, pm, components)
    drill = plans.schedule_drill(plan, by=pm, scheduled_at=clock.now())
    plans.start_drill(drill, by=oncall)
    clock.set_now(clock.now() + dt.timedelta(minutes=7))
    services.tick(drill.checklist.first(), by=oncall)

    plans.finish_drill(drill, by=pm, participants=[pm, oncall], findings="切换脚本需手工输入口令", follow_ups=["脚本免交互"])

    drill.refresh_from_db()
    assert drill.status == "done" and drill.participants.count() == 2
    assert [m for _i, m in plans.drill_timings(drill)] == [7, None, None]
    assert drill.follow_ups.get().ticket.subject == "脚本免交互"


def test_mtta_and_mttr_per_month(contract, oncall, clock):
    base = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)
    for ack_minutes, fix_minutes in ((4, 60), (10, 120), (None, None)):
        clock.set_now(base)
        incident = _open(contract, oncall)
        if ack_minutes:
            clock.set_now(base + dt.timedelta(minutes=ack_minutes))
            incident = services.acknowledge(incident, by=oncall)
            clock.set_now(base + dt.timedelta(minutes=fix_minutes))
            services.resolve(incident, by=oncall)

    figures = services.month_figures(contract, 2026, 11)
    assert (figures.incidents, figures.mtta_minutes, figures.mttr_minutes) == (3, 7.0, 90.0)
    assert services.month_figures(contract, 2026, 10).mtta_minutes is None
