"""``/api/v1/oncall/``: who is on call now, the coverage gaps (issue 14's acceptance
interface), and the schedules with their rotation layers — listed, created, corrected in
place and removed, through the same parsers (``oncall.params``) and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.api.errors import field_error
from weibao.api.mixins import member_contract, required_contract
from weibao.contracts.access import contract_ids_where, require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import json_value, parse_choice, parse_positive_int, refuse_unknown_names
from weibao.oncall import access, coverage, services
from weibao.oncall.models import Layer, Override, Schedule
from weibao.oncall.params import layer_fields, override_fields, schedule_fields


def _contract(request, capability: str):
    """The contract of ``?contract=ID`` on which the caller holds ``capability``. Someone
    holding it nowhere is refused before the parameter is read."""
    if not contract_ids_where(request.user, capability):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    contract = required_contract(request)
    require(request.user, contract.pk, capability)
    return contract


def _user(user) -> dict:
    return {"id": user.pk, "username": user.username, "name": str(user)}


NOW_RESPONSE = inline_serializer("OnCallNow", {
    "results": serializers.ListField(child=inline_serializer("OnCallNowRow", {
        "schedule": inline_serializer("OnCallSchedule", {"id": serializers.IntegerField(),
                                                           "name": serializers.CharField()}),
        "user": inline_serializer("OnCallUser", {"id": serializers.IntegerField(),
                                                   "username": serializers.CharField(),
                                                   "name": serializers.CharField()}),
        "since": serializers.DateTimeField(),
        "until": serializers.DateTimeField(),
    })),
})


class OnCallNowView(APIView):
    required_capabilities = {"get": (Capability.VIEW_ONCALL,)}

    @extend_schema(
        parameters=[OpenApiParameter("contract", int, required=True)],
        responses=NOW_RESPONSE,
        description="Who is on call now on each of the contract's schedules, after layers, "
                    "approved overrides and time off; since/until bound the unbroken stretch.",
    )
    def get(self, request):
        contract = _contract(request, Capability.VIEW_ONCALL)
        rows = services.on_call_now(contract)
        return Response({"results": [
            {"schedule": {"id": s.pk, "name": s.name}, "user": _user(u),
             "since": since.isoformat(), "until": until.isoformat()}
            for s, u, since, until in rows
        ]})


GAPS_RESPONSE = inline_serializer("CoverageGaps", {
    "uncovered": serializers.ListField(child=inline_serializer("Uncovered", {
        "start": serializers.DateTimeField(), "end": serializers.DateTimeField(),
        "schedule": serializers.DictField(allow_null=True),
    })),
    "residency_short": serializers.ListField(child=inline_serializer("ResidencyShort", {
        "date": serializers.DateField(), "have": serializers.IntegerField(), "need": serializers.IntegerField(),
    })),
})


class CoverageGapsView(APIView):
    required_capabilities = {"get": (Capability.VIEW_COVERAGE,)}

    @extend_schema(
        parameters=[OpenApiParameter("contract", int, required=True),
                    OpenApiParameter("days", int, required=False,
                                     description=f"1–{services.MAX_DAYS}, default {coverage.DEFAULT_DAYS}")],
        responses=GAPS_RESPONSE,
        description="From now, every stretch with nobody on call (per schedule; schedule null "
                    "when the contract has no schedule) and every official working day below "
                    "the residency minimum.",
    )
    def get(self, request):
        contract = _contract(request, Capability.VIEW_COVERAGE)
        raw = request.query_params.get("days", "").strip()
        days = coverage.DEFAULT_DAYS
        if raw:
            days = parse_positive_int(raw, "days", minimum=1, maximum=services.MAX_DAYS)
        if days is None:
            raise field_error("days", _("天数应为整数。"))
        report = coverage.gap_report(contract, days)
        return Response({
            "uncovered": [
                {"start": g["start"].isoformat(), "end": g["end"].isoformat(),
                 "schedule": {"id": g["schedule"].pk, "name": g["schedule"].name} if g["schedule"] else None}
                for g in report["uncovered"]
            ],
            "residency_short": [
                {"date": r["date"].isoformat(), "have": r["have"], "need": r["need"]}
                for r in report["residency_short"]
            ],
        })


# --- schedules and their layers ------------------------------------------------------------

def _layer_body(name: str, *, partial: bool):
    """A layer's fields as sent: to add one (``starts_at`` and ``participants`` required), or
    to change one (``partial``: only the names sent change)."""
    return inline_serializer(name, {
        "name": serializers.CharField(max_length=100, required=False, help_text="default 轮值"),
        "level": serializers.IntegerField(min_value=1, max_value=99, required=False,
                                          help_text="the higher level wins where layers overlap; default 1"),
        "rotation": serializers.ChoiceField(Layer.Rotation.values, required=False, help_text="default weekly"),
        "shift_days": serializers.IntegerField(min_value=1, max_value=366, required=False,
                                               help_text="days per shift of a custom rotation; default 7"),
        "starts_at": serializers.CharField(required=not partial,
                                           help_text="first handover, Beijing time: YYYY-MM-DDTHH:MM"),
        "participants": serializers.ListField(child=serializers.IntegerField(), max_length=50, required=not partial,
                                              help_text="user ids in rotation order: the contract's engineers or PM"),
        "days": serializers.ChoiceField(Layer.Days.values, required=False, help_text="default all"),
        "window_start": serializers.CharField(required=False, allow_null=True, help_text="HH:MM, with window_end"),
        "window_end": serializers.CharField(required=False, allow_null=True, help_text="HH:MM, with window_start"),
    })


LAYER_BODY = _layer_body("LayerFields", partial=False)
LAYER_CHANGE = _layer_body("LayerChange", partial=True)
LAYER_OUT = inline_serializer("Layer", {
    "id": serializers.IntegerField(), "schedule": serializers.IntegerField(), "name": serializers.CharField(),
    "level": serializers.IntegerField(), "rotation": serializers.ChoiceField(Layer.Rotation.values),
    "shift_days": serializers.IntegerField(), "starts_at": serializers.CharField(help_text="YYYY-MM-DDTHH:MM, Beijing"),
    "participants": serializers.ListField(child=serializers.IntegerField()),
    "days": serializers.ChoiceField(Layer.Days.values),
    "window_start": serializers.CharField(allow_null=True), "window_end": serializers.CharField(allow_null=True),
})
SCHEDULE_OUT = inline_serializer("Schedule", {
    "id": serializers.IntegerField(), "contract": serializers.IntegerField(), "name": serializers.CharField(),
    "description": serializers.CharField(allow_blank=True), "layers": serializers.ListField(child=LAYER_OUT),
})
SCHEDULES_OUT = inline_serializer("Schedules", {"results": serializers.ListField(child=SCHEDULE_OUT)})
SCHEDULE_BODY = inline_serializer("ScheduleFields", {
    "contract": serializers.IntegerField(),
    "name": serializers.CharField(max_length=100),
    "description": serializers.CharField(max_length=300, required=False, allow_blank=True),
})
SCHEDULE_CHANGE = inline_serializer("ScheduleChange", {
    "name": serializers.CharField(max_length=100, required=False),
    "description": serializers.CharField(max_length=300, required=False, allow_blank=True),
})


def _local(moment) -> str | None:
    """Beijing time as the API takes it (``YYYY-MM-DDTHH:MM``), so a value read is a value to send."""
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M") if moment else None


def _layer(layer: Layer) -> dict:
    return {
        "id": layer.pk, "schedule": layer.schedule_id, "name": layer.name, "level": layer.level,
        "rotation": layer.rotation, "shift_days": layer.shift_days, "starts_at": _local(layer.starts_at),
        "participants": list(layer.participants), "days": layer.days,
        "window_start": layer.window_start.strftime("%H:%M") if layer.window_start else None,
        "window_end": layer.window_end.strftime("%H:%M") if layer.window_end else None,
    }


def _schedule(schedule: Schedule) -> dict:
    return {
        "id": schedule.pk, "contract": schedule.contract_id, "name": schedule.name,
        "description": schedule.description,
        "layers": [_layer(layer) for layer in sorted(schedule.layers.all(), key=lambda x: (-x.level, x.pk))],
    }


def _body_contract(request, capability: str) -> Contract:
    """The contract named by the body's ``contract``, on which the caller holds
    ``capability``: someone holding it nowhere is refused first (403); a contract the
    caller is not on looks non-existent (404 naming the field)."""
    if not contract_ids_where(request.user, capability):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    contract = member_contract(request.user, request.data.get("contract"))
    require(request.user, contract.pk, capability)
    return contract


class SchedulesView(APIView):
    """A contract's on-call schedules, each with its layers; a new one."""

    required_capabilities = {"get": (Capability.VIEW_ONCALL,), "post": (Capability.MANAGE_ONCALL,)}

    @extend_schema(operation_id="oncall_schedules_list", parameters=[OpenApiParameter("contract", int, required=True)],
                   responses=SCHEDULES_OUT)
    def get(self, request):
        contract = _contract(request, Capability.VIEW_ONCALL)
        schedules = Schedule.objects.filter(contract=contract).prefetch_related("layers").order_by("name", "pk")
        return Response({"results": [_schedule(s) for s in schedules]})

    @extend_schema(request=SCHEDULE_BODY, responses={201: SCHEDULE_OUT},
                   description="A new schedule (its layers are added through /layers/).")
    def post(self, request):
        contract = _body_contract(request, Capability.MANAGE_ONCALL)
        fields = schedule_fields(request.data, strict=True)
        schedule = services.save_schedule(contract, by=request.user, **fields)
        return Response(_schedule(schedule), status=201)


