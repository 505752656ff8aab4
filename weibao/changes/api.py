"""``/api/v1/changes/`` and ``/api/v1/data-access/``: change requests, their signed
approvals and transitions; data-access requests and the bureau's decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from weibao.api.errors import not_member_response
from weibao.api.mixins import ID_IN_PATH
from weibao.api.pagination import StandardPagination
from weibao.api.serializers import (
    BoundedDateTimeField,
    MemberContractField,
    ModelSerializer,
    StrictFieldsMixin,
)
from weibao.contracts.access import contract_ids_where, require_anywhere
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import FIRST_YEAR, LAST_YEAR, parse_choice, require_id
from weibao.servicedesk.access import components, people
from weibao.servicedesk.models import ServiceComponent, Ticket

from . import access, calendar, data, services
from .models import ChangeRequest, DataAccessRequest, StandardChangeTemplate


class _ContractRows(serializers.PrimaryKeyRelatedField):
    """An id among the rows of the contract the payload names (others look non-existent)."""

    def __init__(self, rows, **kwargs):
        self.rows = rows
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        data = getattr(self.root, "initial_data", None) or {}
        request = self.context.get("request")
        mine = {str(pk): pk for pk in contract_ids_where(getattr(request, "user", None), Capability.REQUEST_CHANGES)}
        contract_id = mine.get(str(data.get("contract", "")).strip()) if hasattr(data, "get") else None
        return self.rows(contract_id)


def _templates(contract_id):
    return StandardChangeTemplate.objects.filter(contract_id=contract_id) if contract_id else StandardChangeTemplate.objects.none()


def _approvals(contract_id):
    return DataAccessRequest.objects.filter(contract_id=contract_id) if contract_id else DataAccessRequest.objects.none()


def _tickets(contract_id):
    return Ticket.objects.filter(contract_id=contract_id) if contract_id else Ticket.objects.none()


def _components(contract_id):
    return components(contract_id) if contract_id else ServiceComponent.objects.none()


class ChangeSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.REQUEST_CHANGES)
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    risk = serializers.ChoiceField(choices=ChangeRequest.Risk.choices, default=ChangeRequest.Risk.MEDIUM)
    planned_start = BoundedDateTimeField()
    planned_end = BoundedDateTimeField()
    template = _ContractRows(_templates, allow_null=True)
    implementer = _ContractRows(people, allow_null=True)
    data_access = _ContractRows(_approvals, allow_null=True)
    components = _ContractRows(_components, many=True, required=False)
    tickets = _ContractRows(_tickets, many=True, required=False)
    # Empty until the post-implementation review: the schema must allow "".
    review_outcome = serializers.ChoiceField(
        choices=[("", "")] + list(ChangeRequest.Outcome.choices), read_only=True, allow_blank=True)
    approvals = serializers.SerializerMethodField()
    awaiting_retro_approval = serializers.SerializerMethodField()
    retro_overdue = serializers.SerializerMethodField()
    missing_approvals = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "contract", "number", "kind", "template", "title", "description", "reason", "risk", "impact",
            "components", "implementation_plan", "rollback_plan", "planned_start", "planned_end", "implementer",
            "requested_by", "created_at", "status", "started_at", "finished_at", "retro_due_at", "touches_data",
            "data_access", "tickets", "review_outcome", "review_notes", "reviewed_at", "approvals",
            "awaiting_retro_approval", "retro_overdue", "missing_approvals", "conflicts",
        ]
        read_only_fields = [
            "number", "requested_by", "created_at", "status", "started_at", "finished_at", "retro_due_at",
            "review_outcome", "review_notes", "reviewed_at",
        ]
        extra_kwargs = {"implementation_plan": {"required": False, "allow_blank": True},
                        "rollback_plan": {"required": False, "allow_blank": True}}

    def get_approvals(self, change) -> list[dict]:
        return [{"step": a.step, "decision": a.decision, "by": a.by.username, "at": a.at.isoformat(),
                 "second_factor": a.second_factor, "retroactive": a.retroactive, "comment": a.comment}
                for a in change.approvals.all()]

    def get_awaiting_retro_approval(self, change) -> bool:
        return services.awaiting_retro_approval(change)

    def get_retro_overdue(self, change) -> bool:
        return services.retro_overdue(change)

    def get_missing_approvals(self, change) -> list[str]:
        return services.missing_approvals(change) if change.status == ChangeRequest.Status.REQUESTED else []

    def get_conflicts(self, change) -> list[str]:
        return calendar.conflicts(change)

    def create(self, validated):
        contract = validated.pop("contract")
        return services.request_change(contract, by=self.context["request"].user, **validated)


class ApproveSerializer(StrictFieldsMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")], default="approve")
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    otp = serializers.CharField(max_length=12, required=False, allow_blank=True, default="",
                                help_text="动态验证码（审批人已启用二次验证时必填）")


class ChangeTransitionSerializer(StrictFieldsMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=ChangeRequest.Status.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    review_outcome = serializers.ChoiceField(choices=ChangeRequest.Outcome.choices, required=False, default="")
    review_notes = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


def _signed(act) -> Response | None:
    """Run a signed decision. A refused second factor is answered with a 400 rather than
    raised, so the request's transaction commits the audit record of the failed attempt."""
    try:
        act()
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and "otp" in error.message_dict:
            return Response({"otp": error.message_dict["otp"]}, status=status.HTTP_400_BAD_REQUEST)
        raise
    return None


