"""The ticket list's filters, search and sorting — one parser for the web list, the API
and the exports, so all three always agree on what a filter means."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import contract_ids_where
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.masking import mask_phone
from weibao.core.params import BadParameter, parse_date, parse_id
from weibao.servicedesk.models import (
    OPEN_STATUSES,
    Channel,
    Priority,
    SlaClock,
    Status,
    Ticket,
    TicketType,
)
from weibao.servicedesk.services.tickets import normalise_phone

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
VIEWS = ("mine", "breaching", "open", "urged", "follow_ups")
DEFAULT_SORT = "-created"
CHOICE_FILTERS = {
    "status": Status.values,
    "type": TicketType.values,
    "priority": Priority.values,
    "channel": Channel.values,
    "sla_state": SlaClock.State.values,
}
ID_FILTERS = {"assignee": "assignee_id", "group": "group_id", "component": "component_id"}
DATE_FILTERS = {
    "created_from": ("created_at", "gte"),
    "created_to": ("created_at", "lt"),
    "due_from": ("sla_due_at", "gte"),
    "due_to": ("sla_due_at", "lt"),
}
KNOWN = {"contract", "q", "sort", "view", *CHOICE_FILTERS, *ID_FILTERS, *DATE_FILTERS}
BREACHING_SOON = dt.timedelta(hours=2)


@dataclass
class TicketQuery:
    tickets: QuerySet
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: dict[str, object] = field(default_factory=dict)


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)


def ticket_query(user, params, *, strict: bool = False, audit_search: bool = True) -> TicketQuery:
    """Filter the tickets ``user`` may see by ``params`` (a QueryDict or dict).

    Bad values are reported per parameter in ``errors`` (the API answers 400 with them;
    the web list shows them next to the field and ignores that filter).
    ``strict`` also reports unknown parameters. A search by phone number is audited
    (masked number), unless ``audit_search`` is off for a second query of the same
    search (the list's separate count).
    """
    tickets = Ticket.objects.restrict(user, Capability.VIEW_TICKETS)
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}

    def values(name):
        if hasattr(params, "getlist"):
            raw = params.getlist(name)
        else:
            raw = params.get(name)
            raw = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        out = []
        for item in raw:
            out.extend(part.strip() for part in str(item).split(",") if part.strip())
        return out

    if strict:
        for name in params:
            if name not in KNOWN and name not in {"page", "page_size", "format"}:
                errors[name] = _("未知参数。")

    contract = values("contract")
    if contract:
        if len(contract) == 1 and parse_id(contract[0]) is not None:
            tickets = tickets.filter(contract_id=parse_id(contract[0]))
            cleaned["contract"] = parse_id(contract[0])
        else:
            errors["contract"] = _("合同编号应为整数。")

    for name, allowed in CHOICE_FILTERS.items():
        chosen = values(name)
        if not chosen:
            continue
        bad = [value for value in chosen if value not in allowed]
        if bad:
            errors[name] = _("无效的取值：%(bad)s。可选：%(allowed)s") % {
                "bad": ", ".join(bad), "allowed": ", ".join(allowed)
            }
            continue
        cleaned[name] = chosen
        column = "sla_state" if name == "sla_state" else name
        tickets = tickets.filter(**{f"{column}__in": chosen})

    for name, column in ID_FILTERS.items():
        chosen = values(name)
        if not chosen:
            continue
        if name == "assignee" and chosen == ["none"]:
            tickets = tickets.filter(assignee__isnull=True)
            cleaned[name] = ["none"]
            continue
        if name == "assignee" and chosen == ["me"]:
            chosen = [str(user.pk)]
        if not all(parse_id(value) is not None for value in chosen):
            errors[name] = _("应为整数编号。")
            continue
        cleaned[name] = [parse_id(value) for value in chosen]
        tickets = tickets.filter(**{f"{column}__in": cleaned[name]})

    for name, (column, op) in DATE_FILTERS.items():
        raw = values(name)
        if not raw:
            continue
        try:
            day = parse_date(raw[0], name)
        except BadParameter as exc:
            errors[name] = exc.message
            continue
        cleaned[name] = day
        bound = _local_day_start(day + dt.timedelta(days=1) if op == "lt" else day)
        tickets = tickets.filter(**{f"{column}__{op}": bound})

    view = (values("view") or [""])[0]
    if view == "mine":
        tickets = tickets.filter(assignee=user, status__in=OPEN_STATUSES)
        cleaned["view"] = view
    elif view == "breaching":
        # Running clocks due within two hours (already-breached ones have their own
        # filter, sla_state=breached); served by the (contract, sla_state, due) index.
        tickets = tickets.filter(
            status__in=OPEN_STATUSES,
            sla_state=SlaClock.State.RUNNING,
            sla_due_at__lt=clock.now() + BREACHING_SOON,
        )
        cleaned["view"] = view
    elif view == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
        cleaned["view"] = view
    elif view == "urged":
        tickets = tickets.urged()
        cleaned["view"] = view
    elif view == "follow_ups":
        tickets = tickets.hotline_follow_ups(user)
        cleaned["view"] = view
    elif view:
        errors["view"] = _("可选：%(allowed)s") % {"allowed": ", ".join(VIEWS)}

    keyword = " ".join(values("q"))[:100]
    if keyword:
        cleaned["q"] = keyword
        tickets = tickets.filter(_keyword(keyword, user))
        phone = _phone_in(keyword)
        if phone and audit_search:
            # Who looked up which caller's tickets (PIPL art. 51): the number is masked.
            audit.record("ticket.search_by_phone", actor=user, contract=cleaned.get("contract"),
                         object_type="servicedesk.ticket", object_repr=mask_phone(phone),
                         detail={"phone": mask_phone(phone)})

    sort = (values("sort") or [DEFAULT_SORT])[0]
    if sort not in SORTS:
        errors["sort"] = _("可选：%(allowed)s") % {"allowed": ", ".join(SORTS)}
        sort = DEFAULT_SORT
    cleaned["sort"] = sort
    tickets = tickets.order_by(*SORTS[sort])
    return TicketQuery(tickets, errors, cleaned)


def _keyword(keyword: str, user) -> Q:
    """A ticket number goes straight to its index; otherwise subject words, requester
    name and phone. The list masks phones, but a caller's number still finds their
    tickets for those who may see it in clear (REVEAL_PERSONAL_DATA on the ticket's
    contract): for anyone else a match would tell the hidden digits, one guess at a time."""
    upper = keyword.upper()
    if upper.startswith("SL-"):
        return Q(number__startswith=upper)
    condition = Q(subject__icontains=keyword) | Q(requester_name=keyword)
    phone = _phone_in(keyword)
    revealing = contract_ids_where(user, Capability.REVEAL_PERSONAL_DATA) if phone else []
    if revealing:
        condition |= Q(requester_phone=phone, contract_id__in=revealing)
    return condition


def _phone_in(keyword: str) -> str:
    """The phone number a search term is, as stored, or "" when it is not one.

    Phones are stored by tickets.normalise_phone: what is typed here goes through the
    same rule, so "139-1234-5678", "+86 139…" and "(0375) 123…" find them."""
    if keyword.upper().startswith("SL-") or not set(keyword) <= set("0123456789 -+()"):
        return ""
    try:
        digits = normalise_phone(keyword)
    except ValidationError:  # "--" or "()": no digit at all
        return ""
    return digits if len(digits) >= 7 else ""


COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a contract with a million tickets must not pay
    for an exact COUNT(*) on every page view. ``count_is_capped`` says "10,000+"."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP


@dataclass
class RowsPage:
    """One page of rows without counting the whole result: the list shows the rows at
    once and fetches the (capped) count separately."""

    object_list: list
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 400  # 10,000 rows at 25 a page; beyond that, filter


def rows_page(tickets, page: int, size: int) -> RowsPage:
    """Rows of page ``page`` (parsed by core.params.parse_page), without counting them all."""
    number = max(1, min(page, MAX_PAGE))
    offset = (number - 1) * size
    rows = list(tickets[offset : offset + size + 1])
    return RowsPage(rows[:size], number, size, len(rows) > size)


def capped_count(tickets) -> int:
    return tickets.order_by()[: COUNT_CAP + 1].count()
