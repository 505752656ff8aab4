"""The month's mail to the seed contract's service desk, dated relative to now: requests
that become tickets, a thread answered by mail while the ticket waits, and the awkward
real-world messages (Foxmail GB2312, Outlook HTML-only, an inline screenshot, an
out-of-office reply, a bounce) each arriving on its day."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import zlib
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from weibao.core import clock
from weibao.mailchannel.models import InboundMail
from weibao.mailchannel.services.inbound import process_safely, receive
from weibao.servicedesk.models import Status as S
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets

MAIL_DIR = Path(__file__).parent / "data" / "mail"
DESK = "support@shilong.weibao.test"
#: The departments' and service centres' own mailboxes (invented).
ADDRESSES = {
    "区市场监督管理局": "scjgj", "区人力资源和社会保障局": "rsj", "区医疗保障局": "ybj", "区民政局": "mzj",
    "区住房和城乡建设局": "zjj", "区卫生健康委员会": "wjw", "区自然资源分局": "zrzy", "区不动产登记中心": "bdcdj",
    "区公安分局户政科": "hzk", "区退役军人事务局": "tyjr", "区残疾人联合会": "cl", "区城市管理局": "cgj",
    "区教育体育局": "jtj", "区税务局第一分局": "swyfj", "区政务服务中心": "zwfwzx", "龙河街道便民服务中心": "lhjd",
    "高庄街道便民服务中心": "gzjd", "人民路街道便民服务中心": "rmljd", "龙兴街道便民服务中心": "lxjd",
    "石龙村便民服务站": "slc", "龙河社区服务站": "lhsq", "寺坡社区服务站": "spsq",
}


def address_for(organisation: str, rng: random.Random) -> str:
    local = ADDRESSES.get(organisation)
    if local:
        return f"{local}@shilong.gov.cn"
    return f"{rng.randint(10**7, 10**10)}@{rng.choice(['qq.com', '163.com', '126.com'])}"


def _deliver(mailbox, raw: bytes) -> InboundMail:
    stored = receive(mailbox, raw, source=InboundMail.Source.SMTP)
    return process_safely(stored.pk)


def _mail(sender: str, name: str, subject: str, body: str, *, msgid: str, extra: dict | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"{Header(name, 'utf-8').encode()} <{sender}>"
    message["To"] = DESK
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.local_now().replace(microsecond=0))
    message["Message-ID"] = f"<{msgid}@{sender.rsplit('@', 1)[-1]}>"
    for key, value in (extra or {}).items():
        message[key] = value
    message.set_content(body)
    return message.as_bytes()


def receive_request(cast, plan) -> Ticket | None:
    """A request from the month's plans, sent by mail: the desk's mailbox makes the ticket."""
    stamp = plan.created.strftime("%Y%m%d%H%M%S")
    raw = _mail(plan.email, plan.requester, plan.subject, f"您好：\n\n{plan.subject}，请协助处理。\n\n{plan.organisation}"
                f" {plan.requester}\n联系电话 {plan.phone}\n", msgid=f"{stamp}.{zlib.crc32(plan.subject.encode()) % 10**6}")
    inbound = _deliver(cast.mailbox, raw)
    return inbound.ticket


def stories(seed, cast, rng: random.Random, now: dt.datetime) -> list:
    if cast.mailbox is None:
        return []
    today = now.astimezone(clock.SHANGHAI).date()

    def at(days: int, hour: int, minute: int) -> dt.datetime:
        local = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour, minute), tzinfo=clock.SHANGHAI)
        return local.astimezone(dt.UTC)

    return [
        _foxmail_thread(cast, at(30, 8, 21)),
        _accounts_thread(cast, at(9, 10, 5)),
        _fixture(cast, "inline_image.eml", at(6, 15, 12), sender=("许文静", "xuwenjing@163.com"),
                 life=("fault", "p3", "portal", "已收到截图，提交时附件超过 20MB 限制。",
                       "已指导压缩扫描件后提交成功。")),
        _fixture(cast, "outlook_html_only.eml", at(4, 10, 30),
                 life=("fault", "p3", "portal", "已复现，IE 兼容模式下脚本报错。",
                       "已修正专区页面兼容性，IE 模式下按钮可正常点击。")),
        _fixture(cast, "bounce_postfix.eml", at(13, 16, 48)),
    ]


def _foxmail(subject: str, body: str) -> bytes:
    """A Foxmail message in GB2312, as the service centre's client sends it."""
    def b64(text: str) -> str:
        return base64.encodebytes(text.encode("gb2312")).decode("ascii")

    boundary = "----=_001_NextPart245018488723_=----"
    head = (
        f"Date: {format_datetime(clock.local_now().replace(microsecond=0))}\r\n"
        f"From: \"{Header('徐丽华', 'gb2312').encode()}\" <zwfwzx@shilong.gov.cn>\r\n"
        f"To: \"{Header('运维服务台', 'gb2312').encode()}\" <{DESK}>\r\n"
        f"Subject: {Header(subject, 'gb2312').encode()}\r\n"
        "X-Priority: 3\r\nX-Mailer: Foxmail 7.2.25.228[cn]\r\nMime-Version: 1.0\r\n"
        f"Message-ID: <{clock.local_now():%Y%m%d%H%M%S}5302150@shilong.gov.cn>\r\n"
        f"Content-Type: multipart/alternative;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
        "This is a multi-part message in MIME format.\r\n\r\n"
    )
    html = "<html><body><div>" + body.replace("\n", "<br>") + "</div></body></html>"
    parts = "".join(
        f"--{boundary}\r\nContent-Type: {kind};\r\n\tcharset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(text)}\r\n"
        for kind, text in (("text/plain", body), ("text/html", html))
    )
    return (head + parts + f"--{boundary}--\r\n").encode("ascii")


