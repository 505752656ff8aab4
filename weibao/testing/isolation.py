"""Tenancy isolation checks. Every new endpoint gets a test that calls these.

Usage::

    assert_isolated(outsider_client, ["/api/v1/things/1/", "/things/1/"],
                    secrets=[contract.number, thing.subject])

An outsider (a member of another contract, or nobody) must get 401/403/404, a
redirect to the login page, or a page that shows none of the ``secrets``.
"""

from __future__ import annotations

from collections.abc import Iterable

ALLOWED_REFUSALS = {302, 401, 403, 404}


def _body(response) -> str:
    content = getattr(response, "content", b"")
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    return content.decode("utf-8", errors="replace")


def assert_isolated(
    client,
    urls: Iterable[str],
    secrets: Iterable[str],
    *,
    method: str = "get",
    data: dict | None = None,
    content_type: str = "application/json",
) -> None:
    secrets = [s for s in secrets if s]
    assert secrets, "give at least one string that must not leak"
    for url in urls:
        call = getattr(client, method)
        if method == "get":
            response = call(url, data or {})
        else:
            response = call(url, data or {}, content_type=content_type)
        assert response.status_code != 500, f"{method.upper()} {url} answered 500"
        if response.status_code in ALLOWED_REFUSALS:
            if response.status_code == 302:
                location = response.headers.get("Location", "")
                assert "/accounts/login" in location or location.startswith("/"), location
            body = _body(response)
        else:
            assert response.status_code < 500, f"{url}: {response.status_code}"
            body = _body(response)
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{method.upper()} {url} leaked {leaked} (status {response.status_code})"


def assert_list_excludes(client, url: str, secrets: Iterable[str], **params) -> None:
    """A list endpoint answers 200 (or refuses) and none of ``secrets`` is in it."""
    response = client.get(url, params)
    assert response.status_code in {200, 302, 401, 403, 404}, response.status_code
    body = _body(response)
    leaked = [s for s in secrets if s and s in body]
    assert not leaked, f"GET {url} leaked {leaked}"
