"""``/api/v1/tickets/``: the service desk's acceptance interface, and the clocks in it."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
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
from weibao.servicedesk import access, queries
from weibao.servicedesk.filtersets import ApiTicketFilterSet
from weibao.servicedesk.models import (
    Channel,
    Priority,
    SlaClock,
    Status,
    Ticket,
    TicketEntry,
    TicketType,
)
from weibao.servicedesk.services import sla, tickets


class SlaSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=SlaClock.Target.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=SlaClock.State.choices)
    remaining_seconds = serializers.IntegerField()
    calendar = serializers.CharField()
    uncovered_years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Years the deadline reaches into with no official holiday arrangement "
        "loaded: Monday–Friday was assumed for them.",
    )


@extend_schema_field(OpenApiTypes.INT)
class TicketContractField(serializers.PrimaryKeyRelatedField):
    """An id among the ticket's own contract's ``rows`` (``weibao.servicedesk.access``).
    The contract is the ticket's (``instance``, or ``contract_id`` in the context) or the
    one the payload names, if the caller may open tickets there; an id of any other contract is
    answered as one that does not exist, with the same message."""

    def __init__(self, rows, **kwargs):
        self.rows = rows
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.rows(self._contract_id())

    def _contract_id(self) -> int | None:
        if self.context.get("contract_id"):
            return self.context["contract_id"]
        parent = self.parent
        if getattr(parent, "instance", None) is not None:
            return parent.instance.contract_id
        data = getattr(parent, "initial_data", None)
        if not isinstance(data, Mapping):
            return None
        request = self.context.get("request")
        mine = {str(pk): pk for pk in contract_ids_where(getattr(request, "user", None), Capability.CREATE_TICKETS)}
        return mine.get(str(data.get("contract", "")).strip())


class TicketSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.CREATE_TICKETS)
    type = serializers.ChoiceField(choices=TicketType.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    assignee = TicketContractField(access.people)
    group = TicketContractField(access.support_groups)
    component = TicketContractField(access.components)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "contract", "number", "type", "priority", "channel", "status", "subject",
            "description", "requester_name", "requester_organisation", "requester_phone",
            "requester_email", "component", "assignee", "group", "needs_onsite", "created_at",
            "updated_at", "first_response_at", "arrived_at", "resolved_at", "closed_at", "sla",
        ]
        read_only_fields = [
            "number", "status", "created_at", "updated_at", "first_response_at", "arrived_at",
            "resolved_at", "closed_at",
        ]
        extra_kwargs = {"requester_phone": {"required": False}}

    @extend_schema_field(SlaSerializer(many=True))
    def get_sla(self, ticket) -> list[dict]:
        now = clock.now()
        clocks = getattr(ticket, "_prefetched_objects_cache", {}).get("clocks")
        if clocks is None:
            clocks = ticket.clocks.select_related("calendar")
        order = {SlaClock.Target.RESPONSE: 0, SlaClock.Target.ARRIVAL: 1, SlaClock.Target.RESOLUTION: 2}
        result = []
        for sla_clock in sorted(clocks, key=lambda c: order[c.target]):
            shown = sla.view(sla_clock, now)
            result.append(
                {
                    "target": shown.target,
                    "due_at": shown.due_at.isoformat() if shown.due_at else None,
                    "state": shown.state,
                    "remaining_seconds": shown.remaining_seconds,
                    "calendar": shown.calendar_name,
                    "uncovered_years": list(shown.uncovered_years),
                }
            )
        return result

    def to_representation(self, ticket):
        data = super().to_representation(ticket)
        # Clear (and audited) only where the view asks for a reveal and the rule allows it.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        data["requester_phone"] = tickets.shown_phone(ticket, to=user, reveal=self.context.get("reveal_phone", False))
        allowed = tickets.may_reveal_phone(user, ticket)
        for field in ("requester_name", "requester_email"):
            data[field] = tickets.shown_personal(ticket, field, to=user, allowed=allowed)
        return data

    def create(self, validated_data):
        contract = validated_data.pop("contract")
        return tickets.create_ticket(contract, by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return tickets.update_ticket(instance, by=self.context["request"].user, **validated_data)


# No default on any field here: a client generated from the schema sends every default it
# is told of, so a subject edit would reset the priority (issue 20).
class TicketUpdateSerializer(TicketSerializer):
    """What a PATCH may change: a field left out stays as it is. The contract and the
    intake channel, facts of the ticket's arrival, are read-only: a PATCH naming them is
    answered 400 naming them."""

    contract = serializers.PrimaryKeyRelatedField(read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)


class TransitionSerializer(StrictFieldsMixin, serializers.Serializer):
    """Context: ``contract_id``, the ticket's contract (whose people may be assigned)."""

    to = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    assignee = TicketContractField(access.people)


class RevealSerializer(StrictFieldsMixin, serializers.Serializer):
    field = serializers.ChoiceField(choices=sorted(tickets.REVEALABLE))
    reason = serializers.CharField(max_length=tickets.REASON_MAX, trim_whitespace=True)


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class EntrySerializer(StrictFieldsMixin, ModelSerializer):
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True), min_length=2, max_length=2),
        read_only=True, help_text="Changed field → [before, after], as the ticket's history shows them",
    )

    class Meta:
        model = TicketEntry
        fields = [
            "id", "kind", "author_name", "body", "public", "from_status", "to_status", "changes",
            "created_at",
        ]
        read_only_fields = [
            "kind", "author_name", "from_status", "to_status", "changes", "created_at",
        ]


