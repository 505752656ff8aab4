"""Cross-cutting request plumbing: metrics, request context, database outages, untrusted input."""

from __future__ import annotations

import json
import logging
import time

from django.utils.translation import gettext as _

from weibao.core import request_context
from weibao.core.metrics import LATENCY, REQUESTS
from weibao.core.params import (
    CONTROL_CHARACTERS,
    MAX_JSON_DEPTH,
    BadParameter,
    bad_parameter_response,
    json_depth,
)

log = logging.getLogger(__name__)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else None) or "unmatched"
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, f"{response.status_code // 100}xx").inc()
        return response


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = request_context.from_request(request)
        request.request_id = ctx.request_id
        token = request_context.set_current(ctx)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage inside a view into a clean 503 (see core.views.server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from weibao.core.views import is_database_outage, outage_response

        if is_database_outage(exception):
            # Logged with its cause: an outage and, say, a deadlock both answer 503, and
            # only the log tells them apart.
            log.warning("database error answered 503: %s %s: %s", request.method, request.path,
                        exception, exc_info=exception)
            return outage_response(request)
        return None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_problem(value, path: str) -> str | None:
    """The path of the first string (key or value) holding a control character."""
    if isinstance(value, str):
        return path if CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if CONTROL_CHARACTERS.search(key):
                return where
            found = _json_problem(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_problem(item, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None


def _control_message() -> str:
    return _("含有不允许的控制字符（如 NUL）。")


def untrusted_input_problem(request) -> BadParameter | None:
    """The first value of the request that no view should see: a control character in
    the path, a query or form value (names included; file names, not file contents), or
    a JSON body nested past MAX_JSON_DEPTH or holding a control character."""
    if CONTROL_CHARACTERS.search(request.path):
        return BadParameter("path", _control_message())
    sources = [request.GET]
    content_type = request.content_type or ""
    if request.method not in ("GET", "HEAD") and content_type in FORM_TYPES:
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(v) for v in values):
                return BadParameter(CONTROL_CHARACTERS.sub("?", name)[:100], _control_message())
    if content_type == "multipart/form-data":
        for name, files in request.FILES.lists():
            if any(CONTROL_CHARACTERS.search(f.name or "") for f in files):
                return BadParameter(CONTROL_CHARACTERS.sub("?", name)[:100], _control_message())
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json_body_problem(request.body)
    return None


def _json_body_problem(body: bytes) -> BadParameter | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the API's parser answers a malformed body itself
    if json_depth(text) > MAX_JSON_DEPTH:
        return BadParameter("json", _("JSON 嵌套过深（最多 %(max)d 层）。") % {"max": MAX_JSON_DEPTH})
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None  # the API's parser answers a malformed body itself
    where = _json_problem(data, "")
    return BadParameter(CONTROL_CHARACTERS.sub("?", where)[:100], _control_message()) if where else None


class UntrustedInputMiddleware:
    """The one request-wide place where untrusted values are refused before any view reads
    them, and where a view's ``BadParameter`` (core.params) becomes a 400 naming the field.

    It runs after authentication and the contract switcher (the 400 page shows the
    layout, which reads both) and reads ``request.POST`` as ``CsrfViewMiddleware`` does
    anyway; a refused request does nothing, so answering it before the CSRF check is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = untrusted_input_problem(request)
        if problem is not None:
            return bad_parameter_response(request, problem)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return bad_parameter_response(request, exception)
        return None
