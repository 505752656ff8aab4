"""The ticket list's filters, search and sorting, declared once for the page, the API
and the exports, so all three agree on what a filter means and refuse the same values.

Every value is read by ``core.params`` (through ``core.filters``): a bad one is an error
on its field, which the page shows beside it (and ignores that filter) and the API
answers with a 400 naming it. The SQL is the hand-built query's (decision 0007): ``IN``
lists on indexed columns, day bounds in Beijing time, index-friendly orderings.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from weibao import audit
from weibao.contracts.access import contract_ids_where
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.encrypted_fields import search_hashes
from weibao.core.filters import (
    ChoicesField,
    DayFilter,
    FilterSet,
    IdField,
    IdsField,
    KeywordField,
    OneOfField,
    UnknownParametersRefusedForm,
)
from weibao.core.masking import mask_phone
from weibao.servicedesk import queries
from weibao.servicedesk.models import (
    OPEN_STATUSES,
    Channel,
    Priority,
    SlaClock,
    Status,
    Ticket,
    TicketType,
    breaching_soon,
)
from weibao.servicedesk.services import tickets

SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "due": ("sla_due_at", "id"),
    "-priority": ("priority", "-created_at", "-id"),  # p1 first
    "priority": ("-priority", "-created_at", "-id"),
    "-updated": ("-updated_at", "-id"),
    "number": ("number",),
    # 督办 first: the most urged, then the most recently urged.
    "-urged": ("-urged_count", F("urged_at").desc(nulls_last=True), "-id"),
}
DEFAULT_SORT = "-created"
VIEWS = ("mine", "breaching", "open", "urged", "follow_ups")


def _choices(values) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of the field's values (repeated or comma-separated): one ``IN`` on the column."""

    field_class = ChoicesField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


@extend_schema_field(OpenApiTypes.INT)
class IdsFilter(django_filters.NumberFilter):
    """Any of these ids (repeated or comma-separated)."""

    field_class = IdsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class OneOfFilter(django_filters.ChoiceFilter):
    field_class = OneOfField


@extend_schema_field({"type": "string", "description": "user id, 'me' or 'none'"})
class PersonFilter(IdsFilter):
    """A user id, or "me" or "none" (no assignee)."""


class KeywordFilter(django_filters.CharFilter):
    field_class = KeywordField


