"""The 好差评 panel of the ticket page: the rating, and the form for whoever may rate."""

from __future__ import annotations

from django.db.models import QuerySet

from weibao.feedback.models import Level, Rating
from weibao.feedback.services import ratings
from weibao.servicedesk import probes


def ratings_of(ticket_id: int) -> QuerySet:
    return Rating.objects.filter(ticket_id=ticket_id)


def ticket_rating_panel(user, ticket) -> dict:
    rating = Rating.objects.filter(ticket=ticket).first() if probes.has(ticket, "rating") else None
    return {
        "template": "feedback/_ticket_rating.html",
        "rating": rating,
        "can_rate": ratings.may_rate(user, ticket, existing=rating),  # read once, not twice
        "levels": Level.choices,
    }
