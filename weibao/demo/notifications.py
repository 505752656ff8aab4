"""Demo notification channels, contact methods and a delivery log with a failure first.

Robots point at 127.0.0.1:9 (nothing listens): the demo never posts to a real group, and a
"发送测试" shows what a failure looks like in the log."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock, stored_secrets
from weibao.notifications.models import ContactProfile, Delivery, NotificationChannel
from weibao.servicedesk.models import Ticket

DEMO_ROBOT = "http://127.0.0.1:9/robot/send?access_token=demo"
VENDOR_PEOPLE = ["pm", "engineer", "oncall1", "oncall2", "agent"]


def _robot(contract, name, kind) -> NotificationChannel:
    channel = NotificationChannel.objects.filter(contract=contract, name=name).first()
    if channel is None:
        channel = NotificationChannel.objects.create(
            contract=contract, name=name, kind=kind, endpoint=stored_secrets.protect(DEMO_ROBOT),
            secret=stored_secrets.protect("SECdemo0000000000000000000000000000"),
        )
    return channel


@transaction.atomic
def load(contracts) -> None:
    seed, other = contracts["seed"], contracts["other"]
    for user in User.objects.filter(username__in=VENDOR_PEOPLE):
        ContactProfile.objects.get_or_create(user=user, defaults={"mobile": user.phone, "dingtalk_mobile": user.phone})
    robot = _robot(seed, "石龙区运维值班群（钉钉）", NotificationChannel.Kind.DINGTALK)
    _robot(other, "运维群（企业微信）", NotificationChannel.Kind.WECOM)
    if Delivery.objects.filter(contract=seed).exists():
        return
    now = clock.now()
    seed_tickets = Ticket.objects.filter(contract=seed)
    urgent = seed_tickets.filter(priority__in=["p1", "p2"]).order_by("-created_at").first()
    urged = seed_tickets.filter(urged_count__gt=0).order_by("-urged_at").first() or urgent
    oncall = User.objects.filter(username="oncall1").first()
    mentions = [oncall.phone] if oncall else []
    Delivery.objects.create(
        contract=seed, target=robot, channel=Delivery.Channel.DINGTALK, address=robot.name, mentions=mentions,
        subject=f"{urgent.priority.upper()} 工单 {urgent.number} 即将超时" if urgent else "工单即将超时",
        text=urgent.subject if urgent else "",
        urgency="critical", status=Delivery.Status.SENT, attempts=1,
        created_at=now - timedelta(hours=3), sent_at=now - timedelta(hours=3),
        provider_response='HTTP 200 {"errcode":0,"errmsg":"ok"}',
    )
    Delivery.objects.create(
        contract=seed, target=robot, channel=Delivery.Channel.DINGTALK, address=robot.name, mentions=mentions,
        subject=f"督办：{urged.number} 请尽快处理" if urged else "督办", text="甲方联络人督办。", urgency="high",
        status=Delivery.Status.FAILED, attempts=8, created_at=now - timedelta(hours=2),
        last_error="errcode 310000", provider_response='HTTP 200 {"errcode":310000,"errmsg":"sign not match"}',
    )
    Delivery.objects.create(
        contract=other, channel=Delivery.Channel.EMAIL, address="other@example.cn", subject="另一合同的通知",
        status=Delivery.Status.FAILED, attempts=8, created_at=now - timedelta(hours=1), last_error="smtp down",
    )
    Delivery.objects.create(
        contract=None, channel=Delivery.Channel.EMAIL, address="sysadmin@example.cn",
        subject="平台安全通知：异地登录", status=Delivery.Status.SENT, attempts=1,
        created_at=now - timedelta(hours=5), sent_at=now - timedelta(hours=5), provider_response="accepted",
    )
