"""What the knowledge base does: write, version, revise, restore, publish and rate
articles; draft them from resolved tickets; edit synonyms."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.contracts.scoping import member_contract_ids
from weibao.core import clock
from weibao.knowledge import access, text
from weibao.knowledge.models import Article, ArticleVersion, ArticleVote, KnowledgeShare, Synonym
from weibao.knowledge.search import bump_generation, bump_index
from weibao.servicedesk.models import Status, Ticket, TicketEntry

MAX_TAGS = 20


def clean_tags(tags) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise ValidationError({"tags": _("标签应为字符串列表。")})
    cleaned = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("标签最多 %(n)d 个。") % {"n": MAX_TAGS}})
    if any(len(t) > 40 for t in cleaned):
        raise ValidationError({"tags": _("每个标签最多 40 个字。")})
    return cleaned


def _index_terms(article: Article) -> None:
    contract_terms = Synonym.objects.filter(contract_id=article.contract_id).values_list(
        "terms", flat=True
    )
    text.ensure_words(term for group in contract_terms for term in group)
    article.search_terms = text.document_terms(article.title, article.tags, article.body)


EDITABLE_FIELDS = ("title", "body", "tags", "visibility", "shared")


def _snapshot(
    article: Article,
    user,
    *,
    content: dict | None = None,
    status: str | None = None,
    restored_from: int | None = None,
) -> ArticleVersion:
    """A new version: the article as it now stands, or ``content`` (a pending revision)."""
    content = content or {name: getattr(article, name) for name in EDITABLE_FIELDS}
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=content["title"],
        body=content["body"],
        tags=list(content["tags"]),
        visibility=content["visibility"],
        shared=bool(content["shared"]),
        status=status or article.status,
        restored_from=restored_from,
        saved_by=user if getattr(user, "is_authenticated", False) else None,
        saved_at=clock.now(),
    )


def _require_writer(user, contract) -> None:
    require(user, contract.pk, Capability.WRITE_ARTICLES, _("只有乙方团队成员可以编写知识库文章。"))


@transaction.atomic
def create_article(
    contract,
    *,
    title: str,
    body: str = "",
    tags=None,
    visibility: str = Article.Visibility.INTERNAL,
    shared: bool = False,
    publish: bool = False,
    by=None,
    source_ticket=None,
) -> Article:
    """A new article (draft unless ``publish``), with its first version."""
    _require_writer(by, contract)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写标题。")})
    if visibility not in Article.Visibility.values:
        raise ValidationError({"visibility": _("可见范围应为 internal 或 public。")})
    now = clock.now()
    article = Article(
        contract=contract,
        title=title,
        body=body or "",
        tags=clean_tags(tags),
        visibility=visibility,
        shared=bool(shared),
        status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
        published_at=now if publish else None,
        source_ticket=source_ticket,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        created_at=now,
        updated_at=now,
    )
    _index_terms(article)
    article.save()
    _snapshot(article, by)
    bump_generation(contract)
    after = {"title": article.title, "status": article.status, "visibility": visibility}
    if source_ticket is not None:
        after["source_ticket"] = source_ticket.number
    audit.record("knowledge.article_created", obj=article, actor=by, contract=contract, after=after)
    return article


def pending_revision(article: Article) -> ArticleVersion | None:
    """The revision (修订) of a published article saved but not yet published, if any.

    While an article is published its row holds the live text; versions saved as drafts
    after the last published one wait there until they are published.
    """
    if article.status != Article.Status.PUBLISHED:
        return None
    latest = article.versions.order_by("-number").first()
    if latest is None or latest.status != Article.Status.DRAFT:
        return None
    return latest


def live_version_number(article: Article) -> int | None:
    """The number of the version readers see now (None for an unpublished article)."""
    if article.status != Article.Status.PUBLISHED:
        return None
    published = article.versions.filter(status=Article.Status.PUBLISHED)
    return published.order_by("-number").values_list("number", flat=True).first()


def version_content(version: ArticleVersion, article: Article) -> dict:
    """What a version says; versions saved before visibility and sharing were recorded
    take the article's own."""
    return {
        "title": version.title,
        "body": version.body,
        "tags": list(version.tags),
        "visibility": version.visibility or article.visibility,
        "shared": article.shared if version.shared is None else version.shared,
    }