def _contract_filter(request, rows):
    contract_id = require_id(request.query_params.get("contract"), "contract")
    return rows.filter(contract_id=contract_id) if contract_id else rows


class ChangeViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Change requests of the caller's contracts: the engineers and the PM raise and move
    them, the PM endorses, the bureau liaison approves (signed); every member reads."""

    required_capabilities = {
        "list": (Capability.VIEW_CHANGES,),
        "retrieve": (Capability.VIEW_CHANGES,),
        "create": (Capability.REQUEST_CHANGES,),
        "approve": (Capability.APPROVE_CHANGES,),
        "endorse": (Capability.ENDORSE_CHANGES,),
        "transition": (Capability.REQUEST_CHANGES,),
    }
    serializer_class = ChangeSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        return (ChangeRequest.objects.restrict(self.request.user, Capability.VIEW_CHANGES)
                .select_related("contract").prefetch_related("approvals__by", "components", "tickets")
                .order_by("-planned_start", "-pk"))

    @extend_schema(parameters=[OpenApiParameter("contract", int), OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        rows = _contract_filter(request, self.get_queryset())
        wanted = parse_choice(request.query_params.get("status"), "status", ChangeRequest.Status.values)
        if wanted:
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.REQUEST_CHANGES)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        change = serializer.save()
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data, status=status.HTTP_201_CREATED)

    def _change(self, capability: str) -> ChangeRequest:
        return access.change_for(self.request.user, self.kwargs["pk"], capability)

    @extend_schema(request=ApproveSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The bureau liaison's decision, signed with their second factor where enrolled."""
        change = self._change(Capability.APPROVE_CHANGES)
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        refused = _signed(lambda: services.approve(
            change, by=request.user, approve=d["decision"] == "approve", comment=d["comment"], otp=d["otp"]))
        return refused or Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)

    @extend_schema(request=ApproveSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """The PM's agreement, before the bureau's where the contract asks for it."""
        change = self._change(Capability.ENDORSE_CHANGES)
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        refused = _signed(lambda: services.endorse(
            change, by=request.user, approve=d["decision"] == "approve", comment=d["comment"], otp=d["otp"]))
        return refused or Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)

    @extend_schema(request=ChangeTransitionSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        change = self._change(Capability.REQUEST_CHANGES)
        payload = ChangeTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.transition(change, d["to"], by=request.user, comment=d["comment"],
                            review_outcome=d["review_outcome"], review_notes=d["review_notes"])
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)


class DataAccessSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.REQUEST_DATA_ACCESS)
    state = serializers.SerializerMethodField()

    class Meta:
        model = DataAccessRequest
        fields = ["id", "contract", "number", "purpose", "data_scope", "systems", "period_start", "period_end",
                  "requested_by", "requested_at", "status", "state", "decided_by", "decided_at",
                  "decision_comment", "second_factor"]
        read_only_fields = ["number", "requested_by", "requested_at", "status", "decided_by", "decided_at",
                            "decision_comment", "second_factor"]

    def _in_range(self, value):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise serializers.ValidationError(_("日期超出范围（应在 %(first)d 年至 %(last)d 年之间）。")
                                              % {"first": FIRST_YEAR, "last": LAST_YEAR})
        return value

    def validate_period_start(self, value):
        return self._in_range(value)

    def validate_period_end(self, value):
        return self._in_range(value)

    def get_state(self, row) -> str:
        return row.state(clock.today())

    def create(self, validated):
        contract = validated.pop("contract")
        return data.request_access(contract, by=self.context["request"].user, **validated)


class DataAccessViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data-access requests: the vendor's engineers and PM ask, the bureau liaison decides
    (signed); every member of the contract reads them."""

    required_capabilities = {
        "list": (Capability.VIEW_DATA_ACCESS,),
        "retrieve": (Capability.VIEW_DATA_ACCESS,),
        "create": (Capability.REQUEST_DATA_ACCESS,),
        "approve": (Capability.APPROVE_DATA_ACCESS,),
    }
    serializer_class = DataAccessSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        return DataAccessRequest.objects.restrict(self.request.user, Capability.VIEW_DATA_ACCESS).order_by("-requested_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("contract", int)])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(_contract_filter(request, self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.REQUEST_DATA_ACCESS)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        row = serializer.save()
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses=DataAccessSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        row = access.data_access_for(request.user, pk, Capability.APPROVE_DATA_ACCESS,
                                     _("只有甲方联络人可以审批数据使用申请。"))
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        refused = _signed(lambda: data.decide(
            row, by=request.user, approve=d["decision"] == "approve", comment=d["comment"], otp=d["otp"]))
        if refused:
            return refused
        row.refresh_from_db()
        return Response(self.get_serializer(row).data)
