"""Demo incidents and emergency response: level definitions, an Alertmanager integration on
the seed contract, three emergency plans from the seed's scenarios, a resolved incident
with its review, an open one fed by an alert, and a past drill. Safe to load twice."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock
from weibao.incidents import ingest, inspections, integrations, plans, services
from weibao.incidents.models import Category, EmergencyPlan, InspectionTemplate, Integration, Level
from weibao.servicedesk.models import ServiceComponent, Status
from weibao.servicedesk.services import tickets
from weibao.visits import services as visit_services

PLANS = [
    {
        "title": "政务服务门户不可用应急预案", "scenario": EmergencyPlan.Scenario.PORTAL_DOWN, "level": Level.IV,
        "component": "portal", "category": "",
        "triggers": "门户首页或办事入口连续 3 次探测失败；或 12345 反映无法办件超过 5 起。",
        "steps": [
            ("确认故障范围（PC、移动端、小程序）并在群内通报", "值班工程师"),
            ("检查负载均衡与 Web 服务器状态，必要时切换备用节点", "驻场工程师"),
            ("按级别向甲方联络人电话报告", "项目经理"),
            ("发布门户维护公告", "项目经理"),
            ("恢复后验证主要办事流程并撤下公告", "值班工程师"),
        ],
        "bureau": "【{level}】{opened_at} 起 {component} 出现故障：{title}。当前状态：{status}。我方已启动应急预案，正在处置。",
        "public": "尊敬的用户：{component}正在紧急维护，给您带来不便敬请谅解。线下窗口照常办理。",
    },
    {
        "title": "统一身份认证故障应急预案", "scenario": EmergencyPlan.Scenario.IDENTITY, "level": Level.IV,
        "component": "uia", "category": "",
        "triggers": "登录失败率超过 20% 持续 5 分钟；实名核验接口超时。",
        "steps": [
            ("确认认证服务、实名核验接口与证书状态", "值班工程师"),
            ("联系省级统一身份认证平台确认上游状态", "驻场工程师"),
            ("启用窗口人员代办通道", "项目经理"),
            ("向甲方报告并发布公告", "项目经理"),
        ],
        "bureau": "【{level}】{opened_at} 起统一身份认证异常：{title}。已启用窗口代办通道。",
        "public": "尊敬的用户：统一身份认证服务暂时异常，请稍后再试或前往窗口办理。",
    },
    {
        "title": "网页篡改应急预案", "scenario": EmergencyPlan.Scenario.DEFACEMENT, "level": Level.III,
        "component": "", "category": Category.CONTENT,
        "triggers": "网页防篡改系统告警；或发现门户页面出现非法内容。",
        "steps": [
            ("立即断开被篡改页面的对外访问（切换维护页）", "值班工程师"),
            ("保全现场：保存页面、日志与文件哈希", "驻场工程师"),
            ("30 分钟内电话报告甲方，4 小时内向属地省级网信部门报告", "项目经理"),
            ("从可信备份恢复页面并排查入侵途径", "驻场工程师"),
            ("整改后复测并恢复访问", "值班工程师"),
        ],
        "bureau": "【{level}】{opened_at} 发现{component}网页被篡改：{title}。已断开访问并保全现场。",
        "public": "网站正在进行安全维护，暂停访问，恢复时间另行通知。",
    },
]

SAMPLE_ALERT = {
    "version": "4", "groupKey": "{}/{}:{alertname=\"LicenceApiSlow\"}", "status": "firing", "receiver": "weibao",
    "groupLabels": {"alertname": "LicenceApiSlow"}, "commonLabels": {"alertname": "LicenceApiSlow", "component": "licence"},
    "commonAnnotations": {"summary": "电子证照共享接口响应超过 3 秒"}, "externalURL": "http://alertmanager.shilong.weibao.test:9093",
    "alerts": [{
        "status": "firing", "labels": {"alertname": "LicenceApiSlow", "component": "licence", "instance": "dzzz-api-1:8080"},
        "annotations": {"summary": "电子证照共享接口响应超过 3 秒"}, "startsAt": "", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.shilong.weibao.test:9090/graph", "fingerprint": "5e1c0de0licence1",
    }],
}


@transaction.atomic
def load(contracts) -> None:
    seed, other = contracts["seed"], contracts["other"]
    for contract in (seed, other):
        services.install_level_defaults(contract)
        inspections.install_defaults(contract)
    if Integration.objects.filter(contract=seed).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["pm", "engineer", "oncall1", "oncall2"])}
    pm = people["pm"]
    integration = integrations.create_integration(seed, by=pm, kind=Integration.Kind.ALERTMANAGER, name="Prometheus Alertmanager（机房）")
    integrations.create_integration(other, by=None, kind=Integration.Kind.ALERTMANAGER, name="Alertmanager")
    components = {c.code: c for c in ServiceComponent.objects.filter(contract=seed)}
    made = []
    for spec in PLANS:
        made.append(plans.save_plan(
            seed, by=pm, title=spec["title"], scenario=spec["scenario"], level=spec["level"],
            category=spec["category"], component=components.get(spec["component"]), triggers=spec["triggers"],
            steps=spec["steps"], bureau_template=spec["bureau"], public_template=spec["public"],
            roles=[("总指挥", pm, None), ("现场处置", people["engineer"], people["oncall1"]), ("值班联络", people["oncall1"], people["oncall2"])],
        ))
    now = clock.now()
    # A resolved portal outage nine days ago, acknowledged, reported, reviewed.
    with clock.frozen(now - timedelta(days=9, hours=3)):
        incident = services.open_incident(
            seed, by=people["oncall1"], title="政务服务门户首页无法访问", level=Level.III, category=Category.EQUIPMENT,
            component=components["portal"], description="负载均衡健康检查失败，门户 502。",
        )
    with clock.frozen(now - timedelta(days=9, hours=2, minutes=54)):
        incident = services.acknowledge(incident, by=people["oncall1"])
        for item in incident.checklist.all()[:2]:
            services.tick(item, by=people["oncall1"])
    for duty in incident.duties.all():
        with clock.frozen(now - timedelta(days=9, hours=2, minutes=35)):
            services.record_report(
                duty, by=pm, reported_to="甲方联络人 陈静" if duty.recipient == "bureau" else "河南省委网信办",
                channel="电话" if duty.recipient == "bureau" else "网络安全事件报告系统",
                content=services.report_form(incident, duty.recipient),
            )
    with clock.frozen(now - timedelta(days=9, hours=1, minutes=50)):
        incident = services.resolve(incident, by=people["engineer"], note="切换至备用负载均衡节点后恢复")
    with clock.frozen(now - timedelta(days=8)):
        review = services.save_review(
            incident, by=pm, cause="负载均衡主节点证书自动续期失败，健康检查全部失败。",
            impact="门户 PC 端约 70 分钟无法访问，移动端不受影响。", timeline_summary="见时间线。",
            went_well="6 分钟内确认，备用节点切换顺利。", went_badly="证书续期没有监测；公告发布晚了 20 分钟。",
            follow_ups=["为负载均衡证书增加到期监测", "公告模板预置到门户后台"],
        )
    for index, follow_up in enumerate(review.follow_ups.exclude(ticket=None).order_by("pk")):
        _work_on(follow_up.ticket, pm, people["oncall1"], now - timedelta(days=8) + timedelta(hours=1),
                 resolve_after=timedelta(days=1 + index))
    # An open incident fed by an Alertmanager alert half an hour ago (the escalation
    # policies page on it once the lead's escalations app is merged).
    with clock.frozen(now - timedelta(minutes=30)):
        body = dict(SAMPLE_ALERT)
        body["alerts"] = [dict(SAMPLE_ALERT["alerts"][0], startsAt=(now - timedelta(minutes=32)).isoformat().replace("+00:00", "Z"))]
        ingest.receive(integration, json.dumps(body, ensure_ascii=False).encode())
    # A past drill of the portal plan, and one scheduled next month.
    with clock.frozen(now - timedelta(days=20)):
        drill = plans.schedule_drill(made[0], by=pm, scheduled_at=now - timedelta(days=15))
    with clock.frozen(now - timedelta(days=15)):
        plans.start_drill(drill, by=pm)
    for minutes, item in enumerate(drill.checklist.all(), start=1):
        with clock.frozen(now - timedelta(days=15) + timedelta(minutes=4 * minutes)):
            services.tick(item, by=people["oncall1"])
    with clock.frozen(now - timedelta(days=15) + timedelta(minutes=30)):
        drill = plans.finish_drill(
            drill, by=pm, participants=[pm, people["engineer"], people["oncall1"]],
            findings="备用节点切换脚本需要手工输入口令，耗时 6 分钟。", follow_ups=["备用节点切换脚本改为免交互"],
        )
    for follow_up in drill.follow_ups.exclude(ticket=None):
        _work_on(follow_up.ticket, pm, people["engineer"], now - timedelta(days=15) + timedelta(hours=2),
                 resolve_after=timedelta(days=2))
    plans.schedule_drill(made[1], by=pm, scheduled_at=now + timedelta(days=30))
    # Proactive inspection: yesterday's daily round, checked, one item failed (a ticket).
    start = now - timedelta(days=1)
    visit = visit_services.plan(
        seed, engineer=people["engineer"], start=start, end=start + timedelta(hours=1), location="政务服务中心机房",
        purpose="每日平台巡检", by=pm,
    )
    daily = InspectionTemplate.objects.get(contract=seed, cadence=InspectionTemplate.Cadence.DAILY)
    inspection = inspections.attach(visit, daily, by=pm)
    with clock.frozen(start + timedelta(minutes=20)):
        for item in inspection.results.all():
            failed = "证书" in item.text
            inspections.record(
                item, by=people["engineer"], result="fail" if failed else "pass",
                note="统一身份认证 SSL 证书 21 天后到期" if failed else "",
            )
    for item in inspection.results.exclude(ticket=None):
        _work_on(item.ticket, pm, people["engineer"], start + timedelta(minutes=50))


def _work_on(ticket, pm, engineer, at, resolve_after=None) -> None:
    """A follow-up ticket taken up within the hour, as the desk does its other tickets (its
    SLA clocks run like any other), and resolved, then closed, when the work is done."""
    with clock.frozen(at):
        ticket = tickets.transition(ticket, Status.ASSIGNED, by=pm, assignee=engineer)
    with clock.frozen(at + timedelta(minutes=20)):
        ticket = tickets.transition(ticket, Status.IN_PROGRESS, by=engineer)
    if resolve_after is not None:
        with clock.frozen(at + resolve_after):
            ticket = tickets.transition(ticket, Status.RESOLVED, by=engineer, comment="已完成整改并验证。")
        with clock.frozen(at + resolve_after + timedelta(days=1)):
            tickets.transition(ticket, Status.CLOSED, by=pm, comment="已验证")
