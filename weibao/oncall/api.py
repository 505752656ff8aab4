"""``/api/v1/oncall/``: who is on call now, and the coverage gaps (issue 14's acceptance
interface)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.api.errors import field_error
from weibao.api.mixins import required_contract
from weibao.contracts.access import contract_ids_where, require
from weibao.contracts.roles import Capability
from weibao.core.params import parse_positive_int
from weibao.oncall import coverage, services


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
