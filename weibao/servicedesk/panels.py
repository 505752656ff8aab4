"""What apps above the service desk show on the ticket page (the 好差评 rating, later the
visits and changes of a ticket). The service desk cannot import them: each registers a
provider in its AppConfig.ready(), and the ticket page includes the panels in order."""

from __future__ import annotations

from collections.abc import Callable

# provider(user, ticket) -> a panel dict with a "template" key, or None to show nothing.
TicketPanelProvider = Callable[[object, object], dict | None]
_providers: list[TicketPanelProvider] = []


def register_ticket_panel(provider: TicketPanelProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def ticket_panels(user, ticket) -> list[dict]:
    return [panel for provider in _providers if (panel := provider(user, ticket)) is not None]
