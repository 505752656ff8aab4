"""GET /api/v1/audit/reveals/: every reveal of a person's clear data, for the auditor.

It lives in the api app (above the audit trail's read side in the layers) and reads only
``audit.selectors``: the page and this list are the same records under the same rule.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from weibao.api.pagination import StandardPagination
from weibao.audit.filtersets import RevealFilterSet
from weibao.audit.selectors import reveals_visible_to
from weibao.contracts.roles import Capability


class RevealSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_username")
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object = serializers.CharField(source="object_repr")
    field = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    def get_field(self, record) -> str:
        return (record.detail or {}).get("field", "")

    def get_reason(self, record) -> str:
        return (record.detail or {}).get("reason", "")


class RevealListView(APIView):
    """Reveals the caller may read (a contract's auditor: that contract's), newest first;
    filters ``actor``, ``contract``, ``object_id``, ``date_from``, ``date_to`` (a bad one
    is a 400 naming it). Unlike the audit pages it does not seal pending records first
    (that takes the chain lock for the request's length): records are sealed as their
    transaction commits, and the page or the worker seals any left behind."""

    required_capabilities = (Capability.VIEW_AUDIT,)
    pagination_class = StandardPagination

    @extend_schema(
        responses=RevealSerializer(many=True),
        parameters=[
            OpenApiParameter("actor", str), OpenApiParameter("contract", int), OpenApiParameter("object_id", str),
            OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
    )
    def get(self, request):
        visible = reveals_visible_to(request.user)
        if visible is None:
            return Response({"detail": _("您没有权限进行此操作。")}, status=status.HTTP_403_FORBIDDEN)
        filters = RevealFilterSet(request.query_params, visible)
        if filters.error_messages:
            errors = {name: [message] for name, message in filters.error_messages.items()}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(filters.qs, request, view=self)
        return paginator.get_paginated_response(RevealSerializer(page, many=True).data)
