"""Prometheus metrics. With several processes set PROMETHEUS_MULTIPROC_DIR (see README)."""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "weibao_http_requests_total",
    "HTTP requests by route, method and status class",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "weibao_http_request_duration_seconds",
    "HTTP request latency by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
QUEUE_DEPTH = Gauge(
    "weibao_queue_pending_tasks",
    "Tasks waiting in the background queue",
    multiprocess_mode="max",
)


def render() -> tuple[bytes, str]:
    """Current metrics in Prometheus text format, refreshing the queue depth first."""
    from weibao.core.health import queue_depth

    depth = queue_depth()
    if depth is not None:
        QUEUE_DEPTH.set(depth)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
