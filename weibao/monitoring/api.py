"""``/api/v1/monitors/``: monitors of the caller's contracts and their availability."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from weibao.api.errors import not_member_response
from weibao.api.mixins import ID_IN_PATH
from weibao.api.pagination import StandardPagination
from weibao.api.serializers import MemberContractField, ModelSerializer, StrictFieldsMixin
from weibao.contracts.access import contract_ids_where, require_anywhere
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import BadParameter, parse_date, require_id
from weibao.monitoring import access, selectors, services
from weibao.monitoring.models import MAX_INTERVAL, MIN_INTERVAL, Monitor, MonitorKind

MAX_RANGE_DAYS = 400


class MonitorSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.MANAGE_MONITORS)
    kind = serializers.ChoiceField(choices=MonitorKind.choices)
    component = serializers.IntegerField(required=False, allow_null=True, source="component_id")
    config = serializers.JSONField(required=False, default=dict)
    interval_seconds = serializers.IntegerField(min_value=MIN_INTERVAL, max_value=MAX_INTERVAL, default=60)
    ping_url = serializers.SerializerMethodField()

    class Meta:
        model = Monitor
        fields = [
            "id", "contract", "component", "name", "kind", "target", "config", "interval_seconds",
            "timeout_seconds", "failures_to_down", "successes_to_up", "grace_seconds", "enabled", "state",
            "state_since", "last_checked_at", "last_latency_ms", "last_error", "ping_url",
        ]
        read_only_fields = ["state", "state_since", "last_checked_at", "last_latency_ms", "last_error"]

    def get_ping_url(self, monitor) -> str | None:
        if monitor.kind != MonitorKind.HEARTBEAT:
            return None
        request = self.context.get("request")
        path = f"/ping/{monitor.ping_key}"
        return request.build_absolute_uri(path) if request else path

    def to_representation(self, monitor):
        data = super().to_representation(monitor)
        # Header values may be credentials: shown to those who manage monitors only.
        request = self.context.get("request")
        headers = data["config"].get("headers") if isinstance(data.get("config"), dict) else None
        if headers and not services_can_manage(getattr(request, "user", None), monitor.contract_id):
            data["config"] = {**data["config"], "headers": {k: "***" for k in headers}}
        return data

    def create(self, validated_data):
        contract = validated_data.pop("contract")
        component_id = validated_data.pop("component_id", None)
        component = None
        if component_id is not None:
            component = access.components(contract.pk).filter(pk=component_id).first()
            if component is None:
                raise serializers.ValidationError({"component": [_("服务目录项不存在或不属于该合同。")]})
        try:
            return services.create_monitor(contract, by=self.context["request"].user, component=component,
                                           **validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc


def services_can_manage(user, contract_id) -> bool:
    return contract_id in contract_ids_where(user, Capability.MANAGE_MONITORS)


class OutageSerializer(serializers.Serializer):
    monitor = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    minutes = serializers.FloatField()
    cause = serializers.JSONField()
    recovery = serializers.JSONField()


def _figures(figures) -> dict:
    return {
        "percent": str(figures.percent) if figures.percent is not None else None,
        "downtime_minutes": str(figures.downtime_minutes),
        "maintenance_minutes": round(figures.maintenance.total_seconds() / 60, 1),
        "measured_minutes": round(figures.measured.total_seconds() / 60, 1),
    }


class MonitorViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Monitors of the caller's contracts (the vendor team reads them, the project
    manager creates them); the availability of one, for everyone on its contract."""

    required_capabilities = {
        "list": (Capability.VIEW_MONITORS,),
        "retrieve": (Capability.VIEW_MONITORS,),
        "create": (Capability.MANAGE_MONITORS,),
        "availability": (Capability.VIEW_AVAILABILITY,),
    }
    serializer_class = MonitorSerializer
    pagination_class = StandardPagination
    lookup_value_regex = ID_IN_PATH
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Monitor.objects.restrict(self.request.user, Capability.VIEW_MONITORS).select_related("component")

    @extend_schema(parameters=[OpenApiParameter("contract", OpenApiTypes.INT, description="合同编号")])
    def list(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.VIEW_MONITORS)
        monitors = self.get_queryset().order_by("contract_id", "name", "pk")
        contract_id = require_id(request.query_params.get("contract"), "contract")
        if contract_id is not None:
            monitors = monitors.filter(contract_id=contract_id)
        page = self.paginate_queryset(monitors)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        monitor = access.monitor_for(request.user, kwargs["pk"], Capability.VIEW_MONITORS)
        return Response(self.get_serializer(monitor).data)

    def create(self, request, *args, **kwargs):
        require_anywhere(request.user, Capability.MANAGE_MONITORS)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        monitor = serializer.save()
        return Response(self.get_serializer(monitor).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE, required=True),
                    OpenApiParameter("to", OpenApiTypes.DATE, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def availability(self, request, pk=None):
        """Availability from ``from`` to ``to`` (Asia/Shanghai days, both included): the
        whole period, each day, each outage with its evidence; declared maintenance of
        the monitor's component is left out."""
        monitor = access.monitor_for(request.user, pk, Capability.VIEW_AVAILABILITY)
        first = parse_date(request.query_params.get("from"), "from")
        last = parse_date(request.query_params.get("to"), "to")
        if first is None:
            raise BadParameter("from", _("请填写开始日期（YYYY-MM-DD）。"))
        if last is None:
            raise BadParameter("to", _("请填写结束日期（YYYY-MM-DD）。"))
        if last < first:
            raise BadParameter("to", _("结束日期不能早于开始日期。"))
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadParameter("to", _("一次最多查询 %(days)d 天。") % {"days": MAX_RANGE_DAYS})
        components = [monitor.component_id] if monitor.component_id else []
        start, end = selectors.day_bounds(first, last)
        total = selectors.figures_for([monitor], monitor.contract_id, components, start, end)
        days = selectors.daily([monitor], monitor.contract_id, components, first, last)
        outages = selectors.outages([monitor], monitor.contract_id, components, start, end)
        target = selectors.targets(monitor.contract_id).get(monitor.component_id)
        return Response({
            "monitor": monitor.pk, "component": monitor.component_id, "from": first, "to": last,
            "timezone": "Asia/Shanghai", "computed_at": clock.now(),
            "target_percent": str(target) if target is not None else None,
            **_figures(total),
            "days": [{"date": day, **_figures(figures)} for day, figures in days],
            "outages": OutageSerializer(outages, many=True).data,
        })
