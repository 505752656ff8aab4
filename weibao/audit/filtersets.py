"""The auditor's filters over the trail, declared once for the page and both exports.

Every value is read by ``core.params`` (through ``core.filters``): a bad one is shown
beside its field and that filter is ignored.
"""

from __future__ import annotations

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from weibao.audit.models import AuditRecord
from weibao.core.filters import DayFilter, FilterSet, ParsedField, TextField
from weibao.core.params import parse_choice, parse_date, require_id


class TextFilter(django_filters.CharFilter):
    """Exactly this text (stripped, at most ``max_chars``), or containing it with ``icontains``."""

    field_class = TextField


class ParsedFilter(django_filters.Filter):
    field_class = ParsedField


class LastDayFilter(DayFilter):
    """``core.filters.DayFilter`` reading the last value given, as the audit page always has."""

    field_class = ParsedField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse", lambda value: parse_date(value, "date"))
        super().__init__(*args, **kwargs)


class AuditFilterSet(FilterSet):
    """The records ``queryset`` (those the auditor may read, ``records_visible_to``) narrowed
    by the page's filters, newest first."""

    actor = TextFilter(field_name="actor_username")
    action = TextFilter()
    object_type = TextFilter()
    object_id = TextFilter()
    ip = TextFilter()
    outcome = ParsedFilter(
        parse=lambda value: parse_choice(value, "outcome", AuditRecord.Outcome.values),
        message=gettext_lazy("无效的结果。"),
    )
    contract = ParsedFilter(
        field_name="contract_id",
        parse=lambda value: require_id(value, "contract"),
        message=gettext_lazy("合同编号应为整数。"),
    )
    q = TextFilter(field_name="object_repr", lookup_expr="icontains", max_chars=100)
    date_from = LastDayFilter(field_name="at", lookup_expr="gte")
    date_to = LastDayFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditRecord
        fields: list[str] = []

    @cached_property
    def cleaned(self) -> dict[str, object]:
        """The filters in force (a bad one is not), for the page and the export's record."""
        self.errors  # noqa: B018 (validates the form)
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}

    @property
    def error_messages(self) -> dict[str, str]:
        """Each refused filter and why (the first message), for the page."""
        return {name: messages[0] for name, messages in self.errors.items()}

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-seq")


class RevealFilterSet(FilterSet):
    """The auditor's filters over the reveals (``selectors.reveals_visible_to``): by person,
    by day, by contract and by record."""

    actor = TextFilter(field_name="actor_username")
    contract = ParsedFilter(
        field_name="contract_id",
        parse=lambda value: require_id(value, "contract"),
        message=gettext_lazy("合同编号应为整数。"),
    )
    object_id = TextFilter()
    date_from = LastDayFilter(field_name="at", lookup_expr="gte")
    date_to = LastDayFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditRecord
        fields: list[str] = []

    cleaned = AuditFilterSet.cleaned
    error_messages = AuditFilterSet.error_messages

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-seq")
