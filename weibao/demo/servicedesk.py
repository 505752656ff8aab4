"""Demo service desk: calendars, catalogue, SLA policies, support groups and portals (the
seed's month of tickets is ``weibao.demo.month``), and one ticket of the other contract."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock
from weibao.portal.models import PortalSite
from weibao.servicedesk.models import SupportGroup, Ticket
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults


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
    people = _people(seed, ["pm", "engineer", "oncall1", "oncall2", "agent", "liaison"])
    groups = {g.name: g for g in SupportGroup.objects.filter(contract=seed)}
    if groups["二线运维组"].lead_id is None:
        for name, lead, members in (("一线服务台", "pm", ["agent"]), ("二线运维组", "pm", ["engineer", "oncall1", "oncall2"]),
                                    ("驻场组", "engineer", ["engineer"])):
            groups[name].lead = people[lead]
            groups[name].save()
            groups[name].members.add(*(people[m] for m in members))
    if Ticket.objects.filter(contract=other).exists():
        return
    now = clock.now()
    with clock.frozen(now - timedelta(hours=3)):
        tickets.create_ticket(
            other, by=User.objects.get(username="other_agent"), type="fault", priority="p2",
            channel="phone", subject="示例市一网通办门户访问缓慢", requester_name="测试用户",
            requester_phone="13700000000",
        )

