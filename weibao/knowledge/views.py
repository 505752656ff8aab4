"""Knowledge-base pages: list and live search, article, editor, history, synonyms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.roles import VENDOR_ROLES
from weibao.contracts.scoping import member_contract_ids
from weibao.knowledge import services
from weibao.knowledge.forms import ArticleForm, SynonymForm
from weibao.knowledge.models import Article, Synonym
from weibao.knowledge.rendering import render_markdown
from weibao.knowledge.search import search
from weibao.knowledge.text import default_synonym_groups


def _readable(user):
    """Published articles the user may read, and drafts of their own vendor team."""
    writer_contracts = member_contract_ids(user, roles=VENDOR_ROLES)
    return Article.objects.visible_to(user).filter(
        Q(status=Article.Status.PUBLISHED) | Q(contract_id__in=writer_contracts)
    )


def _current_contract(request):
    contract = getattr(request, "contract", None)
    if contract is None:
        raise Http404(_("您还不是任何合同的成员。"))
    return contract


@login_required
def article_list(request):
    contract = _current_contract(request)
    q = request.GET.get("q", "").strip()[:200]
    hits = search(request.user, contract, q) if q else None
    context = {
        "contract": contract,
        "q": q,
        "hits": hits,
        "can_write": services.can_write(request.user, contract),
        "can_manage_synonyms": services.can_manage_synonyms(request.user, contract),
    }
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_results.html", context)
    articles = _readable(request.user).filter(contract=contract).order_by("-updated_at", "-id")
    context["page"] = Paginator(articles, 30).get_page(request.GET.get("page"))
    return render(request, "knowledge/list.html", context)


@login_required
def article_detail(request, pk: int):
    article = get_object_or_404(_readable(request.user).select_related("contract"), pk=pk)
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "versions": article.versions.select_related("saved_by")[:20],
            "can_write": services.can_write(request.user, article.contract),
        },
    )


@login_required
@require_POST
def article_feedback(request, pk: int):
    article = get_object_or_404(_readable(request.user).published(), pk=pk)
    services.record_feedback(article, helpful=request.POST.get("helpful") == "1")
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_feedback_thanks.html")
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


@login_required
def article_create(request):
    contract = _current_contract(request)
    if not services.can_write(request.user, contract):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, initial={"visibility": "internal"})
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(
                contract, **_form_values(form), publish="publish" in request.POST, by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("文章已保存。"))
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "contract": contract})


@login_required
def article_edit(request, pk: int):
    article = get_object_or_404(_readable(request.user).select_related("contract"), pk=pk)
    if not services.can_write(request.user, article.contract):
        raise PermissionDenied
    initial = {
        "title": article.title,
        "body": article.body,
        "tags": ", ".join(article.tags),
        "visibility": article.visibility,
        "shared": article.shared,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish = True if "publish" in request.POST else None
        if "unpublish" in request.POST:
            publish = False
        try:
            services.update_article(article, **_form_values(form), publish=publish, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存为新版本。"))
            return redirect("knowledge:detail", pk=article.pk)
    return render(
        request,
        "knowledge/form.html",
        {"form": form, "article": article, "contract": article.contract},
    )


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def synonyms(request):
    contract = _current_contract(request)
    if not services.can_manage_synonyms(request.user, contract):
        raise PermissionDenied
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_synonyms(contract, form.cleaned_data["terms"], by=request.user)
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


@login_required
@require_POST
def synonym_delete(request, pk: int):
    group = get_object_or_404(Synonym.objects.for_user(request.user), pk=pk)
    services.delete_synonyms(group, by=request.user)
    messages.success(request, _("同义词组已删除。"))
    return redirect("knowledge:synonyms")
