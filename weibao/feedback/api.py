"""``POST /api/v1/tickets/{id}/rating/``: the five-level 好差评 of a finished ticket."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.accounts.roles import Capability, ContractRole, roles_with
from weibao.api.serializers import StrictFieldsMixin
from weibao.contracts.scoping import is_member
from weibao.feedback import services
from weibao.feedback.models import Rating
from weibao.servicedesk.models import Ticket

#: Who records a rating through the API: the bureau's liaison (for its staff) and the
#: vendor's hotline agents and project manager (a rating given on a call-back).
RATERS = frozenset(
    {ContractRole.BUREAU_LIAISON, ContractRole.HOTLINE_AGENT, ContractRole.PROJECT_MANAGER}
)


class RatingSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="5 = 非常满意 … 1 = 非常不满意")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = ["id", "ticket", "level", "level_label", "comment", "source", "created_at", "rectification"]
        read_only_fields = ["ticket", "source", "created_at"]

    def get_rectification(self, rating) -> dict | None:
        rectification = getattr(rating, "rectification", None)
        if rectification is None:
            return None
        return {"id": rectification.pk, "due_on": rectification.due_on.isoformat(), "status": rectification.status}


class TicketRatingView(APIView):
    @extend_schema(request=RatingSerializer, responses={201: RatingSerializer})
    def post(self, request, pk: int):
        ticket = get_object_or_404(
            Ticket.objects.for_user(request.user, roles_with(Capability.VIEW_TICKETS)), pk=pk
        )
        if not is_member(request.user, ticket.contract_id, roles=RATERS):
            raise PermissionDenied("您不能为此工单评价。 / You may not rate this ticket.")
        payload = RatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rating = services.rate(
            ticket, payload.validated_data["level"], payload.validated_data.get("comment", ""),
            by=request.user, source=Rating.Source.API,
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RatingSerializer)
    def get(self, request, pk: int):
        ticket = get_object_or_404(
            Ticket.objects.for_user(request.user, roles_with(Capability.VIEW_TICKETS)), pk=pk
        )
        rating = get_object_or_404(Rating, ticket=ticket)
        return Response(RatingSerializer(rating).data)
