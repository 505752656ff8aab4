"""What the knowledge base does: write, version, publish, rate articles; edit synonyms."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weibao import audit
from weibao.accounts.roles import VENDOR_ROLES, ContractRole
from weibao.contracts.services import roles_of
from weibao.core import clock
from weibao.knowledge import text
from weibao.knowledge.models import Article, ArticleVersion, Synonym
from weibao.knowledge.search import bump_generation

MAX_TAGS = 20


def can_write(user, contract) -> bool:
    """Only the vendor's own team writes articles (clause 十一.4: no outsiders)."""
    return bool(roles_of(user, contract) & VENDOR_ROLES)


def can_manage_synonyms(user, contract) -> bool:
    return ContractRole.PROJECT_MANAGER in roles_of(user, contract)


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


def _snapshot(article: Article, user) -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        tags=article.tags,
        status=article.status,
        saved_by=user if getattr(user, "is_authenticated", False) else None,
        saved_at=clock.now(),
    )


def _require_writer(user, contract) -> None:
    if user is not None and not can_write(user, contract):
        raise PermissionDenied(_("只有乙方团队成员可以编写知识库文章。"))


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
    source_ticket: int | None = None,
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
    bump_generation(contract.party_b)
    audit.record(
        "knowledge.article_created",
        obj=article,
        actor=by,
        contract=contract,
        after={"title": article.title, "status": article.status, "visibility": visibility},
    )
    return article


@transaction.atomic
def update_article(article: Article, *, by=None, publish: bool | None = None, **changes) -> Article:
    """Save an edit as a new version; ``publish=True`` publishes, ``False`` unpublishes."""
    _require_writer(by, article.contract)
    allowed = {"title", "body", "tags", "visibility", "shared"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知字段。")})
    before = {"title": article.title, "status": article.status, "visibility": article.visibility}
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationError({"title": _("请填写标题。")})
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    if "visibility" in changes and changes["visibility"] not in Article.Visibility.values:
        raise ValidationError({"visibility": _("可见范围应为 internal 或 public。")})
    for field, value in changes.items():
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
    article.save()
    _snapshot(article, by)
    bump_generation(article.contract.party_b)
    audit.record(
        "knowledge.article_updated",
        obj=article,
        actor=by,
        contract=article.contract,
        before=before,
        after={"title": article.title, "status": article.status, "visibility": article.visibility},
    )
    return article


def record_feedback(article: Article, *, helpful: bool) -> None:
    """Count one "was this helpful" answer (no version, no reindex: ranking ignores it)."""
    field = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


def article_from_ticket(ticket, *, by=None) -> Article:
    """A draft article from a resolved ticket: its subject as the title, the question and
    the replies as the body. Takes any object with ``contract``, ``subject``,
    ``description`` and ``replies`` (a manager or an iterable of objects with ``body``)."""
    replies = getattr(ticket, "replies", None)
    if hasattr(replies, "all"):
        replies = replies.all()
    parts = ["## " + _("问题"), "", (getattr(ticket, "description", "") or "").strip(), ""]
    answers = [(getattr(r, "body", "") or "").strip() for r in (replies or [])]
    answers = [a for a in answers if a]
    if answers:
        parts += ["## " + _("处理办法"), ""]
        parts += [a + "\n" for a in answers]
    return create_article(
        ticket.contract,
        title=(getattr(ticket, "subject", "") or "").strip() or _("来自工单的文章"),
        body="\n".join(parts).strip() + "\n",
        by=by,
        source_ticket=getattr(ticket, "pk", None),
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
    if not can_manage_synonyms(by, contract):
        raise PermissionDenied(_("只有项目经理可以维护同义词。"))
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
    if not can_manage_synonyms(by, group.contract):
        raise PermissionDenied(_("只有项目经理可以维护同义词。"))
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
    from django.db.models import Q

    match = Q()
    for term in terms:
        match |= Q(title__icontains=term) | Q(body__icontains=term)
    for article in Article.objects.for_contract(contract).filter(match):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
    bump_generation(contract.party_b)


def reindex_all() -> int:
    """Re-segment every article (after the user dictionary or field weights change)."""
    count = 0
    vendors = set()
    for article in Article.objects.select_related("contract").iterator(500):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
        vendors.add(article.contract.party_b)
        count += 1
    for vendor in vendors:
        bump_generation(vendor)
    return count
