"""Who may do what with on-call records: load-and-check helpers for pages and API alike
(404 when the row is not visible, 403 when visible but the capability is missing)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability
from weibao.core.params import BadParameter
from weibao.oncall.eligibility import duty_people
from weibao.oncall.models import (
    CalendarFeed,
    DutyDay,
    DutyPlan,
    Handover,
    Layer,
    Override,
    Schedule,
    TimeOff,
)


def _load(model, user, pk, capability):
    row = get_object_or_404(model.objects.restrict(user, Capability.VIEW_ONCALL), pk=pk)
    contract_id = row.schedule.contract_id if model is Layer else (
        row.plan.contract_id if model is DutyDay else row.contract_id)
    require(user, contract_id, capability)
    return row


def schedule_for(user, pk, capability=Capability.VIEW_ONCALL) -> Schedule:
    return _load(Schedule, user, pk, capability)


def layer_for(user, pk, capability=Capability.MANAGE_ONCALL) -> Layer:
    return _load(Layer, user, pk, capability)


def override_for(user, pk, capability=Capability.MANAGE_ONCALL) -> Override:
    return _load(Override, user, pk, capability)


def time_off_for(user, pk, capability=Capability.REQUEST_OVERRIDE) -> TimeOff:
    return _load(TimeOff, user, pk, capability)


def plan_for(user, pk, capability=Capability.VIEW_ONCALL) -> DutyPlan:
    return _load(DutyPlan, user, pk, capability)


def duty_day_for(user, pk, capability=Capability.MANAGE_ONCALL) -> DutyDay:
    return _load(DutyDay, user, pk, capability)


def handover_for(user, pk, capability=Capability.WRITE_HANDOVER) -> Handover:
    return _load(Handover, user, pk, capability)


def feed_for(user, pk, capability=Capability.REQUEST_OVERRIDE) -> CalendarFeed:
    return _load(CalendarFeed, user, pk, capability)


def duty_person(contract_id: int, pk: int | None, field: str):
    """A duty person of the contract by id. Anyone else — another contract's, a member who
    takes no duty, no such id — is the same 400 naming the field (nothing said of them)."""
    person = duty_people(contract_id).filter(pk=pk).first() if pk else None
    if person is None:
        raise BadParameter(field, _("请选择本合同的值班人员。"))
    return person


def schedule_of(contract_id: int, pk: int | None) -> Schedule:
    """One of the contract's schedules by id, or a 400 naming ``schedule``."""
    schedule = Schedule.objects.filter(contract_id=contract_id, pk=pk).first() if pk else None
    if schedule is None:
        raise BadParameter("schedule", _("请选择值班表。"))
    return schedule


def override_arguments(contract, fields: dict, by) -> dict:
    """``services.request_override``'s arguments from parsed fields: the schedule and the
    people loaded within the contract (the page's and the API's one way)."""
    return {
        "schedule": schedule_of(contract.pk, fields["schedule"]),
        "user": duty_person(contract.pk, fields["user"], "user"),
        "replaces": duty_person(contract.pk, fields["replaces"], "replaces") if fields["replaces"] else None,
        "start": fields["start"], "end": fields["end"], "kind": fields["kind"], "reason": fields["reason"], "by": by,
    }


def visible_requests(user, contract):
    """The 代班/换班 requests and the time off ``user`` sees on ``contract``: a PM all of
    them, anyone else their own (page and API alike)."""
    overrides = Override.objects.filter(contract=contract)
    time_off = TimeOff.objects.filter(contract=contract)
    if not can(user, contract.pk, Capability.MANAGE_ONCALL):
        overrides, time_off = overrides.filter(requested_by=user), time_off.filter(user=user)
    return overrides, time_off


def former_participants(layer: Layer, team) -> list:
    """Those on ``layer`` as stored who are no longer among its contract's duty ``team``:
    the edit form keeps them, marked, rather than silently dropping them at the next save.
    Only people stored on the layer and on its contract: ids just sent in a refused form
    could name anyone, and must not bring their names to the page."""
    stored = Layer.objects.filter(pk=layer.pk).values_list("participants", flat=True).first() or []
    listed = {person.pk for person in team}
    return list(get_user_model().objects.filter(
        pk__in=[int(pk) for pk in stored if int(pk) not in listed],
        memberships__contract_id=layer.schedule.contract_id,
    ).distinct())