class TicketFilterSet(FilterSet):
    """The tickets ``request.user`` (or ``user``) may see, narrowed by the list's filters.

    A search by phone number is audited (masked number), unless ``audit_search`` is off
    for a second query of the same search (the list's separate count).
    """

    contract = IdFilter(field_name="contract_id", message=gettext_lazy("合同编号应为整数。"))
    status = ChoicesFilter(choices=Status.choices, help_text="comma-separated or repeated")
    type = ChoicesFilter(choices=TicketType.choices)
    priority = ChoicesFilter(choices=Priority.choices)
    channel = ChoicesFilter(choices=Channel.choices)
    sla_state = ChoicesFilter(choices=SlaClock.State.choices)
    assignee = PersonFilter(method="filter_assignee", words=("me", "none"))
    group = IdsFilter(field_name="group_id")
    component = IdsFilter(field_name="component_id")
    created_from = DayFilter(field_name="created_at", lookup_expr="gte")
    created_to = DayFilter(field_name="created_at", lookup_expr="lt")
    due_from = DayFilter(field_name="sla_due_at", lookup_expr="gte")
    due_to = DayFilter(field_name="sla_due_at", lookup_expr="lt")
    view = OneOfFilter(choices=_choices(VIEWS), method="filter_view")
    q = KeywordFilter(method="filter_keyword", help_text="ticket number, subject words, requester name or phone")
    sort = OneOfFilter(choices=_choices(SORTS), method="filter_sort", help_text=f"default {DEFAULT_SORT}")

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, user=None, audit_search: bool = True, **kwargs):
        self.user = user if user is not None else getattr(request, "user", None)
        if queryset is None:
            queryset = Ticket.objects.restrict(self.user, Capability.VIEW_TICKETS)
        self.audit_search = audit_search
        super().__init__(data, queryset, request=request, **kwargs)

    @cached_property
    def cleaned(self) -> dict[str, object]:
        """The filters in force (a bad one is not): what the page shows as chosen and the
        exports' audit record notes. ``sort`` is always there."""
        self.errors  # noqa: B018 (validates the form)
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}
        if cleaned.get("assignee") == ["me"]:
            cleaned["assignee"] = [self.user.pk]
        cleaned["sort"] = cleaned.get("sort") or DEFAULT_SORT
        return cleaned

    @property
    def error_messages(self) -> dict[str, str]:
        """Each refused filter and why (the first message), for the page."""
        return {name: messages[0] for name, messages in self.errors.items()}

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).order_by(*SORTS[self.cleaned["sort"]])

    def filter_sort(self, queryset, name, value: str):
        return queryset  # applied last, by filter_queryset, also when absent or refused

    def filter_assignee(self, queryset, name, value: str):
        if value == ["none"]:
            return queryset.filter(assignee__isnull=True)
        if value == ["me"]:
            value = [self.user.pk]
        return queryset.filter(assignee_id__in=value)

    def filter_view(self, queryset, name, value: str):
        if value == "mine":
            return queryset.filter(assignee=self.user, status__in=OPEN_STATUSES)
        if value == "breaching":
            # Served by the (contract, sla_state, due) index.
            return queryset.filter(breaching_soon(clock.now()))
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "urged":
            return queryset.urged()
        return queryset.hotline_follow_ups(self.user)  # follow_ups

    def filter_keyword(self, queryset, name, value: str):
        phone = _phone_in(value)
        if phone and self.audit_search:
            # Who looked up which caller's tickets (PIPL art. 51): the number is masked.
            audit.record("ticket.search_by_phone", actor=self.user, contract=self.form.cleaned_data.get("contract"),
                         object_type="servicedesk.ticket", object_repr=mask_phone(phone),
                         detail={"phone": mask_phone(phone)})
        return queryset.filter(_keyword(value, self.user))


class ApiTicketFilterSet(TicketFilterSet):
    """The API's list also refuses parameters it does not know (a typo is not ignored)."""

    class Meta(TicketFilterSet.Meta):
        form = UnknownParametersRefusedForm


def _keyword(keyword: str, user) -> Q:
    """A ticket number goes straight to its index; otherwise subject words, requester
    name and phone. The list masks phones, but a caller's number still finds their
    tickets for those who may see it in clear (REVEAL_PERSONAL_DATA on the ticket's
    contract): for anyone else a match would tell the hidden digits, one guess at a time."""
    upper = keyword.upper()
    if upper.startswith("SL-"):
        return Q(number__startswith=upper)
    # Names and phones are encrypted at rest: both are matched exactly, through their keyed
    # hashes (decision 0026).
    condition = queries.subject_contains(keyword) | Q(requester_name_hash__in=search_hashes("name", keyword))
    phone = _phone_in(keyword)
    revealing = contract_ids_where(user, Capability.REVEAL_PERSONAL_DATA) if phone else []
    if revealing:
        condition |= Q(requester_phone_hash__in=search_hashes("phone", phone), contract_id__in=revealing)
    return condition


def _phone_in(keyword: str) -> str:
    """The phone number a search term is, as stored, or "" when it is not one.

    Phones are stored by tickets.normalise_phone: what is typed here goes through the
    same rule, so "139-1234-5678", "+86 139…" and "(0375) 123…" find them."""
    if keyword.upper().startswith("SL-") or not set(keyword) <= set("0123456789 -+()"):
        return ""
    try:
        digits = tickets.normalise_phone(keyword)
    except ValidationError:  # "--" or "()": no digit at all
        return ""
    return digits if len(digits) >= 7 else ""
