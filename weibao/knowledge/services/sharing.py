"""Sharing a contract's articles with the other contracts its project manager works on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.contracts.scoping import member_contract_ids
from weibao.core import clock
from weibao.knowledge.models import KnowledgeShare
from weibao.knowledge.search import bump_index


def share_targets(user, owner):
    """The contracts ``user`` may share ``owner``'s articles with: the others they work on.

    Naming a contract one does not work on is refused exactly like naming one that does not
    exist, so sharing reveals nothing of other tenants."""
    return Contract.objects.filter(id__in=member_contract_ids(user)).exclude(pk=owner.pk).order_by("number")


def _require_sharer(user, owner) -> None:
    """The owning contract's project manager decides whom its articles are shared with."""
    if user is None:  # sharing is a person's decision, never the system's
        raise PermissionDenied(_("只有本合同的项目经理可以设置知识共享。"))
    require(user, owner.pk, Capability.MANAGE_KNOWLEDGE, _("只有本合同的项目经理可以设置知识共享。"))


def _target(user, owner, reader) -> Contract:
    reader_id = getattr(reader, "pk", None)
    target = share_targets(user, owner).filter(pk=reader_id).first() if reader_id else None
    if target is None:
        raise ValidationError({"reader": _("请选择您参与的其他合同。")})
    return target


@transaction.atomic
def share_knowledge(owner, reader, *, by) -> KnowledgeShare:
    """Let ``reader`` read and find ``owner``'s articles marked shared (audited)."""
    _require_sharer(by, owner)
    reader = _target(by, owner, reader)
    share, created = KnowledgeShare.objects.get_or_create(
        owner=owner, reader=reader, defaults={"granted_by": by, "granted_at": clock.now()},
    )
    if created:
        bump_index(reader.pk)
        audit.record("knowledge.share_granted", obj=share, actor=by, contract=owner,
                     detail={"reader": reader.pk, "reader_number": reader.number})
    return share


@transaction.atomic
def unshare_knowledge(owner, reader, *, by) -> None:
    """Stop sharing ``owner``'s articles with ``reader`` (audited)."""
    _require_sharer(by, owner)
    reader_id = getattr(reader, "pk", None)
    share = KnowledgeShare.objects.filter(owner=owner, reader_id=reader_id).select_related("reader").first()
    if share is None:
        raise ValidationError({"reader": _("请选择您参与的其他合同。")})
    share.delete()
    bump_index(reader_id)
    audit.record("knowledge.share_revoked", actor=by, contract=owner, object_type="knowledge.knowledgeshare",
                 detail={"reader": reader_id, "reader_number": share.reader.number})
