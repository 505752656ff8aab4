"""Viewset building blocks shared by every contract-scoped endpoint."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from weibao.api.errors import field_error, not_member_response
from weibao.contracts.models import Contract
from weibao.core.params import parse_id

# An id in an API path: ASCII digits, as the pages' <int:pk> takes them. (``\d`` would also
# take any script's digits, which int() reads as the same number: "٣" would name ticket 3.)
ID_IN_PATH = "[0-9]+"


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
    raw = request.query_params.get("contract")
    if not raw:
        return queryset
    contract_id = parse_id(raw)
    if contract_id is None:
        raise field_error("contract", _("合同编号应为整数。"))
    return queryset.filter(contract_id=contract_id)


def required_contract(request):
    """The contract named by ``?contract=ID``, which the caller must be a member of: a
    missing or malformed id is a 400, someone else's contract a 404 (it looks
    non-existent); both name the field."""
    return member_contract(request.user, request.query_params.get("contract"))


def member_contract(user, raw):
    """The contract named by ``raw`` (a query value, or a JSON body's text or number),
    which ``user`` must be a member of; the refusals of ``required_contract``."""
    if isinstance(raw, bool) or not isinstance(raw, int | str | None):
        raise field_error("contract", _("合同编号应为整数。"))
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise field_error("contract", _("请指定合同。"))
    contract_id = parse_id(text)
    if contract_id is None:
        raise field_error("contract", _("合同编号应为整数。"))
    contract = Contract.objects.for_user(user).filter(pk=contract_id).first()
    if contract is None:
        message = _("合同不存在或您不是其成员。")
        raise NotFound({"detail": message, "contract": [message]})
    return contract
