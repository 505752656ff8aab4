"""Serializer building blocks shared by every app's API."""

from __future__ import annotations

import copy

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from weibao.contracts.access import (
    any_contract_where,
    contract_ids_where,
    contracts_of,
    memberships_of,
)
from weibao.contracts.models import Contract
from weibao.core.params import FIRST_YEAR, LAST_YEAR


class ModelSerializer(serializers.ModelSerializer):
    """DRF's model serializer, its fields worked out from the model once per class and
    copied for each instance. DRF works them out anew for every serializer it makes,
    introspecting each model field: ~0.7 ms of a 10 ms API GET of one ticket (issue 19).
    Sound while the fields depend on the class alone, as here: no serializer overrides
    ``get_fields``; per-request narrowing happens on the copy (``self.fields``), and
    labels and messages stay lazy, translated when shown. Not cached: a class with a
    uniqueness check on a field, whose message DRF translates when it builds it (it would
    keep the first request's language)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            if any(isinstance(v, UniqueValidator) for f in built.values() for v in getattr(f, "validators", [])):
                return built
            cls._fields_built_once = built
        return copy.deepcopy(built)


class StrictFieldsMixin:
    """Refuses fields the serializer does not know, naming each (400, not a silent drop)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields)
            unknown = sorted(str(key) for key in data if key not in known)
            read_only = sorted(
                str(key) for key in data if key in known and self.fields[key].read_only
            )
            errors = {key: [_("未知字段。")] for key in unknown}
            errors.update({key: [_("该字段为只读，不能修改。")] for key in read_only})
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class MemberContractField(serializers.PrimaryKeyRelatedField):
    """A contract the caller is a member of (holding ``capability``, when given; or in the
    roles given). Others look non-existent."""

    default_error_messages = {
        "does_not_exist": _("合同 {pk_value} 不存在或您不是其成员。"),
        "incorrect_type": _("合同编号应为整数，收到 {data_type}。"),
    }

    def __init__(self, roles=None, capability: str | None = None, **kwargs):
        self.roles = roles
        self.capability = capability
        kwargs.setdefault("queryset", Contract.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if self.capability is not None:
            return Contract.objects.restrict(user, self.capability)
        return Contract.objects.for_user(user, roles=self.roles)

    def to_internal_value(self, data):
        # The caller's contracts were read with their memberships (one query per request):
        # the named one is taken from them, refused alike when it is not among them.
        user = getattr(self.context.get("request"), "user", None)
        if self.pk_field is not None or user is None:
            return super().to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = int(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if self.capability is not None:
            allowed = set(contract_ids_where(user, self.capability))
        elif self.roles is not None:
            allowed = set(any_contract_where(user, self.roles))
        else:
            allowed = set(memberships_of(user))
        for contract in contracts_of(user):
            if contract.pk == pk and pk in allowed:
                return contract
        self.fail("does_not_exist", pk_value=data)


class BoundedDateTimeField(serializers.DateTimeField):
    """A date-time in the years core.params allows (2000 to 2100): year 1 or 9999 with a
    time zone overflowed Python's datetime (a 500) in DRF's own conversion."""

    default_error_messages = {
        "out_of_range": _("时间超出范围（应在 {first} 年至 {last} 年之间）。"),
    }

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        return moment