class ScheduleView(APIView):
    """One schedule: read, renamed or described, or removed with its layers and overrides."""

    required_capabilities = {"get": (Capability.VIEW_ONCALL,), "patch": (Capability.MANAGE_ONCALL,),
                             "delete": (Capability.MANAGE_ONCALL,)}

    @extend_schema(responses=SCHEDULE_OUT)
    def get(self, request, pk: int):
        return Response(_schedule(access.schedule_for(request.user, pk, Capability.VIEW_ONCALL)))

    @extend_schema(request=SCHEDULE_CHANGE, responses=SCHEDULE_OUT, description="Only the names sent change.")
    def patch(self, request, pk: int):
        schedule = access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL)
        if "contract" in request.data:
            raise field_error("contract", _("值班表不能换合同。"))
        fields = {"name": schedule.name, "description": schedule.description,
                  **schedule_fields(request.data, partial=True, strict=True)}
        return Response(_schedule(services.save_schedule(schedule.contract, by=request.user, schedule=schedule,
                                                         **fields)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_schedule(access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL), by=request.user)
        return Response(status=204)


class ScheduleLayersView(APIView):
    """A new rotation layer of a schedule."""

    required_capabilities = {"post": (Capability.MANAGE_ONCALL,)}

    @extend_schema(request=LAYER_BODY, responses={201: LAYER_OUT})
    def post(self, request, pk: int):
        schedule = access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL)
        fields = layer_fields(request.data, strict=True)
        return Response(_layer(services.save_layer(schedule, by=request.user, **fields)), status=201)


