"""A month of the 石龙区 hotline, lived through the real services.

Each ticket, mail and round is a story: a generator that says when it next acts and then
acts with the one clock set to that moment (``clock.frozen``). The stories run in time
order, with the every-minute SLA scan run between them as the scheduler would, so every
deadline, warning, breach, rating and rectification is the services' own. Moments are
placed inside the ticket's own SLA budget (working time of its calendar), so most targets
are met and the few stories meant to be late are late by the same arithmetic. A story
whose next moment is after now stops there: that ticket is still open today.

A fixed random seed gives the same shape every day; everything is relative to now.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from weibao.accounts.models import User
from weibao.calendars import engine
from weibao.calendars.services import working_time_for
from weibao.core import clock, request_context
from weibao.demo import month_mail
from weibao.demo.month_data import (
    CENTRES,
    COMPANIES,
    DEPARTMENTS,
    GIVEN,
    ITEMS,
    SCENARIOS,
    SURNAMES,
)
from weibao.feedback.models import Level, Rating, Rectification
from weibao.feedback.services import ratings, rectifications
from weibao.mailchannel.models import Mailbox
from weibao.servicedesk.models import ServiceComponent, SlaClock, SupportGroup, Ticket
from weibao.servicedesk.models import Status as S
from weibao.servicedesk.services import sla, tickets
from weibao.visits import services as visits
from weibao.visits.models import Visit

DAYS = 30
SEED = 2135
#: How long the month's scheduler waits between SLA scans (it runs every minute in life;
#: ten minutes gives the same warnings and breaches, the breach time being the deadline).
SCAN_EVERY = dt.timedelta(minutes=10)
TYPE_WEIGHT = {"consultation": 3.0, "fault": 2.2, "service_request": 1.2, "optimisation": 0.5, "promotion": 0.5}
PRIORITY_WEIGHT = {"p1": 0, "p2": 0.45, "p3": 1.0, "p4": 1.0}
CHANNEL = {"p": "phone", "w": "portal", "m": "email", "a": "api", "o": "onsite", "s": "monitoring"}
GROUP = {"consultation": "一线服务台", "fault": "二线运维组", "service_request": "二线运维组",
         "optimisation": "二线运维组", "promotion": "驻场组"}
#: Share of the resolution budget a ticket of this type usually takes.
RESOLVE_SHARE = {"consultation": (0.05, 0.3), "fault": (0.2, 0.85), "service_request": (0.25, 0.85),
                 "optimisation": (0.3, 0.95), "promotion": (0.3, 0.95)}
GOOD_COMMENTS = ["处理及时，态度很好", "工程师很专业，一次就解决了", "电话讲解很耐心", "", "", "速度快",
                 "问题解决了，谢谢", "", "响应很快", "希望以后也这么高效"]
FAIR_COMMENTS = ["解决了，但等的时间有点长", "", "第二次打电话才解决"]


@dataclass
class Cast:
    pm: User
    agent: User
    engineers: list[User]
    liaison: User
    groups: dict[str, SupportGroup]
    components: dict[str, ServiceComponent]
    mailbox: Mailbox | None


@dataclass
class Plan:
    """One ticket's story before it happens: who calls about what, and how it goes."""

    created: dt.datetime
    scenario: tuple
    subject: str
    reply: str
    resolution: str
    channel: str
    requester: str
    organisation: str
    phone: str
    email: str
    engineer: User | None = None
    late_response: bool = False
    late_resolution: bool = False
    waits: bool = False
    rating: int | None = None
    extra: dict = field(default_factory=dict)


def load(contracts: dict) -> None:
    seed = contracts["seed"]
    if Ticket.objects.filter(contract=seed).exists():
        return
    cast = _cast(seed)
    rng = random.Random(SEED)  # noqa: S311 - the same demo every day, not a secret
    now = clock.now()
    stories = [_ticket_story(seed, cast, plan, rng) for plan in _plans(cast, rng, now)]
    stories += month_mail.stories(seed, cast, rng, now)
    stories += _round_stories(seed, cast, now)
    # The cast's memberships do not change during the month: read once, not per step.
    with transaction.atomic(), request_context.unit_of_work():
        run(stories, now)


