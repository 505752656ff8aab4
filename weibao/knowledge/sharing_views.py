"""The project manager's page for sharing the contract's articles with other contracts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.contracts.access import require, requires
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.core.params import parse_id
from weibao.knowledge.models import Article, KnowledgeShare
from weibao.knowledge.services.sharing import share_knowledge, share_targets, unshare_knowledge


def _reader(value) -> Contract | None:
    """The contract named by the form's ``reader`` id (``core.params``: ``²`` or ``２`` are
    not ids); None is refused by the service, naming the field."""
    pk = parse_id(value)
    return Contract(pk=pk) if pk else None


@requires(Capability.MANAGE_KNOWLEDGE)
@login_required
def sharing(request):
    contract = getattr(request, "contract", None)
    if contract is None:
        raise Http404
    require(request.user, contract.pk, Capability.MANAGE_KNOWLEDGE)
    errors = {}
    if request.method == "POST":
        reader = _reader(request.POST.get("reader"))
        try:
            if request.POST.get("revoke"):
                unshare_knowledge(contract, reader, by=request.user)
                messages.success(request, _("已停止共享。"))
            else:
                share_knowledge(contract, reader, by=request.user)
                messages.success(request, _("已共享。"))
        except ValidationError as exc:
            errors = {field: " ".join(texts) for field, texts in exc.message_dict.items()}
        else:
            return redirect("knowledge:sharing")
    shares = KnowledgeShare.objects.filter(owner=contract).select_related("reader", "granted_by")
    shared_with = {share.reader_id for share in shares}
    return render(request, "knowledge/sharing.html", {
        "contract": contract,
        "shares": shares,
        "targets": [c for c in share_targets(request.user, contract) if c.pk not in shared_with],
        "shared_articles": Article.objects.filter(contract=contract, shared=True).count(),
        "errors": errors,
    }, status=400 if errors else 200)
