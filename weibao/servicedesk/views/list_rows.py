"""The ticket list's rows, rendered in Python as Django's admin renders its change list
(``items_for_result``): a row has ten cells and a page up to 100 rows, and the template
engine spent ~160 µs a row resolving variables, filters and labels — half of the list
page's rendering (issue 19). The markup is the one ``servicedesk/list.html`` had; every
value goes through ``html.escape``, which escapes as Django's auto-escaping does.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from weibao.servicedesk.models import Priority, SlaClock, Status, Ticket, TicketType

_NO_VALUE = "—"
# What ``_row`` reads of a ticket (with its assignee), and so all the list loads: not the
# description, nor the requester's phone and e-mail, which would be read and decrypted for
# every row (two SM4 decryptions a row, unshown).
ROW_FIELDS = ("contract_id", "number", "subject", "type", "priority", "status", "requester_name",
              "assignee", "sla_state", "sla_due_at", "created_at", "urged_count")


def ticket_rows(tickets: list[Ticket], *, selectable: bool) -> SafeString:
    """``<tr>`` of each ticket; ``selectable`` adds the bulk-action checkbox. Each ticket
    carries ``shown_name``, the requester's name as the viewer may see it."""
    # One reverse for the page: the row's address differs from it only by the id.
    marker = str(2**31 - 1)
    before, after = reverse("servicedesk:detail", args=[marker]).split(marker)
    # Outside the f-string: makemessages does not see a gettext call inside one.
    urged_title, urged = escape(_("甲方督办")), escape(_("督办"))
    page = _Page(
        detail=(escape(before), escape(after)),
        select=escape(_("选择")),
        urged=f'<span class="badge prio-p1" title="{urged_title}">{urged}</span> ',
        # Labels in the active language, escaped once for the page.
        labels={field: {value: escape(str(label)) for value, label in choices} for field, choices in (
            ("type", TicketType.choices), ("priority", Priority.choices), ("status", Status.choices),
            ("sla_state", SlaClock.State.choices))},
    )
    return mark_safe("\n".join(_row(t, page, selectable) for t in tickets))  # noqa: S308 - every value escaped


class _Page:
    __slots__ = ("detail", "select", "urged", "labels")

    def __init__(self, *, detail, select, urged, labels):
        self.detail, self.select, self.urged, self.labels = detail, select, urged, labels


def _label(page: _Page, field: str, value: str) -> str:
    return page.labels[field].get(value) or escape(value)


def _row(t: Ticket, page: _Page, selectable: bool) -> str:
    number = escape(t.number)
    checkbox = (f'<td><input type="checkbox" name="ticket" value="{t.pk}" aria-label="{page.select} {number}"></td>'
                if selectable else "")
    if t.sla_state:
        due = f"<br><small>{_local(t.sla_due_at, with_year=False)}</small>" if t.sla_due_at and t.is_open else ""
        sla = f'<span class="sla sla-{escape(t.sla_state)}">{_label(page, "sla_state", t.sla_state)}</span>{due}'
    else:
        sla = _NO_VALUE
    priority = escape(t.priority)
    return (
        f'<tr class="prio-{priority}">\n  {checkbox}\n'
        f'  <td><a href="{page.detail[0]}{t.pk}{page.detail[1]}">{number}</a></td>\n'
        f"  <td>{page.urged if t.urged_count else ''}{escape(Truncator(t.subject).chars(40))}</td>\n"
        f"  <td>{_label(page, 'type', t.type)}</td>\n"
        f'  <td><span class="badge prio-{priority}">{_label(page, "priority", t.priority)}</span></td>\n'
        f"  <td>{_label(page, 'status', t.status)}</td>\n"
        f"  <td>{escape(t.shown_name or '')}</td>\n"
        f"  <td>{escape(str(t.assignee)) if t.assignee_id else _NO_VALUE}</td>\n"
        f"  <td>{sla}</td>\n"
        f"  <td>{_local(t.created_at, with_year=True)}</td>\n</tr>"
    )


def _local(moment, *, with_year: bool) -> str:
    """``moment`` in the shown time zone (Asia/Shanghai), as the template's ``date`` filter
    showed it: "Y-m-d H:i", or "m-d H:i"."""
    m = timezone.localtime(moment)
    day = f"{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"
    return f"{m.year:04d}-{day}" if with_year else day
