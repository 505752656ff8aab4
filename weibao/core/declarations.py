"""How a view declares who may use it, read by the generated permission matrix
(tests/security/test_permissions.py). The capability declarations live beside the
capability table (``contracts.access.requires``); a public page is declared here, so the
lowest layers (core's health checks, accounts' login pages) can declare theirs too."""

from __future__ import annotations

from collections.abc import Callable


def public(reason: str) -> Callable:
    """Declare a view open to anyone (the portal, login) or to any signed-in user for
    their own things (their account pages), with why."""

    def mark(view):
        view.public_reason = reason
        return view

    return mark
