"""Demo knowledge base: the government-service articles the search evaluation also uses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import weibao.knowledge
from weibao.core import clock
from weibao.knowledge.models import Article, SearchLog
from weibao.knowledge.services.articles import create_article
from weibao.knowledge.services.learning import normalize_query

ARTICLES_FILE = Path(weibao.knowledge.__file__).parent / "data" / "articles.json"


def articles() -> list[dict]:
    return json.loads(ARTICLES_FILE.read_text(encoding="utf-8"))


#: Articles written for the vendor's engineers (运维人员), not for citizens: the SMS gateway,
#: TLS renewal, the licence interface and pushing 好差评 data upstream.
RUNBOOKS = {"a57", "a58", "a59", "a60"}


def is_runbook(article: dict) -> bool:
    """An operations runbook stays internal; every citizen FAQ is public on the portal."""
    return article["key"] in RUNBOOKS or "运维" in article.get("tags", []) or "（运维）" in article["title"]


def load(contracts: dict) -> None:

    seed = contracts["seed"]
    _search_log(seed)
    if Article.objects.filter(contract=seed).exists():
        return
    for article in articles():
        create_article(
            seed,
            title=article["title"],
            body=article["body"],
            tags=article.get("tags", []),
            visibility="internal" if is_runbook(article) else "public",
            publish=True,
        )


#: Questions asked on the portal and the knowledge page that found nothing (days ago), so
#: the project manager's /knowledge/searches/ has something to show.
DEMO_MISSES = [("电子发票红冲怎么操作", 1), ("电子发票红冲怎么操作", 3), ("良民证在哪开", 2), ("长寿金怎么领", 6)]


def _search_log(seed) -> None:
    if SearchLog.objects.filter(contract=seed).exists():
        return
    now = clock.now()
    SearchLog.objects.bulk_create(
        SearchLog(contract=seed, query=q, normalized=normalize_query(q), source=SearchLog.Source.PORTAL,
                  hits=0, at=now - timedelta(days=days))
        for q, days in DEMO_MISSES
    )
