"""Knowledge-base articles: write, version, revise, restore and publish them, and keep
their search terms (segmented words) up to date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.knowledge import text
from weibao.knowledge.models import Article, ArticleVersion, KnowledgeShare, Synonym
from weibao.knowledge.search import bump_generation, bump_index

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


def require_writer(user, contract) -> None:
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
    require_writer(by, contract)
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
    require_writer(by, article.contract)
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
