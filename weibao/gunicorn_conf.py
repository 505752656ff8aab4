"""gunicorn settings Weibao's processes share: ``gunicorn -c python:weibao.gunicorn_conf``."""

from __future__ import annotations


def post_worker_init(worker):
    """Build the per-process search tokenizer before the first request, not during it
    (jieba with the government-service dictionary takes seconds of CPU)."""
    from weibao.knowledge.text import tokenizer

    tokenizer()
