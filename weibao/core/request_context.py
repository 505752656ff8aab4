"""Who is asking, from where: set per request so audit and services need not pass it around."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    request: Any = None
    # Answers worth computing once per request (a user's memberships): gone with the request.
    memo: dict = field(default_factory=dict)
    # A block of work outside any request that keeps those answers too (``unit_of_work``).
    batch: bool = False

    @property
    def memoises(self) -> bool:
        return self.request is not None or self.batch

    @property
    def user(self):
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "weibao_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or RequestContext(request_id="")


@contextmanager
def unit_of_work() -> Iterator[RequestContext]:
    """A block of work outside a request (the demo's simulated month) that computes a user's
    memberships once, as a request does: for work during which no membership changes, or
    that calls ``contracts.access.forget_memberships`` when one does."""
    outer = _current.get()
    if outer is not None and outer.memoises:  # a request's (or an enclosing block's) memo serves
        yield outer
        return
    # Who asked and from where, if a context is set, stay on the block's audit records.
    token = _current.set(replace(outer, batch=True, memo={}) if outer else RequestContext(request_id="", batch=True))
    try:
        yield current()
    finally:
        _current.reset(token)


def set_current(ctx: RequestContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def client_ip(request) -> str:
    from django.conf import settings

    # X-Real-IP is only trusted behind our own proxy (nginx sets it, overwriting the client's).
    if getattr(settings, "WEIBAO_TRUST_X_REAL_IP", False):
        real = request.META.get("HTTP_X_REAL_IP")
        if real:
            return real.strip()
    return request.META.get("REMOTE_ADDR", "")


def from_request(request) -> RequestContext:
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        request=request,
    )
