"""``/api/v1/integrations/`` (alert intake by secret URL, and their management) and
``/api/v1/incidents/`` (the list, acknowledge, resolve)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao import audit
from weibao.api.mixins import ID_IN_PATH
from weibao.api.pagination import StandardPagination
from weibao.api.serializers import ModelSerializer
from weibao.contracts.access import require_anywhere
from weibao.contracts.roles import Capability
from weibao.core.params import require_id
from weibao.incidents import access, ingest, integrations, services
from weibao.incidents.filtersets import ApiIncidentFilterSet
from weibao.incidents.models import Incident, Integration


class AlertIntakeView(APIView):
    """Alerts pushed by Alertmanager, Grafana, Zabbix or any JSON sender. The secret in
    the URL is the credential (as Alertmanager's webhook_configs url carries it)."""

    public_reason = "alert senders: the integration's secret URL is the credential"
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(request=None, responses={200: None, 400: None, 404: None})
    def post(self, request, kind: str, secret: str):
        integration = Integration.objects.filter(secret=secret, kind=kind, active=True).select_related("contract").first()
        if integration is None:
            return Response({"detail": _("接入地址不存在或已停用。")}, status=status.HTTP_404_NOT_FOUND)
        receipt = ingest.receive(integration, request.body)
        if receipt.problems:
            return Response(
                {"detail": _("告警格式错误，已保存备查。"), "errors": receipt.problems, "delivery": receipt.delivery.pk},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({
            "status": "duplicate" if receipt.duplicate else receipt.delivery.state,
            "delivery": receipt.delivery.pk,
        })


class IntegrationSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Integration
        fields = ["id", "contract", "kind", "name", "url", "group_by", "default_level", "category", "component", "active", "created_at", "rotated_at"]

    def get_url(self, integration) -> str:
        """The secret URL; for an e-mail integration ``mailto:`` its secret address."""
        request = self.context.get("request")
        return integrations.intake_address(integration, request.build_absolute_uri if request is not None else None)


def _contract_param(request) -> int | None:
    return require_id(request.query_params.get("contract"), "contract", _("合同编号应为整数。"))


class IntegrationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The contract's integrations with their full secret URLs: for those who manage them."""

    required_capabilities = {"list": (Capability.MANAGE_INCIDENTS,), "rotate": (Capability.MANAGE_INCIDENTS,)}
    serializer_class = IntegrationSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        rows = Integration.objects.restrict(self.request.user, Capability.MANAGE_INCIDENTS).order_by("contract", "name")
        if self.action == "list":
            contract_id = _contract_param(self.request)
            if contract_id is not None:
                rows = rows.filter(contract_id=contract_id)
        return rows

    def list(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.MANAGE_INCIDENTS)
        response = super().list(request, *args, **kwargs)
        audit.record("incident.integration.read", detail={"contract": request.query_params.get("contract", "")[:20]})
        return response

    @extend_schema(request=None, responses=IntegrationSerializer)
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        integration = access.integration_for(request.user, pk)
        return Response(self.get_serializer(integrations.rotate(integration, by=request.user)).data)


class IncidentSerializer(ModelSerializer):
    alerts_count = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "number", "contract", "title", "level", "category", "status", "source", "component",
            "alerts_count", "opened_at", "acknowledged_at", "resolved_at",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents of the caller's contracts; the vendor team acknowledges and resolves."""

    required_capabilities = {
        "list": (Capability.VIEW_INCIDENTS,),
        "retrieve": (Capability.VIEW_INCIDENTS,),
        "acknowledge": (Capability.WORK_INCIDENTS,),
        "resolve": (Capability.WORK_INCIDENTS,),
    }
    serializer_class = IncidentSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        return (
            Incident.objects.restrict(self.request.user, Capability.VIEW_INCIDENTS)
            .annotate(alerts_count=Count("alerts"))
            .order_by("-opened_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.VIEW_INCIDENTS)
        filterset = ApiIncidentFilterSet(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _incident(self, capability):
        incident = access.incident_for(self.request.user, self.kwargs["pk"], capability)
        return incident

    def _answer(self, incident):
        return Response(self.get_serializer(self.get_queryset().get(pk=incident.pk)).data)

    @extend_schema(request=None, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        incident = self._incident(Capability.WORK_INCIDENTS)
        return self._answer(services.acknowledge(incident, by=request.user))

    @extend_schema(request=ResolveSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        incident = self._incident(Capability.WORK_INCIDENTS)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.resolve(incident, by=request.user, note=body.validated_data.get("note", "")))
