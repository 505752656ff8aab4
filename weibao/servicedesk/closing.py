"""Conditions of apps above the service desk that a ticket must meet before it is closed
(e.g. the changes app: a ticket marked as touching the platform's data needs a linked,
valid data-access approval, clause 五.5). The service desk cannot import them: each
registers a check in its AppConfig.ready(), and ``tickets.transition`` runs them all
before a move to "closed"."""

from __future__ import annotations

from collections.abc import Callable

# check(ticket) -> raises django.core.exceptions.ValidationError naming its field, or returns.
CloseCheck = Callable[[object], None]
_checks: list[CloseCheck] = []


def register_close_check(check: CloseCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def check_closable(ticket) -> None:
    for check in _checks:
        check(ticket)