def _foxmail_thread(cast, start: dt.datetime):
    """The service centre's mail about the social-insurance page (the month's first ticket),
    the sender's out-of-office answer to our acknowledgement, a fix the same morning."""
    yield start
    subject = "社保查询页面打不开，政务服务中心一楼大厅急"
    body = ("您好：\n\n今天上午开始，社保缴费查询页面一直转圈打不开，窗口工作人员反映群众排队很多。\n请尽快处理。\n\n"
            "石龙区政务服务中心 徐丽华\n电话 0375-6012345\n")
    inbound = _deliver(cast.mailbox, _foxmail(subject, body))
    ticket = inbound.ticket
    if ticket is None:
        return
    yield clock.now() + dt.timedelta(minutes=2)
    auto = _mail("zwfwzx@shilong.gov.cn", "徐丽华", f"自动回复: [{ticket.number}] 已受理：{ticket.subject}",
                 "您好，我正在外出开会，邮件将稍后处理。紧急事项请拨打 0375-6012345。",
                 msgid=f"auto.{ticket.number}")  # no Auto-Submitted: the client's reply says so only in its subject
    _deliver(cast.mailbox, auto)
    yield clock.now() + dt.timedelta(minutes=6)
    engineer = cast.engineers[0]
    ticket = tickets.update_ticket(ticket, by=cast.agent, type="fault", priority="p2",
                                   component=cast.components["portal"], requester_organisation="区政务服务中心",
                                   group=cast.groups["二线运维组"], comment="邮件受理：已分类定级")
    ticket = tickets.transition(ticket, S.ASSIGNED, by=cast.pm, assignee=engineer)
    yield clock.now() + dt.timedelta(minutes=9)
    ticket = tickets.transition(ticket, S.IN_PROGRESS, by=engineer)
    tickets.add_reply(ticket, "您好，已复现，社保查询接口响应超时，正在联系人社系统厂商。", by=engineer)
    yield clock.now() + dt.timedelta(hours=2, minutes=17)
    ticket = tickets.transition(ticket, S.RESOLVED, by=engineer,
                                comment="人社系统接口地址变更未同步，已更新接口配置，查询恢复正常。")
    yield clock.now() + dt.timedelta(days=1, hours=1)
    tickets.transition(ticket, S.CLOSED, by=cast.pm, comment="请求人确认已解决")


