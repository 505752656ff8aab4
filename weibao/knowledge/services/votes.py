"""Readers' "was this helpful" votes on an article (有帮助 / 没帮助): one per member or
per portal visitor, counted on the article."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from weibao.core import clock
from weibao.knowledge.models import Article, ArticleVote


@transaction.atomic
def record_vote(article: Article, *, helpful: bool, user=None, session_key: str = "") -> bool:
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
