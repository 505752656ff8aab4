"""Knowledge-base articles (知识库), their version history and pending revisions, readers'
"was this helpful" votes, and synonym groups for search."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import (
    ContractScopedModel,
    ContractScopedQuerySet,
    member_contract_ids,
)
from weibao.core import clock


class ArticleQuerySet(ContractScopedQuerySet):
    def visible_to(self, user):
        """Articles of the user's contracts, plus those another contract marked shared and
        explicitly shares with one of them (``KnowledgeShare``)."""
        ids = member_contract_ids(user)
        if not ids:
            return self.none()
        return self.readable_on(ids)

    def readable_on(self, contract_ids):
        """What may be read on these contracts: their own articles, and the articles marked
        shared of each contract whose project manager shares its knowledge with them.

        The one rule for staff pages, the API, search and the portal. It never looks at
        the vendor's name (乙方 ``party_b``): that is free text an administrator edits."""
        ids = list(contract_ids)
        owners = KnowledgeShare.objects.filter(reader_id__in=ids).values("owner_id")
        return self.filter(Q(contract_id__in=ids) | Q(shared=True, contract_id__in=owners))

    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def public(self):
        """What the portal may show to citizens and business staff without an account."""
        return self.filter(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)


class Article(ContractScopedModel):
    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("内部")
        PUBLIC = "public", _("公开（门户可见）")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    visibility = models.CharField(
        _("可见范围"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    shared = models.BooleanField(
        _("共享给其他合同"),
        default=False,
        help_text=_("勾选后，本合同项目经理在“知识共享”中指定的合同也能检索到这篇文章。"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    helpful_count = models.PositiveIntegerField(_("有帮助"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("没帮助"), default=0)
    # The resolved ticket this article was written from (services.article_from_ticket).
    source_ticket = models.ForeignKey(
        "servicedesk.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源工单"),
    )
    # Segmented terms per field, computed on save so that building the in-memory index
    # never runs the segmenter over the whole corpus (see search.py).
    search_terms = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["contract", "status"])]

    def __str__(self) -> str:
        return self.title


class ArticleVersionQuerySet(ContractScopedQuerySet):
    contract_lookup = "article__contract"


class ArticleVersion(models.Model):
    """One saved state of an article: who saved it, when, and what it said.

    Versions are never changed. While an article is published, its row holds the live
    text; a newer version saved as a draft is the pending revision (修订) that replaces
    the live text only when it is published (see services.pending_revision).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Article.Status.choices)
    # Empty / null on versions saved before these were recorded: the article's own values apply.
    visibility = models.CharField(
        _("可见范围"), max_length=16, choices=Article.Visibility.choices, blank=True, default=""
    )
    shared = models.BooleanField(_("共享"), null=True, blank=True)
    restored_from = models.PositiveIntegerField(_("恢复自版本"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=clock.now)

    objects = ArticleVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]


class ArticleVoteQuerySet(ContractScopedQuerySet):
    contract_lookup = "article__contract"


class ArticleVote(models.Model):
    """One reader's answer to "这篇文章有帮助吗": a member votes once per article (a later
    answer replaces it), a portal visitor once per browser session."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True, default="")
    helpful = models.BooleanField()
    voted_at = models.DateTimeField(default=clock.now)

    objects = ArticleVoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="article_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=~Q(session_key=""),
                name="article_vote_one_per_session",
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(session_key=""))
                | (Q(user__isnull=True) & ~Q(session_key="")),
                name="article_vote_has_one_voter",
            ),
        ]


class Synonym(ContractScopedModel):
    """A group of words that mean the same to callers (U盾 = 数字证书 = CA证书)."""

    terms = models.JSONField(_("同义词"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")
        ordering = ["id"]

    def __str__(self) -> str:
        return " / ".join(self.terms)


class KnowledgeShare(models.Model):
    """The owning contract's project manager shares its articles marked shared with
    ``reader``: an explicit, audited decision (services.share_knowledge), one way only."""

    owner = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="knowledge_shares_given",
        verbose_name=_("共享方合同"),
    )
    reader = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="knowledge_shares_received",
        verbose_name=_("可查看的合同"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("知识共享")
        verbose_name_plural = _("知识共享")
        ordering = ["owner_id", "reader_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reader"], name="knowledge_share_once"),
            models.CheckConstraint(condition=~Q(owner=models.F("reader")), name="knowledge_share_not_to_itself"),
        ]


class SearchGeneration(models.Model):
    """Bumped whenever what a contract may find changes, so every process knows its cached
    index is stale with one small indexed read (works the same on SQLite and PostgreSQL).
    ``key`` is the contract's id (each contract has its own index)."""

    key = models.CharField(max_length=200, unique=True)
    generation = models.PositiveBigIntegerField(default=0)


class SearchLog(ContractScopedModel):
    """One question asked on the knowledge page, the portal or the API, and how many
    articles it found: the project manager's list of what people looked for and did not
    find (the next articles to write). The hotline's as-you-type suggestions are not
    logged: their prefixes would bury the real questions."""

    class Source(models.TextChoices):
        STAFF = "staff", _("知识库页面")
        HOTLINE = "hotline", _("热线")
        PORTAL = "portal", _("门户")
        API = "api", _("接口")

    query = models.CharField(_("问题"), max_length=200)
    normalized = models.CharField(max_length=200, db_index=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    hits = models.PositiveIntegerField(_("结果数"), default=0)
    at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("知识搜索记录")
        verbose_name_plural = _("知识搜索记录")
        ordering = ["-at", "-id"]


class SearchUse(ContractScopedModel):
    """An article someone opened or used for a question: the agent's "用这篇回答", the
    citizen's "有帮助", or an open from the results. Later, similar questions on the same
    contract rank it higher (``services.learning``). One row per person, question, article
    and action, so clicking twice counts once."""

    class Action(models.TextChoices):
        OPENED = "opened", _("打开")
        USED = "used", _("用于答复")
        HELPFUL = "helpful", _("有帮助")

    query = models.CharField(_("问题"), max_length=200)
    normalized = models.CharField(max_length=200)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    #: Who: "u<user id>" for staff, "s<portal session key>" for citizens.
    actor = models.CharField(max_length=64)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("知识使用记录")
        verbose_name_plural = _("知识使用记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "normalized", "article", "action", "actor"], name="knowledge_use_once"
            ),
        ]
        indexes = [models.Index(fields=["contract", "id"], name="knowledge_use_contract")]