def _cast(seed) -> Cast:
    people = {u.username: u for u in User.objects.filter(
        username__in=["pm", "agent", "engineer", "oncall1", "oncall2", "liaison"])}
    groups = {g.name: g for g in SupportGroup.objects.filter(contract=seed)}
    return Cast(
        pm=people["pm"], agent=people["agent"], liaison=people["liaison"],
        engineers=[people["engineer"], people["oncall1"], people["oncall2"]], groups=groups,
        components={c.code: c for c in ServiceComponent.objects.filter(contract=seed)},
        mailbox=Mailbox.objects.filter(contract=seed).first(),
    )


# -- the driver ----------------------------------------------------------------------------


Story = Iterator[dt.datetime]


def run(stories: list[Story], now: dt.datetime) -> None:
    """Advance every story in time order up to ``now``, scanning SLA clocks between moments."""
    queue: list[tuple[dt.datetime, int, Story]] = []
    for order, story in enumerate(stories):
        first = next(story, None)
        if first is not None and first <= now:
            heapq.heappush(queue, (first, order, story))
    last_scan = None
    while queue:
        moment, order, story = heapq.heappop(queue)
        with clock.frozen(moment):
            if last_scan is None or moment - last_scan >= SCAN_EVERY:
                sla.scan(moment)
                last_scan = moment
            following = next(story, None)
        if following is not None and following <= now:
            heapq.heappush(queue, (max(following, moment), order, story))
    with clock.frozen(now):
        sla.scan(now)


def within(ticket: Ticket, target: str, share: float, *, least: int = 120) -> dt.datetime:
    """The moment ``share`` of what is left of ``ticket``'s ``target`` budget is used, in the
    working time of that clock's calendar, from now (at least ``least`` working seconds on)."""
    sla_clock = ticket.clocks.filter(target=target).select_related("calendar").first()
    now = clock.now()
    if sla_clock is None:
        return now + dt.timedelta(seconds=least + share * 3600)
    left = sla.view(sla_clock, now).remaining_seconds
    seconds = max(int(max(left, 0) * share), least)
    if share > 1 and left <= 0:
        seconds = max(int(sla_clock.budget_seconds * (share - 1)), least)
    working = working_time_for(sla_clock.calendar)
    return engine.from_epoch(working.add_seconds(engine.to_epoch(now), seconds))


