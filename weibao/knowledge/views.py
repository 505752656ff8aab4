"""Knowledge-base pages: list and live search, article, editor, revisions and history,
an article from a resolved ticket, "was this helpful" (also for the portal), synonyms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import require, requires
from weibao.contracts.roles import Capability
from weibao.core.params import BadParameter, page_of
from weibao.knowledge import access
from weibao.knowledge.forms import ArticleForm, SynonymForm
from weibao.knowledge.models import Article, ArticleVersion, SearchLog, SearchUse, Synonym
from weibao.knowledge.rendering import render_markdown
from weibao.knowledge.search import search
from weibao.knowledge.services import articles, from_ticket, learning, synonyms, votes
from weibao.knowledge.text import default_synonym_groups


def _current_contract(request, capability: str | None = None):
    contract = getattr(request, "contract", None)
    if contract is None:
        raise Http404(_("您还不是任何合同的成员。"))
    if capability is not None:
        require(request.user, contract.pk, capability)
    return contract


@requires(Capability.VIEW_CONTRACT)
@login_required
def article_list(request):
    contract = _current_contract(request)
    q = request.GET.get("q", "").strip()[:200]
    hits = search(request.user, contract, q) if q else None
    if q and not request.headers.get("HX-Request"):
        # A submitted question (not each keystroke of the live search) for the PM's misses.
        learning.record_search(contract, q, source=SearchLog.Source.STAFF, hits=len(hits))
    context = {
        "contract": contract,
        "q": q,
        "hits": hits,
        "can_write": access.can_write(request.user, contract.pk),
        "can_manage_synonyms": access.can_manage(request.user, contract.pk),
    }
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_results.html", context)
    readable = access.readable_articles(request.user).filter(contract=contract).order_by("-updated_at", "-id")
    context["page"] = page_of(request, readable, 30)
    return render(request, "knowledge/list.html", context)


@requires(Capability.VIEW_CONTRACT)
@login_required
def article_detail(request, pk: int):
    article = access.article_for(request.user, pk)
    can_write = access.can_write(request.user, article.contract_id)
    q = request.GET.get("q", "").strip()[:200]
    contract = getattr(request, "contract", None)
    if q and contract is not None and _readable_on(article, contract):
        # Opened from the results of ``q``: weak evidence for later, similar questions.
        learning.record_use(contract, q, article, action=SearchUse.Action.OPENED, actor=f"u{request.user.pk}")
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            # Versions hold unpublished text: only the team that writes sees them.
            "versions": article.versions.select_related("saved_by")[:20] if can_write else [],
            "revision": articles.pending_revision(article) if can_write else None,
            "live_number": articles.live_version_number(article) if can_write else None,
            "my_vote": votes.vote_of(article, user=request.user),
            "source_ticket": from_ticket.visible_source_ticket(article, request.user),
            "can_write": can_write,
        },
    )


@requires(Capability.VIEW_CONTRACT)
@login_required
@require_POST
def article_vote(request, pk: int):
    article = get_object_or_404(access.readable_articles(request.user).published(), pk=pk)
    helpful = request.POST.get("helpful") == "1"
    votes.record_vote(article, helpful=helpful, user=request.user)
    if request.headers.get("HX-Request"):
        article.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
        return render(
            request, "knowledge/_vote_thanks.html", {"article": article, "my_vote": helpful}
        )
    messages.success(request, _("感谢您的反馈。"))
    return redirect("knowledge:detail", pk=article.pk)


def _form_values(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "tags": data["tags"],
        "visibility": data["visibility"],
        "shared": data["shared"],
    }


@requires(Capability.WRITE_ARTICLES)
@login_required
def article_create(request):
    contract = _current_contract(request, Capability.WRITE_ARTICLES)
    form = ArticleForm(request.POST or None, initial={"visibility": "internal"})
    if request.method == "POST" and form.is_valid():
        try:
            article = articles.create_article(
                contract, **_form_values(form), publish="publish" in request.POST, by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("文章已保存。"))
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "contract": contract})


def _writable(request, pk: int) -> Article:
    return access.article_for(request.user, pk, Capability.WRITE_ARTICLES)


@requires(Capability.WRITE_ARTICLES)
@login_required
def article_edit(request, pk: int):
    article = _writable(request, pk)
    working = articles.working_copy(article)
    initial = {**working, "tags": ", ".join(working["tags"])}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish = True if "publish" in request.POST else None
        if "unpublish" in request.POST:
            publish = False
        try:
            articles.update_article(article, **_form_values(form), publish=publish, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if publish is None and article.status == Article.Status.PUBLISHED:
                messages.success(
                    request, _("修订已保存为草稿。发布之前，读者看到的仍是当前已发布的版本。")
                )
            else:
                messages.success(request, _("已保存为新版本。"))
            return redirect("knowledge:detail", pk=article.pk)
    return render(
        request,
        "knowledge/form.html",
        {
            "form": form,
            "article": article,
            "contract": article.contract,
            "revision": articles.pending_revision(article),
        },
    )


@requires(Capability.WRITE_ARTICLES)
@login_required
def article_history(request, pk: int):
    article = _writable(request, pk)
    return render(
        request,
        "knowledge/history.html",
        {
            "article": article,
            "versions": article.versions.select_related("saved_by"),
            "live_number": articles.live_version_number(article),
            "revision": articles.pending_revision(article),
        },
    )


def _version(request, pk: int, number: int) -> tuple[Article, ArticleVersion]:
    article = _writable(request, pk)
    return article, get_object_or_404(article.versions.select_related("saved_by"), number=number)


@requires(Capability.WRITE_ARTICLES)
@login_required
def article_version(request, pk: int, number: int):
    article, version = _version(request, pk, number)
    revision = articles.pending_revision(article)
    content = articles.version_content(version, article)
    return render(
        request,
        "knowledge/version.html",
        {
            "article": article,
            "version": version,
            "content": content,
            "visibility_label": Article.Visibility(content["visibility"]).label,
            "body_html": render_markdown(version.body),
            "is_live": version.number == articles.live_version_number(article),
            "is_revision": revision is not None and revision.pk == version.pk,
        },
    )


@requires(Capability.WRITE_ARTICLES)
@login_required
def article_restore(request, pk: int, number: int):
    """GET asks for confirmation; POST starts a new draft from the version."""
    article, version = _version(request, pk, number)
    if request.method == "POST":
        articles.restore_version(article, version, by=request.user)
        if article.status == Article.Status.PUBLISHED:
            message = _("已根据 v%(n)d 生成新的修订草稿；发布之前，读者看到的仍是当前版本。")
        else:
            message = _("已根据 v%(n)d 生成新的草稿。")
        messages.success(request, message % {"n": version.number})
        return redirect("knowledge:edit", pk=article.pk)
    return render(
        request, "knowledge/restore_confirm.html", {"article": article, "version": version}
    )


@requires(Capability.WRITE_ARTICLES)
@login_required
@require_POST
def article_from_ticket(request, ticket_pk: int):
    """The "生成知识文章" button of a ticket page: a draft from the ticket, opened in the editor."""

    ticket = access.visible_ticket(request.user, ticket_pk)
    if ticket is None:
        raise Http404
    try:
        article = from_ticket.article_from_ticket(ticket, by=request.user)
    except ValidationError as exc:
        for problems in exc.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("servicedesk:detail", pk=ticket.pk)
    messages.success(
        request, _("已根据工单 %(number)s 生成文章草稿，请检查后发布。") % {"number": ticket.number}
    )
    return redirect("knowledge:edit", pk=article.pk)


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@requires(Capability.MANAGE_KNOWLEDGE)
@login_required
def synonym_groups(request):
    contract = _current_contract(request, Capability.MANAGE_KNOWLEDGE)
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            synonyms.save_synonyms(contract, form.cleaned_data["terms"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("同义词组已保存。"))
            return redirect("knowledge:synonyms")
    return render(
        request,
        "knowledge/synonyms.html",
        {
            "form": form,
            "contract": contract,
            "groups": Synonym.objects.for_contract(contract),
            "defaults": default_synonym_groups(),
        },
    )


@requires(Capability.MANAGE_KNOWLEDGE)
@login_required
@require_POST
def synonym_delete(request, pk: int):
    group = get_object_or_404(Synonym.objects.for_user(request.user), pk=pk)
    synonyms.delete_synonyms(group, by=request.user)
    messages.success(request, _("同义词组已删除。"))
    return redirect("knowledge:synonyms")


def _readable_on(article, contract) -> bool:
    return Article.objects.published().readable_on([contract.pk]).filter(pk=article.pk).exists()


@requires(Capability.VIEW_CONTRACT)
@login_required
@require_POST
def article_use(request, pk: int):
    """The hotline agent's "用这篇回答" (or a member's "有帮助") for the question ``q``:
    later, similar questions on this contract rank the article higher."""
    contract = _current_contract(request, Capability.VIEW_CONTRACT)
    article = get_object_or_404(access.readable_articles(request.user).published(), pk=pk)
    if not _readable_on(article, contract):
        raise Http404
    q = request.POST.get("q", "").strip()[:200]
    if not q:
        raise BadParameter("q", _("缺少问题内容。"))
    action = SearchUse.Action.HELPFUL if request.POST.get("action") == "helpful" else SearchUse.Action.USED
    learning.record_use(contract, q, article, action=action, actor=f"u{request.user.pk}")
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_used.html", {"article": article})
    messages.success(request, _("已记录：这篇文章将优先推荐给类似问题。"))
    return redirect("knowledge:detail", pk=article.pk)


@requires(Capability.MANAGE_KNOWLEDGE)
@login_required
def search_misses(request):
    """What people searched for and did not find: the next articles to write."""
    contract = _current_contract(request, Capability.MANAGE_KNOWLEDGE)
    return render(
        request,
        "knowledge/misses.html",
        {
            "contract": contract,
            "misses": learning.misses(contract, by=request.user),
            "unused": learning.unused(contract, by=request.user),
        },
    )
