"""Knowledge-base search quality: recall@1 and recall@3 on held-out Chinese questions.

Run: .venv/bin/python bench/knowledge_eval.py [--misses dev]

Loads weibao/knowledge/data/articles.json into an in-memory SQLite database through the real
services (segmentation, stored terms, index, synonyms, tenancy) and asks every question
in bench/data/kb_questions.json through ``weibao.knowledge.search.search``. Questions are
split: ``dev`` (about a third) may be looked at while tuning the dictionary, synonyms and
weights; ``test`` is held out and only its figures are read. ``dev2``
(bench/data/kb_questions_dev2.json, one or two more per article in other words) was
written later for tuning when ``dev`` had almost no misses left; ``dev3``
(kb_questions_dev3.json, four per article: title-like, colloquial, symptom and
near-duplicate wordings) was written for the next round of tuning, before its results were
seen. ``dev4`` (kb_questions_dev4.json, one per article, a few more for near-duplicates) was
written before that round's last changes and is a check, not a tuning set: look at its
figure, not its misses. A plain character-bigram overlap ranker is printed as the baseline.

The hard set (issue 18, bench/data/kb_hard.json) is printed after it: 66 government-service
articles in groups of near-duplicates (个体 vs 公司, 本地 vs 外地户籍, APP vs 网页 ...) on a
contract of their own, and 234 questions as people type or say them, labelled by kind
(colloquial, near_dup, everyday, homophone, long, slang, mixed) and split into ``tune`` and
``test``. Both splits were written before any tuning; only ``tune`` misses are looked at
(``--hard-misses tune``). Targets on ``test``: recall@3 >= 85 %, recall@1 >= 70 %, every
kind >= 75 % at 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))
os.environ["WEIBAO_MODE"] = "test"
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")


EXTRA_SETS = ("kb_questions_dev2.json", "kb_questions_dev3.json", "kb_questions_dev4.json")
SPLITS = ("dev", "dev2", "dev3", "dev4", "test", "all")


def setup_database():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load_corpus():
    from weibao.knowledge.services.articles import create_article
    from weibao.testing.factories import ContractFactory, MembershipFactory, UserFactory

    contract = ContractFactory()
    agent = UserFactory(username="eval_agent")
    MembershipFactory(contract=contract, user=agent, role="hotline_agent")
    from weibao.demo.knowledge import articles as demo_articles

    articles = demo_articles()
    ids = {}
    for item in articles:
        article = create_article(
            contract,
            title=item["title"],
            body=item["body"],
            tags=item["tags"],
            publish=True,
            by=agent,
        )
        ids[item["key"]] = article.pk
    return contract, agent, articles, ids


def bigram_baseline(articles):
    from weibao.knowledge.text import bigrams

    docs = [
        (item["key"], set(bigrams(item["title"] + " " + " ".join(item["tags"]) + item["body"])))
        for item in articles
    ]

    def rank(question: str) -> list[str]:
        grams = set(bigrams(question))
        scored = [(len(grams & doc), -i, key) for i, (key, doc) in enumerate(docs)]
        scored.sort(reverse=True)
        return [key for _, _, key in scored[:3]]

    return rank


def evaluate(questions, rank) -> dict[str, Counter]:
    figures: dict[str, Counter] = {}
    for q in questions:
        top = rank(q["question"])
        for split in (q["split"], "all"):
            c = figures.setdefault(split, Counter())
            c["n"] += 1
            c["r1"] += bool(top[:1] == [q["article"]])
            c["r3"] += q["article"] in top[:3]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", choices=SPLITS, help="list the misses")
    parser.add_argument("--hard-misses", choices=("tune",), help="list the hard set's tuning misses")
    args = parser.parse_args()
    setup_database()
    from weibao.knowledge.search import search

    contract, agent, articles, ids = load_corpus()
    key_of = {pk: key for key, pk in ids.items()}
    questions = json.loads((DATA / "kb_questions.json").read_text(encoding="utf-8"))
    # More tuning sets, written later in other words, when the earlier ones' misses ran out.
    for extra in EXTRA_SETS:
        questions += json.loads((DATA / extra).read_text(encoding="utf-8"))
    titles = {item["key"]: item["title"] for item in articles}

    def rank(question: str) -> list[str]:
        return [key_of[hit.id] for hit in search(agent, contract, question, limit=3)]

    print(f"{len(articles)} articles, {len(questions)} questions")
    print(f"{'ranker':<26}{'split':<6}{'n':>5}{'recall@1':>10}{'recall@3':>10}")
    for name, ranker in (
        ("bigram overlap (baseline)", bigram_baseline(articles)),
        ("weibao search", rank),
    ):
        figures = evaluate(questions, ranker)
        for split in SPLITS:
            c = figures[split]
            print(
                f"{name:<26}{split:<6}{c['n']:>5}{c['r1'] / c['n']:>10.1%}{c['r3'] / c['n']:>10.1%}"
            )
    if args.misses:
        for q in questions:
            if args.misses not in ("all", q["split"]):
                continue
            top = rank(q["question"])
            if top[:1] != [q["article"]]:
                mark = "miss@3" if q["article"] not in top else "miss@1"
                got = " | ".join(titles[k] for k in top)
                print(f"{mark} {q['question']} -> want {titles[q['article']]} ; got {got}")
    test = evaluate([q for q in questions if q["split"] == "test"], rank)["test"]
    ok = test["r1"] / test["n"] >= 0.85 and test["r3"] / test["n"] >= 0.95
    print("held-out targets (recall@1 >= 85 %, recall@3 >= 95 %):", "met" if ok else "NOT met")
    hard(agent, args.hard_misses)
    return 0


KINDS = ("colloquial", "near_dup", "everyday", "homophone", "long", "slang", "mixed")


def hard(agent, show_misses: str | None) -> None:
    from weibao.knowledge.search import search
    from weibao.knowledge.services.articles import create_article
    from weibao.testing.factories import ContractFactory, MembershipFactory

    data = json.loads((DATA / "kb_hard.json").read_text(encoding="utf-8"))
    contract = ContractFactory()
    MembershipFactory(contract=contract, user=agent, role="hotline_agent")
    ids = {}
    for item in data["articles"]:
        article = create_article(
            contract, title=item["title"], body=item["body"], tags=item["tags"], publish=True, by=agent
        )
        ids[item["key"]] = article.pk
    key_of = {pk: key for key, pk in ids.items()}
    titles = {item["key"]: item["title"] for item in data["articles"]}
    baseline = bigram_baseline(data["articles"])

    def rank(question: str) -> list[str]:
        return [key_of[hit.id] for hit in search(agent, contract, question, limit=3)]

    print(f"\nhard set: {len(data['articles'])} articles, {len(data['questions'])} questions")
    print(f"{'ranker':<26}{'split':<6}{'kind':<12}{'n':>5}{'recall@1':>10}{'recall@3':>10}")
    for name, ranker in (("bigram overlap (baseline)", baseline), ("weibao search", rank)):
        figures: dict[tuple[str, str], Counter] = {}
        for q in data["questions"]:
            top = ranker(q["question"])
            for key in ((q["split"], q["kind"]), (q["split"], "overall")):
                c = figures.setdefault(key, Counter())
                c["n"] += 1
                c["r1"] += bool(top[:1] == [q["article"]])
                c["r3"] += q["article"] in top[:3]
                if name != "bigram overlap (baseline)" and show_misses == q["split"] == key[0] and key[1] != "overall" and top[:1] != [q["article"]]:
                    got = " | ".join(titles[k] for k in top)
                    mark = "miss@3" if q["article"] not in top else "miss@1"
                    print(f"  {mark} [{q['kind']}] {q['question']} -> want {titles[q['article']]} ; got {got}")
        for split in ("tune", "test"):
            for kind in (*KINDS, "overall"):
                c = figures.get((split, kind))
                if not c:
                    continue
                print(f"{name:<26}{split:<6}{kind:<12}{c['n']:>5}{c['r1'] / c['n']:>10.1%}{c['r3'] / c['n']:>10.1%}")
        if name == "weibao search":
            test = figures[("test", "overall")]
            kinds_ok = all(figures[("test", k)]["r3"] / figures[("test", k)]["n"] >= 0.75 for k in KINDS)
            ok = test["r1"] / test["n"] >= 0.70 and test["r3"] / test["n"] >= 0.85 and kinds_ok
            print("hard test targets (recall@1 >= 70 %, recall@3 >= 85 %, each kind >= 75 % @3):",
                  "met" if ok else "NOT met")


if __name__ == "__main__":
    raise SystemExit(main())
