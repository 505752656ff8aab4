"""The ledger's REST endpoints under ``/api/v1/contracts/{id}/``: proration (clause 七.3),
renewal eligibility (十一.2), the obligations matrix, the payment schedule (read, a milestone
added, corrected or removed, also under ``/api/v1/milestones/{id}/``) and the penalty ledger.
Money reads are audited."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao import audit
from weibao.contracts.roles import Capability
from weibao.core.params import BadParameter, parse_date
from weibao.ledger import access, money
from weibao.ledger.models import PaymentMilestone, PenaltyEntry
from weibao.ledger.obligations import matrix
from weibao.ledger.params import milestone_terms
from weibao.ledger.services import payments, penalties, renewal


def _date(day):
    return day.isoformat() if day else None


class ProrationView(APIView):
    required_capabilities = {"get": (Capability.VIEW_LEDGER,)}

    @extend_schema(
        parameters=[OpenApiParameter("last_service_day", OpenApiTypes.DATE, required=True)],
        responses=OpenApiTypes.OBJECT,
        description="Clause 七.3: earned = total × served days ÷ term days, rounded once to the fen, "
                    "half up; balance = earned − paid (negative: refund due). Money as strings.",
    )
    def get(self, request, pk: int):
        contract = access.load_contract(request.user, pk)
        day = parse_date(request.query_params.get("last_service_day"), "last_service_day")
        if day is None:
            raise BadParameter("last_service_day", _("请填写最后服务日（YYYY-MM-DD）。"))
        if not contract.term_start <= day <= contract.term_end:
            raise BadParameter("last_service_day", _("最后服务日应在服务期限 %(start)s 至 %(end)s 之内。") % {
                "start": contract.term_start.isoformat(), "end": contract.term_end.isoformat()})
        result = money.prorate(contract.amount, contract.term_start, contract.term_end, day,
                               payments.paid_total(contract))
        audit.record("ledger.proration_read", obj=contract, contract=contract,
                     detail={"last_service_day": day.isoformat(), "earned": money.money_text(result.earned)})
        return Response({
            "served_days": result.served_days,
            "term_days": result.term_days,
            "daily_rate": money.money_text(result.daily_rate),
            "earned": money.money_text(result.earned),
            "paid": money.money_text(result.paid),
            "balance": money.money_text(result.balance),
            "working": result.working,
        })


class RenewalView(APIView):
    required_capabilities = {"get": (Capability.VIEW_LEDGER,)}

    @extend_schema(responses=OpenApiTypes.OBJECT,
                   description="Clause 十一.2: inside the 15 days before expiry, at most two renewals, "
                               "at most three years in total.")
    def get(self, request, pk: int):
        contract = access.load_contract(request.user, pk)
        result = renewal.eligibility(contract)
        return Response({
            "eligible": result.eligible,
            "reasons": [str(r) for r in result.reasons],
            "window_start": _date(result.window_start),
            "window_end": _date(result.window_end),
            "renewals_used": result.renewals_used,
            "years_used": str(result.years_used),
        })


class ObligationsView(APIView):
    required_capabilities = {"get": (Capability.VIEW_LEDGER,)}

    @extend_schema(responses=OpenApiTypes.OBJECT,
                   description="Every obligation of the contract with its live status (met / at_risk / "
                               "breached / no_data), the indicator and the evidence behind it.")
    def get(self, request, pk: int):
        contract = access.load_contract(request.user, pk)
        return Response({"contract": contract.number, "rows": matrix(contract)})


MILESTONE_BODY = inline_serializer("MilestoneTerms", {
    "name": serializers.CharField(max_length=100, help_text="e.g. 预付款"),
    "kind": serializers.ChoiceField(PaymentMilestone.Kind.values),
    "amount": serializers.CharField(help_text='yuan, at most two decimals: "411000.00" (a JSON number is read as its digits)'),
    "due_on": serializers.DateField(required=False, allow_null=True),
    "condition": serializers.CharField(max_length=300, required=False, allow_blank=True),
    "clause": serializers.CharField(max_length=20, required=False, help_text="default 七.2"),
    "requires_handover": serializers.BooleanField(required=False, help_text="false when left out of a new one"),
})


def _milestone(milestone: PaymentMilestone) -> dict:
    return {
        "id": milestone.pk, "sequence": milestone.sequence, "name": milestone.name, "kind": milestone.kind,
        "amount": money.money_text(milestone.amount),
        "ratio": str(milestone.ratio) if milestone.ratio is not None else None,
        "condition": milestone.condition, "clause": milestone.clause, "due_on": _date(milestone.due_on),
        "requires_handover": milestone.requires_handover,
    }


class PaymentsView(APIView):
    required_capabilities = {"get": (Capability.VIEW_LEDGER,), "post": (Capability.MANAGE_LEDGER,)}

    @extend_schema(request=MILESTONE_BODY, responses={201: OpenApiTypes.OBJECT},
                   description="Add a payment milestone (one the import did not find, or a supplementary "
                               "agreement's) after the last. The schedule may not exceed the contract's amount.")
    def post(self, request, pk: int):
        contract = access.load_contract(request.user, pk, Capability.MANAGE_LEDGER)
        milestone = payments.add_milestone(contract, by=request.user, **milestone_terms(request.data, strict=True))
        return Response(_milestone(milestone), status=201)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        contract = access.load_contract(request.user, pk)
        rows = [{
            "id": s.milestone.pk, "sequence": s.milestone.sequence, "name": s.milestone.name,
            "kind": s.milestone.kind, "amount": money.money_text(s.milestone.amount),
            "condition": s.milestone.condition, "due_on": _date(s.milestone.due_on),
            "invoiced": money.money_text(s.invoiced), "received": money.money_text(s.received),
            "paid_on": _date(s.paid_on), "status": s.status, "days_late": s.days_late,
        } for s in payments.schedule(contract)]
        audit.record("ledger.payments_read", obj=contract, contract=contract)
        return Response({"total": money.money_text(contract.amount),
                         "paid": money.money_text(payments.paid_total(contract)), "milestones": rows})


class MilestoneView(APIView):
    """One payment milestone: its terms, corrected (the late-payment penalty follows, as on
    the ledger page), or removed when nothing was invoiced, received or owed on it."""

    required_capabilities = {"get": (Capability.VIEW_LEDGER,), "patch": (Capability.MANAGE_LEDGER,),
                             "delete": (Capability.MANAGE_LEDGER,)}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.VIEW_LEDGER)
        audit.record("ledger.payments_read", obj=milestone, contract=milestone.contract_id)
        return Response(_milestone(milestone))

    @extend_schema(request=MILESTONE_BODY, responses=OpenApiTypes.OBJECT,
                   description="Correct the milestone: only the names sent change.")
    def patch(self, request, pk: int):
        milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
        terms = milestone_terms(request.data, current=milestone, partial=True, strict=True)
        return Response(_milestone(payments.change_milestone(milestone, by=request.user, **terms)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        milestone = access.record_for(request.user, PaymentMilestone, pk, Capability.MANAGE_LEDGER)
        payments.remove_milestone(milestone, by=request.user)
        return Response(status=204)


class PenaltiesView(APIView):
    required_capabilities = {"get": (Capability.VIEW_LEDGER,)}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        contract = access.load_contract(request.user, pk)
        entries = PenaltyEntry.objects.filter(contract=contract).select_related("rule")
        audit.record("ledger.penalties_read", obj=contract, contract=contract)
        return Response({"entries": [{
            "id": e.pk, "rule": e.rule.key, "clause": e.rule.clause, "name": e.rule.name,
            "description": e.description, "occurred_on": _date(e.occurred_on), "days": e.days,
            "base_amount": money.money_text(e.base_amount), "amount": money.money_text(e.amount),
            "status": e.status,
        } for e in entries]})


def _penalty_step_view(action: str, capability: str):
    class PenaltyStepView(APIView):
        required_capabilities = {"post": (capability,)}

        @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                       description=f"{action.capitalize()} a penalty entry (optional {{\"note\": \"...\"}}).")
        def post(self, request, pk: int):
            entry = access.record_for(request.user, PenaltyEntry, pk, capability)
            note = request.data.get("note", "") if isinstance(request.data, dict) else ""
            if not isinstance(note, str) or len(note) > 500:
                raise BadParameter("note", _("说明应为不超过 500 字的文本。"))
            penalties.step(entry, action, by=request.user, note=note)
            return Response({"id": entry.pk, "status": entry.status, "amount": money.money_text(entry.amount)})

    PenaltyStepView.__name__ = f"Penalty{action.capitalize()}View"
    return PenaltyStepView


PenaltyApproveView = _penalty_step_view("approve", Capability.MANAGE_LEDGER)
PenaltyAcknowledgeView = _penalty_step_view("acknowledge", Capability.ACKNOWLEDGE_LEDGER)
