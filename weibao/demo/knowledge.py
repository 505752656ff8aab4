"""Demo knowledge base: the government-service articles the search evaluation also uses."""

from __future__ import annotations

import json
from pathlib import Path

import weibao.knowledge
from weibao.knowledge.models import Article
from weibao.knowledge.services.articles import create_article

ARTICLES_FILE = Path(weibao.knowledge.__file__).parent / "data" / "articles.json"


def articles() -> list[dict]:
    return json.loads(ARTICLES_FILE.read_text(encoding="utf-8"))


def load(contracts: dict) -> None:

    seed = contracts["seed"]
    if Article.objects.filter(contract=seed).exists():
        return
    for index, article in enumerate(articles()):
        create_article(
            seed,
            title=article["title"],
            body=article["body"],
            tags=article.get("tags", []),
            visibility="public" if index % 3 else "internal",
            publish=True,
        )
