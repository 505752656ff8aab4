"""Viewset building blocks shared by every contract-scoped endpoint."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from weibao.api.errors import field_error, not_member_response


class ContractCreateMixin:
    """POST creates in a contract the caller is on; another contract answers 404 naming
    the field (it looks non-existent), any other problem 400 per field."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(
                serializer.errors, status=status.HTTP_400_BAD_REQUEST
            )
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


def filter_by_contract_param(queryset, request):
    """``?contract=ID`` narrows a list (scoping already happened); a non-integer is a 400."""
    contract = request.query_params.get("contract")
    if not contract:
        return queryset
    if not contract.isdigit():
        raise field_error("contract", "合同编号应为整数。 / contract must be an integer.")
    return queryset.filter(contract_id=int(contract))
