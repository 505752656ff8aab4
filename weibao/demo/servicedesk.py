"""Demo service desk: calendars, catalogue, SLA policies and a month of tickets."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock
from weibao.portal.models import PortalSite
from weibao.servicedesk.models import ServiceComponent, Status, SupportGroup, Ticket
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults
from weibao.servicedesk.services.sla import scan

SAMPLES = [
    ("fault", "p1", "uia", "统一身份认证平台无法登录，法人用户大面积报错", "phone"),
    ("fault", "p2", "licence", "电子证照调用接口超时，营业执照无法亮证", "monitoring"),
    ("consultation", "p4", "portal", "个人用户忘记密码如何找回", "phone"),
    ("consultation", "p4", "items", "企业开办需要哪些材料", "portal"),
    ("service_request", "p3", "approval", "新增审批窗口人员账号 3 个", "email"),
    ("fault", "p3", "rating", "好差评短信未发送给办事群众", "phone"),
    ("optimisation", "p4", "portal", "门户首页办事指南检索优化", "onsite"),
    ("promotion", "p4", "portal", "乡镇便民服务中心网上办事推广培训", "onsite"),
    ("fault", "p2", "approval", "审批系统打印受理回执乱码", "phone"),
    ("consultation", "p3", "uia", "U盾插上后提示证书无效", "phone"),
    ("service_request", "p3", "data", "申请开通与市级平台的数据共享接口", "email"),
    ("fault", "p3", "infra", "政务外网到机房链路丢包", "monitoring"),
]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈杰", "杨静", "赵敏", "黄磊", "周婷", "吴昊"]
ORGS = ["石龙区市场监督管理局", "石龙区人力资源和社会保障局", "龙河街道便民服务中心", "高庄街道便民服务中心", "个人"]


def _people(contract, usernames):
    return {u.username: u for u in User.objects.filter(username__in=usernames)}


@transaction.atomic
def load(contracts: dict) -> None:
    seed, other = contracts["seed"], contracts["other"]

    for contract in (seed, other):
        install_defaults(contract)
    PortalSite.objects.get_or_create(
        contract=seed, defaults={"slug": "shilong", "title": "石龙区政务服务平台 · 运维服务门户"}
    )
    PortalSite.objects.get_or_create(
        contract=other, defaults={"slug": "demo-city", "title": "示例市一网通办 · 运维服务门户"}
    )
    if Ticket.objects.filter(contract=seed).exists():
        return
    people = _people(seed, ["pm", "engineer", "oncall1", "oncall2", "agent", "liaison"])
    group = SupportGroup.objects.get(contract=seed, name="二线运维组")
    group.lead = people["pm"]
    group.save()
    group.members.add(people["engineer"], people["oncall1"], people["oncall2"])
    rng = random.Random(2135)  # noqa: S311 - the same demo every time, not security
    now = clock.now()
    for index in range(36):
        ticket_type, priority, component_code, subject, channel = SAMPLES[index % len(SAMPLES)]
        created = now - timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        if index < 6:
            created = now - timedelta(minutes=rng.randint(5, 100))  # live ones for the timers
        with clock.frozen(created):
            ticket = tickets.create_ticket(
                seed,
                by=people["agent"],
                type=ticket_type,
                priority=priority,
                channel=channel,
                subject=subject,
                description=f"{subject}。请尽快处理。",
                requester_name=rng.choice(NAMES),
                requester_organisation=rng.choice(ORGS),
                requester_phone=f"139{rng.randint(10000000, 99999999)}",
                component=ServiceComponent.objects.get(contract=seed, code=component_code),
                needs_onsite=priority in ("p1", "p2") and index % 2 == 0,
            )
        _advance(ticket, index, created, people, rng)
    # The demo's past has passed: warn and breach what the every-minute scan would have.

    scan()
    with clock.frozen(now - timedelta(hours=3)):
        tickets.create_ticket(
            other, by=User.objects.get(username="other_agent"), type="fault", priority="p2",
            channel="phone", subject="示例市一网通办门户访问缓慢", requester_name="测试用户",
            requester_phone="13700000000",
        )


def _advance(ticket, index, created, people, rng):
    """Walk some tickets along their lifecycle so every state appears in the demo."""
    engineer = people["engineer"] if index % 3 else people["oncall1"]
    stage = index % 6 if index >= 6 else index % 3
    moment = created
    steps = [
        (Status.ASSIGNED, {"assignee": engineer}),
        (Status.IN_PROGRESS, {}),
        (Status.WAITING, {"comment": "已联系请求人，等待提供截图"}),
        (Status.IN_PROGRESS, {}),
        (Status.RESOLVED, {"comment": "已处理并电话确认"}),
        (Status.CLOSED, {}),
    ]
    for to, extra in steps[: stage + 1]:
        moment = moment + timedelta(minutes=rng.randint(3, 40))
        if moment > clock.now():
            break
        with clock.frozen(moment):
            tickets.transition(ticket, to, by=people["pm"] if to == Status.CLOSED else engineer, **extra)
            if to == Status.IN_PROGRESS and not ticket.entries.filter(kind="reply").exists():
                tickets.add_reply(ticket, "您好，工程师已在处理，请保持电话畅通。", by=engineer)