class LayerView(APIView):
    """One rotation layer: read, corrected in place (only the names sent change; who is on
    call follows at once), or removed."""

    required_capabilities = {"get": (Capability.VIEW_ONCALL,), "patch": (Capability.MANAGE_ONCALL,),
                             "delete": (Capability.MANAGE_ONCALL,)}

    @extend_schema(responses=LAYER_OUT)
    def get(self, request, pk: int):
        return Response(_layer(access.layer_for(request.user, pk, Capability.VIEW_ONCALL)))

    @extend_schema(request=LAYER_CHANGE, responses=LAYER_OUT, description="Only the names sent change.")
    def patch(self, request, pk: int):
        layer = access.layer_for(request.user, pk, Capability.MANAGE_ONCALL)
        fields = layer_fields(request.data, partial=True, strict=True)
        return Response(_layer(services.save_layer(layer.schedule, by=request.user, layer=layer, **fields)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_layer(access.layer_for(request.user, pk, Capability.MANAGE_ONCALL), by=request.user)
        return Response(status=204)


# --- overrides (代班/换班) ---------------------------------------------------------------------

OVERRIDE_OUT = inline_serializer("Override", {
    "id": serializers.IntegerField(), "contract": serializers.IntegerField(), "schedule": serializers.IntegerField(),
    "kind": serializers.ChoiceField(Override.Kind.choices), "user": serializers.IntegerField(),
    "replaces": serializers.IntegerField(allow_null=True), "start": serializers.CharField(),
    "end": serializers.CharField(), "reason": serializers.CharField(allow_blank=True),
    "status": serializers.ChoiceField(Override.Status.values), "requested_by": serializers.IntegerField(allow_null=True),
    "decided_by": serializers.IntegerField(allow_null=True), "decided_at": serializers.DateTimeField(allow_null=True),
})
OVERRIDES_OUT = inline_serializer("Overrides", {"results": serializers.ListField(child=OVERRIDE_OUT)})
OVERRIDE_BODY = inline_serializer("OverrideRequest", {
    "contract": serializers.IntegerField(),
    "schedule": serializers.IntegerField(),
    "user": serializers.IntegerField(help_text="who is on call instead"),
    "replaces": serializers.IntegerField(required=False, allow_null=True, help_text="whose duty (a 换班 needs it)"),
    "start": serializers.CharField(help_text="Beijing time: YYYY-MM-DDTHH:MM"),
    "end": serializers.CharField(help_text="Beijing time: YYYY-MM-DDTHH:MM"),
    "kind": serializers.ChoiceField(Override.Kind.choices, required=False, help_text="default override (代班)"),
    "reason": serializers.CharField(max_length=300, required=False, allow_blank=True),
})
DECISION_BODY = inline_serializer("OverrideDecision", {"decision": serializers.ChoiceField(["approve", "reject"])})


def _override(override: Override) -> dict:
    return {
        "id": override.pk, "contract": override.contract_id, "schedule": override.schedule_id, "kind": override.kind,
        "user": override.user_id, "replaces": override.replaces_id, "start": _local(override.start),
        "end": _local(override.end), "reason": override.reason, "status": override.status,
        "requested_by": override.requested_by_id, "decided_by": override.decided_by_id,
        "decided_at": override.decided_at.isoformat() if override.decided_at else None,
    }


class OverridesView(APIView):
    """A contract's 代班/换班 requests (the PM sees all, others their own, as on the page); a
    new request (a PM's is approved at once; others notify the PMs)."""

    required_capabilities = {"get": (Capability.REQUEST_OVERRIDE,), "post": (Capability.REQUEST_OVERRIDE,)}

    @extend_schema(operation_id="oncall_overrides_list", parameters=[OpenApiParameter("contract", int, required=True)],
                   responses=OVERRIDES_OUT)
    def get(self, request):
        contract = _contract(request, Capability.REQUEST_OVERRIDE)
        rows, _time_off = access.visible_requests(request.user, contract)
        rows = rows.order_by("status", "-start", "pk")
        return Response({"results": [_override(o) for o in rows[:500]]})

    @extend_schema(request=OVERRIDE_BODY, responses={201: OVERRIDE_OUT})
    def post(self, request):
        contract = _body_contract(request, Capability.REQUEST_OVERRIDE)
        fields = override_fields(request.data, strict=True)
        override = services.request_override(**access.override_arguments(contract, fields, request.user))
        return Response(_override(override), status=201)


class OverrideDecisionView(APIView):
    """The PM approves or rejects a request (once; the requester is told)."""

    required_capabilities = {"post": (Capability.MANAGE_ONCALL,)}

    @extend_schema(request=DECISION_BODY, responses=OVERRIDE_OUT)
    def post(self, request, pk: int):
        override = access.override_for(request.user, pk)
        refuse_unknown_names(request.data, ["decision"], _("审批"))
        decision = parse_choice(json_value(request.data, "decision"), "decision", ["approve", "reject"])
        if decision is None:
            raise field_error("decision", _("请选择批准或驳回。"))
        return Response(_override(services.decide_override(override, approve=decision == "approve", by=request.user)))
