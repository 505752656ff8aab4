"""The 好差评 panel of the ticket page: the rating, and the form for whoever may rate."""

from __future__ import annotations

from weibao.feedback import services
from weibao.feedback.models import Level, Rating


def ticket_rating_panel(user, ticket) -> dict:
    return {
        "template": "feedback/_ticket_rating.html",
        "rating": Rating.objects.filter(ticket=ticket).first(),
        "can_rate": services.may_rate(user, ticket),
        "levels": Level.choices,
    }