def working_copy(article: Article) -> dict:
    """What the editor opens: a published article's pending revision, else the article."""
    revision = pending_revision(article)
    if revision is not None:
        return version_content(revision, article)
    return {name: getattr(article, name) for name in EDITABLE_FIELDS}


def _clean_changes(changes: dict) -> dict:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    changes = dict(changes)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationError({"title": _("请填写标题。")})
    if "body" in changes:
        changes["body"] = changes["body"] or ""
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    if "visibility" in changes and changes["visibility"] not in Article.Visibility.values:
        raise ValidationError({"visibility": _("可见范围应为 internal 或 public。")})
    if "shared" in changes:
        changes["shared"] = bool(changes["shared"])
    return changes


def _lock(article: Article) -> None:
    # Two editors saving at once must not both take the next version number.
    list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk", flat=True))


def _summary(values) -> dict:
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return {"title": get("title"), "visibility": get("visibility")}


@transaction.atomic
def update_article(article: Article, *, by=None, publish: bool | None = None, **changes) -> Article:
    """Save an edit as a new version; ``publish=True`` publishes, ``False`` unpublishes.

    A draft changes at once. A published article keeps its live text — what the portal,
    search and hotline suggestions show — while an edit without ``publish`` is saved as
    its pending revision; ``publish=True`` makes that revision (with ``changes``) live.
    """
    return _save(article, by=by, publish=publish, changes=_clean_changes(changes))


def _save(
    article: Article, *, by, publish: bool | None, changes: dict, restored_from: int | None = None
) -> Article:
    _require_writer(by, article.contract)
    _lock(article)
    before = _summary(article) | {"status": article.status}
    detail = {"restored_from_version": restored_from} if restored_from else None
    if publish is None and article.status == Article.Status.PUBLISHED:
        content = working_copy(article) | changes
        revision = _snapshot(
            article, by, content=content, status=Article.Status.DRAFT, restored_from=restored_from
        )
        audit.record(
            "knowledge.article_updated",
            obj=article,
            actor=by,
            contract=article.contract,
            before=before,
            after=_summary(content) | {"status": "revision", "version": revision.number},
            detail=detail,
        )
        return article
    content = (working_copy(article) if publish else {}) | changes
    for field, value in content.items():
        setattr(article, field, value)
    now = clock.now()
    if publish is True:
        if article.status != Article.Status.PUBLISHED:
            article.published_at = now
        article.status = Article.Status.PUBLISHED
    elif publish is False:
        article.status = Article.Status.DRAFT
    article.updated_at = now
    _index_terms(article)
    # Only what an edit changes: readers' votes counted meanwhile must not be overwritten.
    article.save(
        update_fields=[*EDITABLE_FIELDS, "status", "published_at", "updated_at", "search_terms"]
    )
    version = _snapshot(article, by, restored_from=restored_from)
    bump_generation(article.contract)
    audit.record(
        "knowledge.article_updated",
        obj=article,
        actor=by,
        contract=article.contract,
        before=before,
        after=_summary(article) | {"status": article.status, "version": version.number},
        detail=detail,
    )
    return article


@transaction.atomic
def restore_version(article: Article, version: ArticleVersion, *, by) -> Article:
    """Start a new draft from an old version. A published article stays live as it is
    until that draft is published; a draft article takes the old text at once."""
    if version.article_id != article.pk:
        raise ValidationError({"version": _("该版本不属于这篇文章。")})
    return _save(
        article,
        by=by,
        publish=None,
        changes=version_content(version, article),
        restored_from=version.number,
    )


