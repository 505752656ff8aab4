"""Whoever is on call for a schedule, as a step of an escalation policy ("notify the
current on-call of a schedule", issue 14 item 6): registered into the escalations app's
target registry, which sits below this app and knows nothing of schedules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from weibao.escalations import targets
from weibao.oncall.models import Schedule
from weibao.oncall.services import on_call_at


def _on_call(contract, ref: str, at) -> list:
    if not ref.isdigit():
        return []
    schedule = Schedule.objects.filter(contract=contract, pk=int(ref)).first()
    return on_call_at(schedule, at) if schedule is not None else []


def _schedules(contract) -> list[tuple[str, str]]:
    return [(str(s.pk), s.name) for s in Schedule.objects.filter(contract=contract).order_by("name")]


def register() -> None:
    targets.register("schedule", _("当前值班人（排班表）"), _on_call, _schedules)
