"""A form sent twice is one ticket: the key a form carries from when it was drawn.

A double submit (a shortcut and its accesskey), a retry after a network error or the same
form sent from a second tab all arrive with the same key; the first ticket made with it
is the answer to every later one. The unique constraint ``ticket_submitted_once``
(contract, creator, key) settles two requests that arrive together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.servicedesk.models import Ticket

FIELD = "submission_key"


def new_key() -> str:
    """A key for a form being drawn."""
    return str(uuid.uuid4())


def parse_key(raw) -> uuid.UUID | None:
    """The key a form sent; None when it sent none (a client that predates keys).

    Anything else than a UUID did not come from the form: refused by name.
    """
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        if len(text) > 36:
            raise ValueError(text)
        return uuid.UUID(text)
    except ValueError:
        raise ValidationError({FIELD: _("表单标识（submission_key）无效，请刷新页面后重新提交。")}) from None


def _earlier(contract, by, key: uuid.UUID) -> Ticket | None:
    return Ticket.objects.filter(contract=contract, created_by=by, submission_key=key).first()


def once(contract, *, by, key: uuid.UUID | None, create: Callable[[], Ticket]) -> tuple[Ticket, bool]:
    """``(ticket, created)``: the ticket ``by`` already made on ``contract`` with ``key``,
    else the one ``create()`` makes (it must save the ticket with ``submission_key=key``).

    ``create`` runs in a savepoint: when a concurrent request with the same key won the
    insert, everything ``create`` did is undone (its ticket number included, so numbers
    stay gap-free) and the winner's ticket is returned.
    """
    if key is None:
        return create(), True
    earlier = _earlier(contract, by, key)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        earlier = Ticket.objects.filter(contract=contract, created_by=by, submission_key=key).first()
        if earlier is None:  # another constraint failed: not ours to hide
            raise
        return earlier, False
