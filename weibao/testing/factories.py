"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password

from weibao.accounts.models import User
from weibao.accounts.services import passwords
from weibao.contracts.models import Contract, Membership
from weibao.core import clock
from weibao.feedback.services.ratings import rate
from weibao.knowledge.services.articles import create_article
from weibao.mailchannel.services.inbound import receive
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.workflow import allowed_from
from weibao.visits.services import plan

TEST_PASSWORD = "Weibao@2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")

    @classmethod
    def _create(cls, model_class, *args, password=None, **kwargs):
        # A new user as set_password leaves one (its own steps: changed now, remembered),
        # saved with the user's INSERT: the service's audit record and credential
        # revocation mean nothing for an account nobody has used, and cost ten statements
        # per user of every test. The service itself is tested through the password pages.
        user = model_class(*args, **kwargs)
        user.password = _hashed(password or TEST_PASSWORD, settings.PASSWORD_HASHERS[0])
        passwords.mark_changed(user)
        user.save()
        passwords.remember(user)
        return user


@functools.cache
def _hashed(raw: str, hasher: str) -> str:
    # One salt per password text and hasher for the whole run: a hash is the slow part of
    # a user. (Every factory user shares it: a test of session hashes makes its own.)
    return make_password(raw)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-TEST-{n:05d}")
    name = factory.Sequence(lambda n: f"测试区一体化政务服务平台维保项目{n}")
    party_a = "测试区行政审批和政务信息管理局"
    party_b = "测试信息技术有限公司"
    amount = Decimal("1370000.00")
    term_start = date(2026, 3, 9)
    term_end = date(2027, 3, 8)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    contract = factory.SubFactory(ContractFactory)
    user = factory.SubFactory(UserFactory)
    role = "project_manager"


# --- Records made through their services, so every rule, clock and audit record applies ---
# Each takes the contract (a ContractFactory when omitted) and who acts (``by``: a project
# manager of the contract when omitted); ``at`` makes the record at that instant of the one
# clock, then puts the clock back.

@contextmanager
def _clock_at(at: datetime | None):

    if at is None:
        yield
    else:
        with clock.frozen(at):
            yield


def member_of(contract, role: str = "project_manager"):
    """A member of ``contract`` holding ``role`` (the first one, or a new one)."""
    found = Membership.objects.filter(contract=contract, role=role).select_related("user").first()
    if found:
        return found.user
    return MembershipFactory(contract=contract, role=role).user


class _ServiceFactory(factory.Factory):
    """A factory whose ``_create`` calls the app's service instead of ``Model.save``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, at=None, **kwargs):
        with _clock_at(at):
            return cls.make(*args, **kwargs)


class TicketFactory(_ServiceFactory):
    """A ticket through ``create_ticket``: number, first history entry, SLA clocks, audit
    record and event. Install the contract's defaults (``install_defaults``) first for
    SLA clocks; ``status`` moves it on through ``transition``."""

    class Meta:
        model = "servicedesk.Ticket"

    contract = factory.SubFactory(ContractFactory)
    type = "fault"
    priority = "p3"
    channel = "phone"
    subject = factory.Sequence(lambda n: f"统一身份认证登录异常（{n}）")
    description = "法人用户无法登录，提示证书错误"
    requester_name = "张三"
    requester_phone = "13812345678"

    @classmethod
    def make(cls, contract, by=None, status=None, **fields):

        by = by or member_of(contract)
        ticket = tickets.create_ticket(contract, by=by, **fields)
        for step in _path(ticket.status, status) if status else ():
            assignee = ticket.assignee or member_of(contract, "resident_engineer")
            ticket = tickets.transition(ticket, step, by=by, comment="已处理完毕" if step == "resolved" else "",
                       assignee=assignee if step == "assigned" else None)
        return ticket


def _path(start: str, goal: str) -> list[str]:
    """The shortest way through the ticket workflow from ``start`` to ``goal``."""

    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        if path[-1] == goal:
            return path[1:]
        for step in allowed_from(path[-1]):
            if step not in seen:
                seen.add(step)
                paths.append([*path, step])
    raise ValueError(f"no way from {start} to {goal}")


class EntryFactory(_ServiceFactory):
    """A reply (``public``) or internal note on a ticket, through ``add_reply``."""

    class Meta:
        model = "servicedesk.TicketEntry"

    ticket = factory.SubFactory(TicketFactory)
    body = factory.Sequence(lambda n: f"已联系认证中心核实（{n}）")
    public = True

    @classmethod
    def make(cls, ticket, body, public, by=None):

        return tickets.add_reply(ticket, body, by=by or member_of(ticket.contract), public=public)


class RatingFactory(_ServiceFactory):
    """A 好差评 rating of a resolved ticket, recorded by phone call-back (a dissatisfied
    level opens a rectification, as the service does)."""

    class Meta:
        model = "feedback.Rating"

    ticket = factory.SubFactory(TicketFactory, status="resolved")
    level = 5
    comment = "处理及时"
    source = "phone"

    @classmethod
    def make(cls, ticket, level, comment, source, by=None):

        return rate(ticket, level, comment, by=by or member_of(ticket.contract), source=source)


class ArticleFactory(_ServiceFactory):
    """A knowledge article through ``create_article`` (published unless ``publish=False``)."""

    class Meta:
        model = "knowledge.Article"

    contract = factory.SubFactory(ContractFactory)
    title = factory.Sequence(lambda n: f"电子营业执照下载失败的处理（{n}）")
    body = "在政务服务网“我的证照”中重新下载；仍失败时清除缓存后重试。"
    visibility = "internal"
    publish = True

    @classmethod
    def make(cls, contract, by=None, **fields):

        return create_article(contract, by=by or member_of(contract), **fields)


class VisitFactory(_ServiceFactory):
    """An on-site visit through ``plan`` (a round, or a dispatch when ``ticket`` is given),
    tomorrow 09:00–11:00 Beijing time by default."""

    class Meta:
        model = "visits.Visit"

    contract = factory.SubFactory(ContractFactory)
    location = "区政务服务中心三楼机房"
    purpose = "服务器巡检"

    @classmethod
    def make(cls, contract, by=None, engineer=None, start=None, end=None, ticket=None, **fields):
        if start is None:
            day = clock.today() + timedelta(days=1)
            start = datetime.combine(day, time(9), tzinfo=clock.SHANGHAI)
        end = end or start + timedelta(hours=2)
        engineer = engineer or member_of(contract, "resident_engineer")
        return plan(contract, engineer=engineer, start=start, end=end, by=by or member_of(contract),
                    ticket=ticket, **fields)


def raw_mail(*, sender: str = "citizen@example.com", to: str = "desk@example.com",
             subject: str = "营业执照无法下载", body: str = "您好，电子营业执照一直下载失败。",
             message_id: str | None = None, charset: str = "utf-8", **headers) -> bytes:
    """An RFC 5322 message as a mail server would deliver it (for ``mailchannel.receive``)."""

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body, charset=charset)
    return message.as_bytes()


class InboundMailFactory(_ServiceFactory):
    """A mail received by a mailbox through ``receive`` (processed as the worker would)."""

    class Meta:
        model = "mailchannel.InboundMail"

    raw = factory.LazyFunction(raw_mail)
    source = "imap"

    @classmethod
    def make(cls, mailbox, raw, source):

        return receive(mailbox, raw, source=source)