class ArrivalSerializer(StrictFieldsMixin, serializers.Serializer):
    at = BoundedDateTimeField(
        required=False, allow_null=True, help_text="到场时间（默认：现在）"
    )


class ReplySerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    public = serializers.BooleanField(default=True)


class TicketPagination(StandardPagination):
    """``count`` is exact up to 10,000; 10,001 means "more than 10,000" (a contract with a
    million tickets does not pay for an exact count on every page)."""

    django_paginator_class = queries.CappedPaginator


class TicketViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tickets of the caller's contracts. Vendor team members work them; the bureau
    liaison may open them and reply; everyone on the contract but the auditor reads.
    Each action loads its ticket through ``servicedesk.access.ticket_for`` (404 unseen,
    403 without the capability), as the pages do."""

    required_capabilities = {
        "list": (Capability.VIEW_TICKETS,),
        "retrieve": (Capability.VIEW_TICKETS,),
        "create": (Capability.CREATE_TICKETS,),
        "update": (Capability.WORK_TICKETS,),
        "partial_update": (Capability.WORK_TICKETS,),
        "transition": (Capability.WORK_TICKETS,),
        "replies": (Capability.REPLY,),
        "history": (Capability.VIEW_TICKETS,),
        "arrival": (Capability.WORK_TICKETS,),
        "reveal": (Capability.REVEAL_PERSONAL_DATA,),
    }

    serializer_class = TicketSerializer
    pagination_class = TicketPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiTicketFilterSet
    lookup_value_regex = ID_IN_PATH
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # The clocks with their calendars in one query (not one for each).
        return access.visible_tickets(self.request.user).prefetch_related(
            Prefetch("clocks", queryset=SlaClock.objects.select_related("calendar"))
        )

    def filter_queryset(self, queryset):
        # The list's filters (400 naming the field); one ticket is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.VIEW_TICKETS)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        """One ticket; its requester's phone is clear for those who call back (audited)."""
        ticket = self._ticket(Capability.VIEW_TICKETS)
        # The clocks as the ticket page reads them (one statement compiled once), in place
        # of the viewset's prefetch.
        ticket._prefetched_objects_cache = {"clocks": sla.clocks_of(ticket)}
        context = self.get_serializer_context() | {"reveal_phone": True}
        return Response(self.get_serializer(ticket, context=context).data)

    def create(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.CREATE_TICKETS)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(
                serializer.errors, status=status.HTTP_400_BAD_REQUEST
            )
        ticket = serializer.save()
        # Answered from the objects in hand (the service's ticket and the clocks it started),
        # not reloaded with its timers and holiday rules, nor serialised by a second serializer.
        ticket._prefetched_objects_cache = {"clocks": ticket.started_clocks}
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def _ticket(self, capability: str, message: str | None = None) -> Ticket:
        return access.ticket_for(self.request.user, self.kwargs["pk"], capability, message)

    def _workable(self) -> Ticket:
        return self._ticket(Capability.WORK_TICKETS, _("只有乙方团队成员可以处理工单。"))

    @extend_schema(request=TicketUpdateSerializer, responses=TicketSerializer)
    def partial_update(self, request, *args, **kwargs):
        ticket = self._workable()
        if "contract" in request.data:
            raise serializers.ValidationError({"contract": ["不能修改工单所属合同。 / A ticket cannot move contracts."]})
        context = self.get_serializer_context()
        serializer = TicketUpdateSerializer(ticket, data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=TransitionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        ticket = self._workable()
        payload = TransitionSerializer(data=request.data, context={"request": request, "contract_id": ticket.contract_id})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tickets.transition(
            ticket, data["to"], by=request.user, comment=data.get("comment", ""),
            assignee=data.get("assignee"),
        )
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=RevealSerializer, responses=RevealedSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """One clear personal value of the requester, with the reason why (audited; the
        trail keeps who, when, which ticket, which field and the reason, never the value)."""
        ticket = self._ticket(Capability.REVEAL_PERSONAL_DATA, _("您无权查看完整的个人信息。"))
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        field, reason = payload.validated_data["field"], payload.validated_data["reason"]
        value = tickets.reveal(ticket, field, by=request.user, reason=reason)
        return Response({"field": field, "value": value})

    @extend_schema(request=ReplySerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        ticket = self._ticket(Capability.REPLY, _("您不能在此工单回复。"))
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        public = payload.validated_data["public"]
        # An internal note from one who may not write them is refused by the service.
        entry = tickets.add_reply(ticket, payload.validated_data["body"], by=request.user, public=public)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        ticket = self._ticket(Capability.VIEW_TICKETS)
        return Response(EntrySerializer(access.entries_for(request.user, ticket), many=True).data)

    @extend_schema(request=ArrivalSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def arrival(self, request, pk=None):
        ticket = self._workable()
        arrival = ArrivalSerializer(data=request.data)
        arrival.is_valid(raise_exception=True)
        try:
            tickets.record_arrival(ticket, by=request.user, at=arrival.validated_data.get("at"))
        except DjangoValidationError as exc:
            # The service names the ticket's field; what this endpoint's caller sent is "at".
            raise serializers.ValidationError({"at": exc.message_dict.get("arrived_at", exc.messages)}) from exc
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)