def office_moment(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """``moment`` moved into office hours (a PM closing tickets, a requester rating them)."""
    local = moment.astimezone(clock.SHANGHAI)
    if local.hour < 8 or (local.hour == 8 and local.minute < 30):
        local = local.replace(hour=8, minute=30 + rng.randint(0, 29))
    elif local.hour >= 19:
        local = (local + dt.timedelta(days=1)).replace(hour=8, minute=30 + rng.randint(0, 29))
    return local.astimezone(dt.UTC)


# -- who calls about what ------------------------------------------------------------------


def _plans(cast: Cast, rng: random.Random, now: dt.datetime) -> list[Plan]:
    plans = []
    used: Counter[str] = Counter()
    today = now.astimezone(clock.SHANGHAI).date()
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        weekend = day.weekday() >= 5
        for _ in range(rng.randint(1, 3) if weekend else rng.randint(6, 10)):
            created = _call_time(day, rng, weekend)
            if created >= now - dt.timedelta(minutes=3):
                continue
            plans.append(_plan(cast, rng, created, used))
    plans += _live_plans(cast, rng, now)
    plans.sort(key=lambda p: p.created)
    _cast_the_exceptions(plans, rng, now)
    return plans


#: Whatever day it is, the last two hours had calls: live timers on the desk and the
#: hotline, and the 好差评 interface the monitoring demo shows down has its ticket.
LIVE = [
    (95, ("fault", "p3", "approval", "p", "区政务服务中心叫号系统与一窗受理系统不同步",
          "已远程查看叫号服务日志。", "叫号服务重启后同步恢复。")),
    (41, ("consultation", "p4", "items", "w", "咨询新生儿出生“一件事”联办需要哪些材料",
          "已发送联办材料清单。", "已告知联办入口及材料清单。")),
    (14, ("fault", "p2", "rating", "s", "好差评系统接口无法连接（监测告警）",
          "值班工程师正在确认影响范围。", "接口服务恢复。")),
]


#: The month's one P1: the identity platform failing one morning, 12 days ago.
P1_STORY = (12 * 24 * 60 - 47, ("fault", "p1", "uia", "s", "统一身份认证登录大面积失败",
                                "已启动应急预案，正在排查认证服务。", "认证服务节点内存耗尽，已扩容并重启，登录恢复。"))


def _live_plans(cast: Cast, rng: random.Random, now: dt.datetime) -> list[Plan]:
    plans = []
    for minutes, scenario in [P1_STORY, *LIVE]:
        channel = CHANNEL[scenario[3]]
        name = "监控告警" if channel == "monitoring" else rng.choice(SURNAMES) + rng.choice(GIVEN)
        plans.append(Plan(
            created=now - dt.timedelta(minutes=minutes), scenario=scenario, subject=scenario[4],
            reply=scenario[5], resolution=scenario[6], channel=channel, requester=name,
            organisation="运维监控平台" if channel == "monitoring" else "区政务服务中心",
            phone="" if channel == "monitoring" else f"139{rng.randint(10**7, 10**8 - 1)}", email="",
            engineer=cast.engineers[0] if channel != "monitoring" else cast.engineers[1], rating=None,
        ))
    return plans


def _call_time(day: dt.date, rng: random.Random, weekend: bool) -> dt.datetime:
    if weekend or rng.random() < 0.08:  # the 7×24 hotline after hours
        hour, minute = rng.choice([(9, 0), (10, 30), (15, 0), (19, 0), (20, 30), (21, 0)]), rng.randint(0, 59)
    else:
        hour, minute = rng.choice([(8, 40), (9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (14, 0), (14, 30),
                                   (15, 0), (15, 30), (16, 0), (16, 40)]), rng.randint(0, 29)
    local = dt.datetime.combine(day, dt.time(hour[0], hour[1]), tzinfo=clock.SHANGHAI)
    return (local + dt.timedelta(minutes=minute, seconds=rng.randint(0, 59))).astimezone(dt.UTC)


def _plan(cast: Cast, rng: random.Random, created: dt.datetime, used: Counter) -> Plan:
    weights = [TYPE_WEIGHT[s[0]] * PRIORITY_WEIGHT[s[1]] for s in SCENARIOS]
    for _attempt in range(50):
        scenario = rng.choices(SCENARIOS, weights)[0]
        fills = {"item": rng.choice(ITEMS), "dept": rng.choice(DEPARTMENTS), "centre": rng.choice(CENTRES),
                 "n": rng.randint(2, 12)}
        subject = scenario[4].format(**fills)
        # A month of a real desk repeats a question now and then, not a third time.
        if used[subject] < (1 if scenario[1] == "p1" else 2) and not (scenario[1] == "p1" and used["p1"]):
            break
    used[subject] += 1
    used[scenario[1]] += 1
    channel = CHANNEL[rng.choice(scenario[3])]
    citizen = scenario[0] == "consultation" and "{dept}" not in scenario[4] and "{centre}" not in scenario[4]
    if "{dept}" in scenario[4]:
        organisation = fills["dept"]
    elif "{centre}" in scenario[4]:
        organisation = fills["centre"]
    else:
        organisation = rng.choice([*COMPANIES, "个人", "个人", "个人"]) if citizen else rng.choice(DEPARTMENTS)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    if channel == "monitoring":
        name, organisation = "监控告警", "运维监控平台"
    elif channel == "api":
        name = f"12345热线（{name}）"
    return Plan(
        created=created, scenario=scenario, subject=subject, channel=channel,
        reply=scenario[5].format(**fills), resolution=scenario[6].format(**fills),
        requester=name, organisation=organisation,
        phone="" if channel == "monitoring" else f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}",
        email=month_mail.address_for(organisation, rng) if channel == "email" else "",
        engineer=rng.choices(cast.engineers, [5, 3, 3])[0],
        waits=rng.random() < 0.18,
        rating=_level(rng),
    )


def _level(rng: random.Random) -> int | None:
    if rng.random() < 0.3:
        return None  # not every requester rates
    return rng.choices([5, 4, 3], [62, 29, 9])[0]


def _cast_the_exceptions(plans: list[Plan], rng: random.Random, now: dt.datetime) -> None:
    """The few stories that go wrong, chosen by age so the demo has them every day: late
    answers and late fixes long closed, one fault overdue today, two dissatisfied ratings
    (one rectified after its call-back, one still within its 15 working days), a few
    requests waiting on their requesters today, two booked for later, one just in and three
    resolved but not yet confirmed or rated."""
    def aged(days_from: float, days_to: float, kinds=("fault", "service_request")) -> list[Plan]:
        return [p for p in plans if p.scenario[0] in kinds and p.channel not in ("monitoring", "onsite")
                and not (p.scenario[1] in ("p1", "p2") and "o" in p.scenario[3])
                and now - dt.timedelta(days=days_to) <= p.created <= now - dt.timedelta(days=days_from)]

    old = aged(12, 28)
    rng.shuffle(old)
    for plan in old[:3]:
        plan.late_resolution = True
    for plan in old[3:5]:
        plan.late_response = True
    overdue = aged(6, 9, ("fault",))
    if overdue:
        overdue[0].late_resolution = True
        overdue[0].extra["still_open"] = True
        overdue[0].waits = False
    for plan in [p for p in aged(1, 4, ("fault", "service_request")) if p.channel != "phone"][:3]:
        plan.waits, plan.extra["still_waiting"] = True, True
    # Work acknowledged and booked for later, not started yet (已分派), whatever the hour the
    # demo is loaded at: left to chance, none was at 07:30 on a Monday.
    booked = [p for p in aged(0.5, 5, ("service_request", "optimisation", "promotion")) if not p.extra]
    for plan in booked[-2:]:
        plan.waits, plan.extra["still_assigned"] = False, True
    # And one request that has just come in, not picked up yet (新建): in office hours triage
    # takes minutes, so left to chance there was none between about 9 and 18 o'clock.
    fresh = [p for p in plans if p.channel in ("portal", "api") and p.scenario[1] in ("p3", "p4")
             and not p.extra and now - dt.timedelta(days=2) <= p.created]
    if fresh:
        plan = fresh[-1]
        plan.created = now - dt.timedelta(minutes=rng.uniform(5, 40))
        plan.waits, plan.rating, plan.extra["still_new"] = False, None, True
    # Rated 不满意, called back and closed by the load whatever the hour: a P3 fault (fixed
    # within days) that did not wait; a late-fixed P4 was still open three weeks on.
    rated = [p for p in aged(18, 24, ("fault",)) if not p.extra and not p.late_resolution and p.scenario[1] == "p3"]
    if rated:
        rated[0].waits = False
        rated[0].rating, rated[0].extra["rectify"] = 2, True
        rated[0].extra["bad_comment"] = "报修后两天才有人联系，窗口排队群众意见很大"
    recent = [p for p in aged(3, 5, ("fault", "consultation")) if not p.extra]
    if recent:
        recent[0].waits = False
        recent[0].rating = 1
        recent[0].extra["bad_comment"] = "问题是解决了，但电话里态度生硬，原因也没解释清楚"
        # Fixed and rated by the load whatever the hour, so its rectification is open.
        recent[0].extra["quick"] = True
    # Resolved and waiting on the requester's confirmation and rating (已解决, the liaison's
    # and the 好差评 demo's to-do): left to chance, a Monday morning had closed all but two.
    unconfirmed = [p for p in aged(1.5, 5, ("fault", "consultation")) if not p.extra
                   and p.channel != "phone" and not p.waits and not p.late_resolution]
    for plan in unconfirmed[-3:]:
        plan.rating, plan.extra["unconfirmed"], plan.extra["quick"] = None, True, True


# -- a ticket's story ----------------------------------------------------------------------


def _ticket_story(seed, cast: Cast, plan: Plan, rng: random.Random) -> Story:
    ticket_type, priority, component = plan.scenario[:3]
    yield plan.created
    creator = {"phone": cast.agent, "onsite": plan.engineer}.get(plan.channel)
    if plan.channel == "email" and cast.mailbox is not None:
        ticket = month_mail.receive_request(cast, plan)
        if ticket is None:
            return
        yield clock.now() + dt.timedelta(minutes=rng.randint(4, 25))
        ticket = tickets.update_ticket(
            ticket, by=cast.agent, type=ticket_type, priority=priority, component=cast.components[component],
            requester_organisation=plan.organisation, group=cast.groups[GROUP[ticket_type]],
            comment="邮件受理：已分类定级",
        )
    else:
        ticket = tickets.create_ticket(
            seed, by=creator, type=ticket_type, priority=priority, channel=plan.channel, subject=plan.subject,
            description=_description(plan), requester_name=plan.requester, requester_organisation=plan.organisation,
            requester_phone=plan.phone, requester_email=plan.email, component=cast.components[component],
            group=cast.groups[GROUP[ticket_type]],
            needs_onsite=plan.channel == "onsite" or (priority in ("p1", "p2") and "o" in plan.scenario[3]),
        )
    if plan.extra.get("still_new"):
        return
    if plan.channel == "phone":
        talk = rng.randint(70, 420)
        tickets.record_call(ticket, started_at=plan.created - dt.timedelta(seconds=talk), ended_at=plan.created)
        if ticket_type == "consultation" and rng.random() < 0.7:
            tickets.close_on_first_contact(ticket, plan.resolution, by=cast.agent)
            yield from _rating(ticket, cast, plan, rng, clock.now())
            return
    worker = cast.agent if ticket_type == "consultation" else plan.engineer

    def paced(moment: dt.datetime) -> dt.datetime:
        """A "quick" one is handled within hours, whatever its clocks allow: resolved by the
        load, even when it came in before a weekend."""
        return min(moment, clock.now() + dt.timedelta(hours=1)) if plan.extra.get("quick") else moment

    dispatcher = cast.pm if priority in ("p1", "p2") else cast.agent
    # Triage: assigned within a few minutes (the next morning for what came in at night).
    yield paced(within(ticket, SlaClock.Target.RESPONSE, rng.uniform(0.02, 0.15), least=60))
    ticket = tickets.transition(ticket, S.ASSIGNED, by=dispatcher, assignee=worker)
    share = rng.uniform(1.3, 2.5) if plan.late_response else rng.uniform(0.15, 0.75)
    yield paced(within(ticket, SlaClock.Target.RESPONSE, share))
    if ticket.needs_onsite:
        # Called back at once, then on the way: the arrival is the visit's check-in.
        ticket = tickets.transition(ticket, S.IN_PROGRESS, by=worker)
        tickets.add_reply(ticket, "您好，已收到报修，工程师正在赶往现场。", by=worker)
        yield from _visit(seed, cast, ticket, plan, rng)
        return
    tickets.add_reply(ticket, f"您好，{plan.reply}", by=worker)
    if plan.extra.get("still_assigned"):
        return
    if ticket_type in ("service_request", "optimisation", "promotion"):
        # Acknowledged on time; the work itself is scheduled (the ticket stays 已分派).
        yield within(ticket, SlaClock.Target.RESOLUTION, rng.uniform(0.05, 0.5))
    ticket = tickets.transition(ticket, S.IN_PROGRESS, by=worker)
    if plan.waits:
        yield within(ticket, SlaClock.Target.RESOLUTION, rng.uniform(0.05, 0.2))
        ticket = tickets.transition(ticket, S.WAITING, by=worker, comment=_question(ticket_type))
        if plan.extra.get("still_waiting"):
            return
        yield clock.now() + dt.timedelta(hours=rng.choice([rng.uniform(1.5, 30), rng.uniform(30, 120)]))
        tickets.add_reply(ticket, "已补充，请查收。", by=None, author_name=plan.requester)
        ticket = tickets.transition(ticket, S.IN_PROGRESS, by=worker)
    if plan.extra.get("still_open"):
        # Overdue: the bureau presses for it (督办) the working day after the deadline.
        yield office_moment(within(ticket, SlaClock.Target.RESOLUTION, 1.0) + dt.timedelta(hours=18), rng)
        tickets.urge(ticket, by=cast.liaison, comment="窗口反映问题已持续多日，请尽快解决并回复处理进度。")
        return
    low, high = RESOLVE_SHARE[ticket_type]
    share = rng.uniform(1.15, 1.8) if plan.late_resolution else rng.uniform(low, high)
    yield paced(within(ticket, SlaClock.Target.RESOLUTION, share))
    if ticket.worklogs.count() == 0 and ticket_type != "consultation":
        tickets.add_worklog(ticket, by=worker, minutes=rng.choice([20, 30, 45, 60, 90, 120]), note=plan.reply)
    ticket = tickets.transition(ticket, S.RESOLVED, by=worker, comment=plan.resolution)
    yield from _rating(ticket, cast, plan, rng, clock.now())


def _description(plan: Plan) -> str:
    where = f"（{plan.organisation}）" if plan.organisation not in ("个人", "") else ""
    if plan.channel == "monitoring":
        return f"监控告警：{plan.subject}。请值班工程师确认影响范围。"
    if plan.channel == "api":
        return f"12345政务服务便民热线转办工单。诉求：{plan.subject.split('：', 1)[-1]}。请按时限办理并回复。"
    return f"{plan.subject}{where}。请协助处理。"


def _question(ticket_type: str) -> str:
    return {"consultation": "请提供办件编号，以便查询。", "fault": "请提供报错截图和操作时间。",
            "service_request": "请提供加盖公章的申请表。"}.get(ticket_type, "请确认需求细节。")


def _rating(ticket: Ticket, cast: Cast, plan: Plan, rng: random.Random, resolved: dt.datetime) -> Story:
    """The requester rates a few hours to a day after; the PM closes the ticket in the
    next working days; a dissatisfied rating opens a rectification (the service does)."""
    rate_at = office_moment(resolved + dt.timedelta(hours=rng.uniform(0.5, 26)), rng)
    close_at = office_moment(resolved + dt.timedelta(hours=rng.uniform(20, 110)), rng)
    steps = sorted([(rate_at, "rate"), (close_at, "close")])
    for moment, step in steps:
        yield max(moment, clock.now())
        ticket.refresh_from_db()
        if step == "close" and ticket.status == S.RESOLVED and not plan.extra.get("unconfirmed"):
            ticket = tickets.transition(ticket, S.CLOSED, by=cast.pm, comment="请求人确认已解决")
        elif step == "rate" and plan.rating is not None and plan.channel != "monitoring":
            yield from _rate(ticket, cast, plan, rng)


def _rate(ticket: Ticket, cast: Cast, plan: Plan, rng: random.Random) -> Story:
    level = plan.rating
    comment = plan.extra.get("bad_comment") or rng.choice(GOOD_COMMENTS if level >= 4 else FAIR_COMMENTS)
    if plan.channel == "phone":  # the agent's call-back, relayed
        rating = ratings.rate(ticket, level, comment, by=cast.agent, source=Rating.Source.PHONE)
    else:
        rating = ratings.rate(ticket, level, comment, by=None, source=Rating.Source.PORTAL)
    if not plan.extra.get("rectify") or level not in (Level.DISSATISFIED, Level.VERY_DISSATISFIED):
        return
    rectification = Rectification.objects.get(rating=rating)
    yield office_moment(clock.now() + dt.timedelta(days=3), rng)
    rectifications.record_callback(
        rectification, by=cast.pm, outcome=Rectification.Outcome.ACCEPTED,
        notes="电话回访请求人，说明延误原因为夜间值班未及时转派，请求人认可整改措施。",
        plan="夜间来电当班坐席 15 分钟内电话转派值班工程师；每日晨会复盘超时工单。",
    )
    yield clock.now() + dt.timedelta(hours=2)
    rectifications.close(rectification, by=cast.pm)


# -- on site -------------------------------------------------------------------------------


def _visit(seed, cast: Cast, ticket: Ticket, plan: Plan, rng: random.Random) -> Story:
    """Dispatched at once; the engineer arrives well within the arrival target, works,
    leaves, and the requester's window confirms (recorded by the engineer, or the bureau)."""
    engineer = ticket.assignee if ticket.assignee in cast.engineers else cast.engineers[0]
    start = clock.now() + dt.timedelta(minutes=rng.randint(10, 40))
    visit = visits.plan(
        seed, engineer=engineer, start=start, end=start + dt.timedelta(hours=2),
        location=plan.organisation if plan.organisation not in ("个人", "") else "区政务服务中心",
        purpose=f"现场处理：{ticket.subject}"[:300], by=cast.pm, ticket=ticket,
    )
    timed = ticket.clocks.filter(target=SlaClock.Target.ARRIVAL).exists()
    yield max(within(ticket, SlaClock.Target.ARRIVAL, rng.uniform(0.2, 0.6)) if timed else clock.now(),
              start + dt.timedelta(minutes=rng.randint(0, 20)))
    visit = visits.check_in(visit, by=engineer)
    tickets.add_reply(ticket, f"工程师已到场。{plan.reply}", by=engineer)
    yield clock.now() + dt.timedelta(minutes=rng.randint(40, 150))
    visit = visits.check_out(visit, by=engineer, work_done=plan.resolution, parts_used="无")
    ticket.refresh_from_db()
    if ticket.status in (S.IN_PROGRESS, S.WAITING):
        ticket = tickets.transition(ticket, S.RESOLVED, by=engineer, comment=plan.resolution)
    yield clock.now() + dt.timedelta(minutes=rng.randint(5, 30))
    if rng.random() < 0.5:
        visits.confirm(visit, by=cast.liaison, note="现场问题已处理")
    else:
        visits.confirm(visit, by=engineer, name=plan.requester[:20], note="窗口负责人现场签字确认")
    yield from _rating(ticket, cast, plan, rng, clock.now())


def _round_stories(seed, cast: Cast, now: dt.datetime) -> list[Story]:
    """Planned rounds (计划巡检): the machine room every Monday, the street service centres
    once in the month, and next Monday's round already planned."""
    today = now.astimezone(clock.SHANGHAI).date()
    monday = today - dt.timedelta(days=today.weekday())
    stories = []
    for weeks in range(4, 0, -1):
        day = monday - dt.timedelta(weeks=weeks - 1) if weeks > 1 else monday
        if day >= today:
            continue
        stories.append(_round(seed, cast, day, "区政务服务中心机房", "每周机房例行巡检：服务器、存储、网络与备份"))
    stories.append(_round(seed, cast, monday - dt.timedelta(days=17), "龙河街道、高庄街道便民服务中心",
                          "月度便民服务中心设备巡检：自助终端、高拍仪、评价器"))
    stories.append(_planned(seed, cast, monday + dt.timedelta(days=7), "区政务服务中心机房",
                            "每周机房例行巡检：服务器、存储、网络与备份"))
    return stories


def _round(seed, cast: Cast, day: dt.date, location: str, purpose: str) -> Story:
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=clock.SHANGHAI).astimezone(dt.UTC)
    yield start - dt.timedelta(days=3)
    engineer = cast.engineers[0]
    visit = visits.plan(seed, engineer=engineer, start=start, end=start + dt.timedelta(hours=2),
                        location=location, purpose=purpose, by=cast.pm)
    yield start + dt.timedelta(minutes=7)
    visit = visits.check_in(visit, by=engineer)
    yield start + dt.timedelta(minutes=98)
    visit = visits.check_out(visit, by=engineer, work_done="巡检项目全部正常；备份任务抽查恢复成功。")
    yield start + dt.timedelta(hours=3)
    visits.confirm(visit, by=cast.liaison, note="巡检记录已收到")


def _planned(seed, cast: Cast, day: dt.date, location: str, purpose: str) -> Story:
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=clock.SHANGHAI).astimezone(dt.UTC)
    yield clock.now() - dt.timedelta(days=1)
    if not Visit.objects.filter(contract=seed, planned_start=start).exists():
        visits.plan(seed, engineer=cast.engineers[0], start=start, end=start + dt.timedelta(hours=2),
                    location=location, purpose=purpose, by=cast.pm)

