"""``/api/v1/tickets/{id}/rating/``: the five-level 好差评 of a finished ticket, and
``/api/v1/feedback/figures/``: a contract's satisfaction figures for a period."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.api.mixins import required_contract
from weibao.api.serializers import ModelSerializer, StrictFieldsMixin
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.feedback import access
from weibao.feedback.models import Level, Rating, Rectification
from weibao.feedback.services import ratings
from weibao.feedback.services.figures import (
    MAX_PERIOD_DAYS,
    SatisfactionFigures,
    parse_period,
    satisfaction_figures,
)


class RectificationSummarySerializer(serializers.Serializer):
    """The rectification a poor rating opened (the schema of ``Rating.rectification``)."""

    id = serializers.IntegerField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Rectification.Status.choices)


class RatingSerializer(StrictFieldsMixin, ModelSerializer):
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="5 = 非常满意 … 1 = 非常不满意")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    source = serializers.CharField(
        read_only=True,
        help_text="portal / web / api: the requester's own; phone: recorded by the vendor on a call-back",
    )
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text="Username of who entered it: the vendor's agent or PM for phone; null for the portal",
    )
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = ["id", "ticket", "level", "level_label", "comment", "source", "source_label",
                  "recorded_by", "created_at", "superseded_at", "rectification"]
        read_only_fields = ["ticket", "created_at", "superseded_at"]

    @extend_schema_field(RectificationSummarySerializer(allow_null=True))
    def get_rectification(self, rating) -> dict | None:
        rectification = getattr(rating, "rectification", None)
        if rectification is None:
            return None
        return {"id": rectification.pk, "due_on": rectification.due_on.isoformat(), "status": rectification.status}


class TicketRatingView(APIView):
    # Rating: the bureau's liaison, or the vendor's hotline agents and project manager,
    # whose ratings are stored as phone call-backs (feedback.access.rater_for).
    required_capabilities = {
        "get": (Capability.VIEW_TICKETS,),
        "post": (Capability.RATE, Capability.RELAY_RATING),
    }

    @extend_schema(
        request=RatingSerializer, responses={201: RatingSerializer},
        description="Once per ticket, when resolved or closed. A rating by the vendor's hotline agent "
                    "or project manager is stored as a phone call-back (source=phone); the requester's "
                    "own (bureau liaison) then replaces it once.",
    )
    def post(self, request, pk: int):
        ticket, _rater = access.ticket_to_rate(request.user, pk)
        payload = RatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rating = ratings.rate(
            ticket, payload.validated_data["level"], payload.validated_data.get("comment", ""),
            by=request.user, source=Rating.Source.API,
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RatingSerializer)
    def get(self, request, pk: int):
        ticket = access.visible_ticket(request.user, pk)
        rating = get_object_or_404(Rating, ticket=ticket)
        return Response(RatingSerializer(rating).data)


class LevelCountSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    label = serializers.CharField()
    count = serializers.IntegerField()


def _rate_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True,
                                    coerce_to_string=True, help_text=help_text)


class FeedbackFiguresSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    ratings = serializers.IntegerField()
    levels = LevelCountSerializer(many=True, help_text="All five levels, 5 = 非常满意 first, zeros included")
    relayed_by_phone = serializers.IntegerField(help_text="Ratings recorded by the vendor on a call-back")
    satisfaction_rate = _rate_field("Percent of ratings at levels 3–5, e.g. \"80.0\"; null without ratings")
    consultations = serializers.IntegerField(help_text="Phone consultations created in the period")
    first_contact_resolved = serializers.IntegerField()
    first_contact_rate = _rate_field("Percent of phone consultations resolved on the call; null without calls")
    average_talk_seconds = serializers.IntegerField(allow_null=True)
    rectifications_open = serializers.IntegerField(help_text="Open at the end of the period (today if later)")
    rectifications_overdue = serializers.IntegerField(help_text="Of those, past their due day")


def figures_data(contract: Contract, figures: SatisfactionFigures) -> dict:
    return {
        "contract": contract.pk, "start": figures.start, "end": figures.end,
        "ratings": figures.ratings,
        "levels": [{"level": level, "label": str(Level(level).label), "count": count}
                   for level, count in figures.per_level.items()],
        "relayed_by_phone": figures.relayed_by_phone,
        "satisfaction_rate": figures.satisfaction_rate,
        "consultations": figures.consultations,
        "first_contact_resolved": figures.first_contact_resolved,
        "first_contact_rate": figures.first_contact_rate,
        "average_talk_seconds": figures.average_talk_seconds,
        "rectifications_open": figures.rectifications_open,
        "rectifications_overdue": figures.rectifications_overdue,
    }


class FiguresView(APIView):
    required_capabilities = {"get": (Capability.VIEW_FIGURES,)}

    @extend_schema(
        parameters=[
            OpenApiParameter("contract", int, required=True),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True,
                             description="YYYY-MM-DD, Asia/Shanghai, included"),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True,
                             description="YYYY-MM-DD, Asia/Shanghai, included; not before start, "
                                         f"at most {MAX_PERIOD_DAYS} days after"),
        ],
        responses=FeedbackFiguresSerializer,
        description="好差评 figures of one contract for a period: ratings per level, satisfaction "
                    "rate, first-contact resolution, average talk time, rectifications. Members of "
                    "the contract who see its tickets only.",
    )
    def get(self, request):
        contract = access.figures_contract(
            request.user, lambda: required_contract(request), _("您不能查看此合同的好差评统计。")
        )
        start, end = parse_period(request.query_params.get("start"), request.query_params.get("end"))
        figures = satisfaction_figures(contract, start, end)
        return Response(FeedbackFiguresSerializer(figures_data(contract, figures)).data)
