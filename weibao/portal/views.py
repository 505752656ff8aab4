"""Public portal pages (no account): submit, follow, rate, search public articles."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from weibao.core.declarations import public
from weibao.core.flash import report_errors
from weibao.core.params import parse_positive_int
from weibao.feedback.models import Level, Rating
from weibao.feedback.services import ratings
from weibao.knowledge.models import Article
from weibao.knowledge.rendering import render_markdown
from weibao.knowledge.search import search_public
from weibao.knowledge.services import learning, votes
from weibao.portal import services
from weibao.portal.models import PortalSite
from weibao.servicedesk.models import TicketType


def _site(slug) -> PortalSite:
    return get_object_or_404(PortalSite.objects.select_related("contract"), slug=slug, enabled=True)


def _types():
    return [(value, TicketType(value).label) for value in services.PORTAL_TYPES]


@public("the public portal: anyone submits a request and searches public articles")
@never_cache
def home(request, slug):
    site = _site(slug)
    q = request.GET.get("q", "").strip()[:200]
    hits = search_public(site.contract, q, limit=10) if q else None
    if q and request.method == "GET":
        # What citizens looked for and did not find: the project manager's next articles.
        learning.record_search(site.contract, q, source="portal", hits=len(hits))
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        if not services.allowed(request, "submit"):
            errors["form"] = _("提交过于频繁，请稍后再试。")
        elif not services.check_challenge(request.session, request.POST.get("challenge", "")):
            errors["challenge"] = _("验证答案不正确，请重新计算。")
        else:
            try:
                ticket = services.submit(site, data=request.POST, files=request.FILES.getlist("files"))
            except ValidationError as error:
                errors = {field: " ".join(problems) for field, problems in error.message_dict.items()}
            else:
                services.remember(request.session, ticket)
                return render(request, "portal/submitted.html", {"site": site, "ticket": ticket})
    context = {
        "site": site, "q": q, "hits": hits, "errors": errors, "values": values,
        "types": _types(), "challenge": services.new_challenge(request.session),
    }
    return render(request, "portal/home.html", context, status=429 if "form" in errors else 200)


@public("the public portal: a requester finds their request by number and phone")
@never_cache
def track(request, slug):
    site = _site(slug)
    error = ""
    limited = False
    if request.method == "POST":
        if not services.allowed(request, "track"):
            limited = True
            error = _("查询过于频繁，请稍后再试。")
        else:
            ticket = services.find(site, request.POST.get("number", ""), request.POST.get("phone", ""))
            if ticket is None:
                error = _("没有找到该工单，请核对工单号和提交时填写的电话。")
            else:
                services.remember(request.session, ticket)
                return redirect("portal:ticket", slug=slug, number=ticket.number)
    return render(request, "portal/track.html", {"site": site, "error": error},
                  status=429 if limited else 200)


@public("the public portal: a request followed in this browser with its number and phone")
@never_cache
def ticket_view(request, slug, number):
    site = _site(slug)
    ticket = services.followed(request.session, site, number)
    if ticket is None:
        messages.info(request, _("请先输入工单号和电话查询。"))
        return redirect("portal:track", slug=slug)
    if request.method == "POST":
        level = parse_positive_int(request.POST.get("level"), "level", minimum=0) or 0
        try:
            # A signed-in vendor member is not the requester: the vendor rule applies.
            ratings.rate_on_portal(ticket, level, request.POST.get("comment", ""), user=request.user)
            messages.success(request, _("感谢您的评价！"))
        except ValidationError as error:
            report_errors(request, error)
        return redirect("portal:ticket", slug=slug, number=ticket.number)
    context = {
        "site": site, "ticket": ticket,
        "entries": ticket.entries.filter(public=True).exclude(kind="note"),
        "rating": Rating.objects.filter(ticket=ticket).first(),
        # The requester may still replace a rating the service desk relayed from a call.
        "can_rate": ratings.may_rate(request.user, ticket, on_portal=True),
        "levels": Level.choices,
    }
    return render(request, "portal/ticket.html", context)


@public("the public portal: public articles of the portal's contract")
@never_cache
def article(request, slug, pk):
    site = _site(slug)
    # The same rule as the portal search: this contract's public articles, and public
    # ones another contract explicitly shares with it.
    item = Article.objects.public().readable_on([site.contract.pk]).filter(pk=pk).first()
    if item is None:
        raise Http404
    # The question that led here, so "有帮助" teaches the search (services.learning).
    q = request.GET.get("q", "").strip()[:200]
    return render(
        request, "portal/article.html",
        {"site": site, "article": item, "body": render_markdown(item.body), "q": q},
    )


# The session key is kept as it was, so votes cast before the move still count once.
PORTAL_VOTER_KEY = "knowledge_voter"


@public("the public portal: one answer per browser session on a public article")
@require_POST
def article_vote(request, slug: str, pk: int):
    """A portal visitor's answer, one per browser session (no account on the portal).

    A plain form post back to the article (no HTMX: the staff partial posts to the
    login-only endpoint); an answer over the address's limit is not counted, and says so.
    """
    site = _site(slug)
    contract = site.contract
    # The portal's own rule: this contract's public articles and those shared with it.
    article = get_object_or_404(Article.objects.public().readable_on([contract.pk]), pk=pk)
    helpful = request.POST.get("helpful") == "1"
    # A script that drops its cookie gets a new session each time: limited by address too.
    if services.allowed(request, "vote"):
        voter = request.session.get(PORTAL_VOTER_KEY)
        if not voter:
            voter = request.session[PORTAL_VOTER_KEY] = secrets.token_hex(16)
        votes.record_vote(article, helpful=helpful, session_key=voter)
        q = request.POST.get("q", "").strip()[:200]
        if helpful and q:
            learning.record_use(contract, q, article, action="helpful", actor=f"s{voter}")
        messages.success(request, _("感谢您的反馈。"))
    else:
        messages.warning(request, _("来自您所在网络的反馈过于频繁，本次反馈未计入，请稍后再试。"))
    return redirect("portal:article", slug=site.slug, pk=article.pk)