def _accounts_thread(cast, start: dt.datetime):
    """A department asks for window accounts by mail; the engineer asks for the signed list,
    the ticket waits; the department's reply (number in the subject) continues it."""
    yield start
    sender, name = "rsj@shilong.gov.cn", "韩雨欣"
    subject = "申请开通社保窗口审批账号"
    raw = _mail(sender, name, subject, "您好：\n\n我局政务服务中心社保窗口新到岗 3 名工作人员，申请开通一窗受理审批系统账号。\n\n"
                "区人力资源和社会保障局 韩雨欣\n", msgid="rsj.accounts.1")
    ticket = _deliver(cast.mailbox, raw).ticket
    if ticket is None:
        return
    yield clock.now() + dt.timedelta(minutes=14)
    engineer = cast.engineers[0]
    ticket = tickets.update_ticket(ticket, by=cast.agent, type="service_request", priority="p3",
                                   component=cast.components["approval"], requester_organisation="区人力资源和社会保障局",
                                   group=cast.groups["二线运维组"], comment="邮件受理：已分类定级")
    ticket = tickets.transition(ticket, S.ASSIGNED, by=cast.agent, assignee=engineer)
    yield clock.now() + dt.timedelta(minutes=25)
    ticket = tickets.transition(ticket, S.IN_PROGRESS, by=engineer)
    tickets.add_reply(ticket, "您好，请回复加盖公章的人员名单（姓名、身份证后四位、岗位），收到后当天开通。", by=engineer)
    ticket = tickets.transition(ticket, S.WAITING, by=engineer, comment="等待人员名单")
    yield clock.now() + dt.timedelta(days=1, hours=3)
    reply = _mail(sender, name, f"Re: [{ticket.number}] 新回复：{subject}",
                  "您好，人员名单见下（已盖章扫描件另行报送）：\n1. 窗口受理岗 2 人\n2. 审核岗 1 人\n",
                  msgid="rsj.accounts.2")
    _deliver(cast.mailbox, reply)
    ticket.refresh_from_db()
    yield clock.now() + dt.timedelta(hours=2)
    if ticket.status == S.WAITING:
        ticket = tickets.transition(ticket, S.IN_PROGRESS, by=engineer)
    ticket = tickets.transition(ticket, S.RESOLVED, by=engineer, comment="3 个账号已开通，初始密码已短信发送本人。")
    yield clock.now() + dt.timedelta(days=1)
    tickets.transition(ticket, S.CLOSED, by=cast.pm, comment="请求人确认已解决")


HEADER = re.compile(rb"^(Date|From): [^\r\n]*", re.MULTILINE)


def _fixture(cast, name: str, moment: dt.datetime, sender: tuple[str, str] | None = None, life=None):
    """A stored real-world message, its Date (and sender) set to its day in this month."""
    yield moment
    raw = (MAIL_DIR / name).read_bytes()
    head, sep, rest = raw.partition(b"\n\n")
    date = format_datetime(clock.local_now().replace(microsecond=0)).encode()

    def replace(match: re.Match) -> bytes:
        if match.group(1) == b"Date":
            return b"Date: " + date
        if sender is not None:
            return f"From: {Header(sender[0], 'gbk').encode()} <{sender[1]}>".encode()
        return match.group(0)

    ticket = _deliver(cast.mailbox, HEADER.sub(replace, head) + sep + rest).ticket
    if ticket is None or life is None:
        return
    ticket_type, priority, component, reply, resolution = life
    engineer = cast.engineers[1]
    yield clock.now() + dt.timedelta(minutes=11)
    ticket = tickets.update_ticket(ticket, by=cast.agent, type=ticket_type, priority=priority,
                                   component=cast.components[component], group=cast.groups["二线运维组"],
                                   comment="邮件受理：已分类定级")
    ticket = tickets.transition(ticket, S.ASSIGNED, by=cast.agent, assignee=engineer)
    yield clock.now() + dt.timedelta(minutes=26)
    ticket = tickets.transition(ticket, S.IN_PROGRESS, by=engineer)
    tickets.add_reply(ticket, f"您好，{reply}", by=engineer)
    yield clock.now() + dt.timedelta(hours=5)
    tickets.transition(ticket, S.RESOLVED, by=engineer, comment=resolution)
