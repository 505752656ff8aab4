"""Learning from use (issue 18): which article people opened and used for a question
raises that article for later, similar questions on the same contract; and the questions
that found nothing, for the project manager.

Bounded on purpose. A question is "similar" when its search words overlap a past
question's by at least ``SIMILAR`` (Jaccard). Evidence for an article is the number of
distinct people who used it for similar questions (an open counts ``OPENED_WEIGHT``),
times the similarity; the boost is a fraction of the best text score that saturates at
``MAX_BOOST``. So one click (evidence 1) adds at most ~24 % of the best score: it reorders
close candidates but cannot lift an unrelated article over a clear match, and an article
the question's words do not match at all is only brought in by ``MIN_PEOPLE`` people.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.knowledge import text
from weibao.knowledge.models import SearchLog, SearchUse

SIMILAR = 0.5
MAX_BOOST = 0.6
#: Evidence at which the boost reaches 1 - 1/e of MAX_BOOST.
SCALE = 2.0
OPENED_WEIGHT = 0.25
WEIGHTS = {SearchUse.Action.USED: 1.0, SearchUse.Action.HELPFUL: 1.0, SearchUse.Action.OPENED: OPENED_WEIGHT}
#: Distinct people needed before an article the question's words do not match is shown.
MIN_PEOPLE = 2
#: Only the most recent uses are read (per contract).
MAX_PAIRS = 5000

_lock = threading.Lock()
_cache: dict[int, tuple[int, list]] = {}


#: Long digit runs in a question are ID card or phone numbers callers typed: never kept.
_NUMBERS = re.compile(r"\d{7,}[\dxX]?")


def clean_query(q: str) -> str:
    return _NUMBERS.sub("***", (q or "").strip())[:200]


def normalize_query(q: str) -> str:
    return " ".join(text.normalize(q).split())[:200]


def _grams(normalized: str) -> frozenset[str]:
    """What a question is about, to compare questions: its search words without question
    and filler words (咋办 and 怎么办 alike), or its bigrams when it has none."""
    words = frozenset(w for w in text.words(normalized) if w not in text.FILLER_WORDS)
    return words or frozenset(text.bigrams(normalized)) or frozenset([normalized])


def record_search(contract, q: str, *, source: str, hits: int) -> None:
    q = clean_query(q)
    if q:
        SearchLog.objects.create(contract=contract, query=q, normalized=normalize_query(q), source=source, hits=hits)


def record_use(contract, q: str, article, *, action: str, actor: str) -> bool:
    """Remember that ``actor`` opened or used ``article`` for ``q`` on ``contract``; the
    same person, question, article and action count once. The caller has checked that
    the article may be read on ``contract``."""
    q = clean_query(q)
    if not q or not actor:
        return False
    try:
        with transaction.atomic():
            SearchUse.objects.create(
                contract=contract, query=q, normalized=normalize_query(q), article=article,
                action=action, actor=actor[:64],
            )
    except IntegrityError:
        return False
    return True


def _pairs(contract_id: int) -> list[tuple[frozenset, dict[int, float]]]:
    """Per past question of the contract: its bigrams and, per article, the weighted
    number of distinct people who used it (cached per process until a new use)."""
    latest = SearchUse.objects.filter(contract_id=contract_id).aggregate(m=Max("id"))["m"] or 0
    cached = _cache.get(contract_id)
    if cached is not None and cached[0] == latest:
        return cached[1]
    evidence: dict[str, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        SearchUse.objects.filter(contract_id=contract_id)
        .order_by("-id")
        .values_list("normalized", "article_id", "action", "actor")[:MAX_PAIRS]
    )
    for normalized, article_id, action, actor in rows:
        per_actor = evidence[normalized][article_id]
        # A person counts once per question and article, by their strongest action.
        per_actor[actor] = max(per_actor.get(actor, 0.0), WEIGHTS.get(action, 0.0))
    pairs = [
        (_grams(normalized), {a: sum(people.values()) for a, people in articles.items()})
        for normalized, articles in evidence.items()
    ]
    with _lock:
        _cache[contract_id] = (latest, pairs)
    return pairs


def boosts_for(contract_id: int, q: str) -> dict[int, tuple[float, bool]]:
    """article id -> (fraction of the best text score to add, whether the article may be
    added although the question's words do not match it)."""
    grams = _grams(normalize_query(q))
    evidence: dict[int, float] = defaultdict(float)
    for past, articles in _pairs(contract_id):
        union = len(grams | past)
        similarity = len(grams & past) / union if union else 0.0
        if similarity < SIMILAR:
            continue
        for article_id, people in articles.items():
            evidence[article_id] += similarity * people
    return {
        article_id: (MAX_BOOST * (1 - math.exp(-value / SCALE)), value >= MIN_PEOPLE)
        for article_id, value in evidence.items()
    }


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def misses(contract, *, by, days: int = 90, limit: int = 100):
    """What people searched for on ``contract`` and did not find, most asked first:
    [{"normalized", "query" (an example), "times", "last"}]. Only the project manager
    reads them, audited: citizens' questions may say who they are."""
    require(by, contract.pk, Capability.MANAGE_KNOWLEDGE)
    audit.record("knowledge.search_misses_viewed", actor=by, contract=contract,
                 object_type="knowledge.searchlog", detail={"days": days})
    since = clock.now() - timedelta(days=days)
    return list(
        SearchLog.objects.filter(contract=contract, hits=0, at__gte=since)
        .values("normalized")
        .annotate(times=Count("id"), last=Max("at"), query=Max("query"))
        .order_by("-times", "-last")[:limit]
    )


def unused(contract, *, by, days: int = 90, limit: int = 50):
    """Questions that found articles but none was ever opened or used for them."""
    require(by, contract.pk, Capability.MANAGE_KNOWLEDGE)
    since = clock.now() - timedelta(days=days)
    used = SearchUse.objects.filter(contract=contract).values("normalized")
    return list(
        SearchLog.objects.filter(contract=contract, hits__gt=0, at__gte=since)
        .exclude(normalized__in=used)
        .values("normalized")
        .annotate(times=Count("id"), last=Max("at"), query=Max("query"))
        .order_by("-times", "-last")[:limit]
    )
