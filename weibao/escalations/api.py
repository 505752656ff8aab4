"""``/api/v1/escalations/``: the runs of the caller's contracts, their timelines, and
``POST …/{id}/acknowledge/`` (issue 14's acceptance interface)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from weibao.api.mixins import ID_IN_PATH, filter_by_contract_param
from weibao.api.pagination import StandardPagination
from weibao.api.serializers import ModelSerializer
from weibao.contracts.access import require_anywhere
from weibao.contracts.roles import Capability
from weibao.core.params import parse_choice
from weibao.escalations import access
from weibao.escalations.models import Escalation, EscalationEntry
from weibao.escalations.services import engine


class EscalationEntrySerializer(ModelSerializer):
    step = serializers.SerializerMethodField()

    class Meta:
        model = EscalationEntry
        fields = ["at", "kind", "round", "step", "recipients", "detail"]

    def get_step(self, entry) -> int | None:
        """1-based, as the page shows it; null for the start and the end of a run."""
        return None if entry.position is None else entry.position + 1


class EscalationSerializer(ModelSerializer):
    policy = serializers.CharField(source="policy.name")
    acknowledged_by = serializers.SerializerMethodField()
    timeline = EscalationEntrySerializer(source="entries", many=True)

    class Meta:
        model = Escalation
        fields = ["id", "contract", "policy", "object_type", "object_id", "subject", "reason",
                  "status", "round", "started_at", "ended_at", "next_step_at", "acknowledged_by",
                  "timeline"]

    def get_acknowledged_by(self, run) -> str | None:
        user = run.acknowledged_by
        return (user.display_name or user.username) if user else None


@extend_schema(parameters=[
    OpenApiParameter("contract", int, description="Only this contract's runs."),
    OpenApiParameter("status", str, enum=list(Escalation.Status.values)),
])
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    required_capabilities = {
        "list": (Capability.VIEW_ESCALATIONS,),
        "retrieve": (Capability.VIEW_ESCALATIONS,),
        "acknowledge": (Capability.ACKNOWLEDGE_ESCALATIONS,),
    }
    serializer_class = EscalationSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        runs = (Escalation.objects.restrict(self.request.user, Capability.VIEW_ESCALATIONS)
                .select_related("policy", "acknowledged_by").prefetch_related("entries"))
        if self.action == "list":
            runs = filter_by_contract_param(runs, self.request)
            status = parse_choice(self.request.query_params.get("status"), "status",
                                  Escalation.Status.values)
            if status:
                runs = runs.filter(status=status)
        return runs

    def list(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.VIEW_ESCALATIONS)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Take the page: this run and every other run for the same item stop. Repeating
        it answers the same 200; one without the capability gets 403, another contract's
        run 404."""
        run = access.escalation_for(request.user, pk, Capability.ACKNOWLEDGE_ESCALATIONS)
        engine.acknowledge(run, request.user, via="api")
        return Response(self.get_serializer(self.get_queryset().get(pk=run.pk)).data)
