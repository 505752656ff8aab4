"""Knowledge-base pieces other apps' pages show: "生成知识文章" on a ticket page."""

from __future__ import annotations

from django import template

from weibao.knowledge import access
from weibao.knowledge.models import Article
from weibao.knowledge.services import from_ticket
from weibao.servicedesk import probes

register = template.Library()


@register.inclusion_tag("knowledge/_from_ticket_button.html", takes_context=True)
def article_from_ticket_button(context, ticket):
    """The button, for members who may write articles, on a resolved or closed ticket."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = from_ticket.ticket_can_become_article(ticket) and access.can_write(user, ticket.contract_id)
    # Articles already written from this ticket, so that nobody writes the same one twice.
    written = (
        Article.objects.for_contract(ticket.contract).filter(source_ticket=ticket).order_by("id")
        if show and probes.has(ticket, "articles")
        else []
    )
    return {
        "show": show,
        "ticket": ticket,
        "written": written,
        "csrf_token": context.get("csrf_token"),
    }