@transaction.atomic
def record_feedback(article: Article, *, helpful: bool, user=None, session_key: str = "") -> bool:
    """Record a reader's "was this helpful" answer; True when the counts changed.

    One answer per member (by account) or per portal visitor (by browser session): a
    later answer replaces the earlier one. No version, no reindex: ranking ignores it.
    """
    if getattr(user, "is_authenticated", False):
        voter = {"user": user}
    elif session_key:
        voter = {"session_key": session_key[:64]}
    else:
        raise ValueError("a vote needs a user or a session")
    vote = ArticleVote.objects.select_for_update().filter(article=article, **voter).first()
    if vote is not None and vote.helpful == helpful:
        return False
    if vote is None:
        try:
            with transaction.atomic():
                ArticleVote.objects.create(article=article, helpful=helpful, **voter)
        except IntegrityError:
            # The same reader's simultaneous click was stored first; one vote stands.
            return False
        _count(article, helpful, +1)
        return True
    vote.helpful = helpful
    vote.voted_at = clock.now()
    vote.save(update_fields=["helpful", "voted_at"])
    _count(article, helpful, +1)
    _count(article, not helpful, -1)
    return True


def _count(article: Article, helpful: bool, step: int) -> None:
    field = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: Greatest(F(field) + step, 0)})


def vote_of(article: Article, *, user=None, session_key: str = "") -> bool | None:
    """The reader's current answer (True helpful, False not), or None."""
    if getattr(user, "is_authenticated", False):
        votes = ArticleVote.objects.filter(article=article, user=user)
    elif session_key:
        votes = ArticleVote.objects.filter(article=article, session_key=session_key[:64])
    else:
        return None
    return votes.values_list("helpful", flat=True).first()


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8})(?!\d)"
)


def _without_personal_data(value: str, ticket) -> str:
    """The requester's name, phone and email, and any phone, ID or email number, removed
    (PIPL art. 6: an article needs the problem and its fix, not who had it)."""
    redacted = _("【已隐去】")
    value = (value or "").strip()
    for known in (ticket.requester_name, ticket.requester_phone, ticket.requester_email):
        known = (known or "").strip()
        if len(known) >= 2:
            value = value.replace(known, redacted)
    for pattern in (_EMAIL, _ID_NUMBER, _PHONE):
        value = pattern.sub(redacted, value)
    return value


def ticket_answers(ticket) -> list[str]:
    """The fix as the requester was told it: the vendor team's public replies and the
    resolution comments, oldest first (internal notes and the requester's own words are
    not part of it)."""

    entries = (
        ticket.entries.filter(public=True)
        .filter(
            Q(kind=TicketEntry.Kind.REPLY, author__in=access.team_user_ids(ticket.contract_id))
            | Q(kind=TicketEntry.Kind.TRANSITION, to_status=Status.RESOLVED)
        )
        .order_by("created_at", "id")
    )
    answers = (entry.body.strip() for entry in entries)
    return list(dict.fromkeys(answer for answer in answers if answer))


def ticket_can_become_article(ticket) -> bool:
    """Only a finished ticket has a known fix to write down."""

    return ticket.status in (Status.RESOLVED, Status.CLOSED)


@transaction.atomic
def article_from_ticket(ticket, *, by) -> Article:
    """A draft article from a resolved or closed ticket, linked to it.

    Title: the subject. Body: 问题 (the description) and 解决方法 (``ticket_answers``),
    without personal data. The caller has already checked the ticket is visible to ``by``.
    """
    _require_writer(by, ticket.contract)
    if not ticket_can_become_article(ticket):
        raise ValidationError(
            {
                "ticket": _("只有已解决或已关闭的工单才能生成知识文章，该工单当前为“%(status)s”。")
                % {"status": ticket.get_status_display()}
            }
        )
    # A double click (or a resent form) must not leave two drafts: the same writer's
    # draft from this ticket, made moments ago, is the answer again.
    recent = (
        Article.objects.filter(
            source_ticket=ticket, created_by=by, status=Article.Status.DRAFT,
            created_at__gte=clock.now() - dt.timedelta(minutes=2),
        )
        .order_by("-pk").first()
    )
    if recent is not None:
        return recent
    question = _without_personal_data(ticket.description, ticket)
    subject = _without_personal_data(ticket.subject, ticket)
    answers = [_without_personal_data(answer, ticket) for answer in ticket_answers(ticket)]
    parts = ["## " + _("问题"), "", question or subject, "", "## " + _("解决方法"), ""]
    parts += [answer + "\n" for answer in answers] or [_("（请补充解决方法。）")]
    return create_article(
        ticket.contract,
        title=subject[:200] or _("来自工单 %(number)s 的文章") % {"number": ticket.number},
        body="\n".join(parts).strip() + "\n",
        by=by,
        source_ticket=ticket,
    )


def _clean_terms(terms) -> list[str]:
    if isinstance(terms, str):
        terms = terms.replace("，", ",").replace("/", ",").replace("、", ",").split(",")
    if not isinstance(terms, list | tuple) or not all(isinstance(t, str) for t in terms):
        raise ValidationError({"terms": _("同义词应为字符串列表。")})
    cleaned = list(dict.fromkeys(text.normalize(t).strip() for t in terms if t.strip()))
    if len(cleaned) < 2:
        raise ValidationError({"terms": _("一组同义词至少要有两个词。")})
    if any(len(t) > 30 for t in cleaned):
        raise ValidationError({"terms": _("每个词最多 30 个字。")})
    return cleaned


@transaction.atomic
def save_synonyms(contract, terms, *, by, group: Synonym | None = None) -> Synonym:
    """Add or change a synonym group; articles that contain its words are re-segmented."""
    require(by, contract.pk, Capability.MANAGE_KNOWLEDGE, _("只有项目经理可以维护同义词。"))
    cleaned = _clean_terms(terms)
    before = list(group.terms) if group else None
    if group is None:
        group = Synonym(contract=contract, created_by=by)
    group.terms = cleaned
    group.updated_at = clock.now()
    group.save()
    _reindex_containing(contract, cleaned)
    audit.record(
        "knowledge.synonyms_saved",
        obj=group,
        actor=by,
        contract=contract,
        before={"terms": before} if before else None,
        after={"terms": cleaned},
    )
    return group


@transaction.atomic
def delete_synonyms(group: Synonym, *, by) -> None:
    require(by, group.contract_id, Capability.MANAGE_KNOWLEDGE, _("只有项目经理可以维护同义词。"))
    audit.record(
        "knowledge.synonyms_deleted",
        obj=group,
        actor=by,
        contract=group.contract,
        before={"terms": group.terms},
    )
    group.delete()


def _reindex_containing(contract, terms: list[str]) -> None:
    """New words change how text is cut; re-segment the articles that use them."""
    text.ensure_words(terms)
    match = Q()
    for term in terms:
        match |= Q(title__icontains=term) | Q(body__icontains=term)
    for article in Article.objects.for_contract(contract).filter(match):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
    bump_generation(contract)


def reindex_all() -> int:
    """Re-segment every article (after the user dictionary or field weights change)."""
    count = 0
    contract_ids = set()
    for article in Article.objects.iterator(500):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
        contract_ids.add(article.contract_id)
        count += 1
    for contract_id in contract_ids:
        bump_index(contract_id)
    for reader_id in KnowledgeShare.objects.filter(owner_id__in=contract_ids).values_list("reader_id", flat=True):
        bump_index(reader_id)
    return count


def visible_source_ticket(article, user):
    """The ticket an article was drafted from, when ``user`` may see that ticket: a
    shared article is read on other contracts, whose members must not learn of it."""
    if not article.source_ticket_id:
        return None

    return (
        Ticket.objects.restrict(user, Capability.VIEW_TICKETS)
        .filter(pk=article.source_ticket_id).only("pk", "number").first()
    )


# -- sharing across contracts ------------------------------------------------------------------


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
