"""Walk every URL the project routes, as an anonymous visitor and as a member of another
contract, and check that nothing of the seed contract leaks and nothing answers 500.

New apps are covered automatically: their URL patterns are discovered from the resolver,
and numeric path parameters are tried with the ids of real rows.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from weibao.demo import load_all
from weibao.testing.isolation import _body

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("static/", "admin/", "i18n/")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _concrete(route: str, ids: list[int]) -> list[str]:
    route = route.lstrip("^").rstrip("$")
    if "(?P" in route or "\\" in route:  # regex routes (DRF format suffixes): skip
        return []
    if not PARAM.search(route):
        return ["/" + route]
    urls = []
    for value in ids:
        urls.append("/" + PARAM.sub(str(value), route))
    return urls


@pytest.fixture
def seeded():
    load_all()
    from weibao.accounts.models import User
    from weibao.contracts.models import Contract

    seed = Contract.objects.get(number="HTDZ202602135")
    secrets = [seed.number, seed.name, "王建国", "13803750001", "1707020119020195607"]
    return seed, secrets, User.objects.get(username="other_pm")


def _all_urls() -> list[str]:
    routes = [r for r in _walk(get_resolver().url_patterns) if not r.startswith(SKIP_PREFIXES)]
    urls = []
    for route in routes:
        urls.extend(_concrete(route, ids=[1, 2, 3]))
    return sorted(set(urls))


def _check(client, url: str, secrets: list[str], who: str) -> None:
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code != 500, f"{who}: GET {url} answered 500"
    if url.startswith(("/api/v1/schema", "/api/v1/docs")):
        return
    body = _body(response)
    leaked = [s for s in secrets if s in body]
    assert not leaked, f"{who}: GET {url} leaked {leaked} ({response.status_code})"


def test_anonymous_visitor_sees_nothing_of_any_contract(seeded, client):
    _, secrets, _ = seeded
    urls = _all_urls()
    assert len(urls) > 10
    for url in urls:
        _check(client, url, secrets, "anonymous")
    api = APIClient()
    for url in [u for u in urls if u.startswith("/api/")]:
        _check(api, url, secrets, "anonymous api")


def test_member_of_another_contract_sees_nothing_of_the_seed_contract(seeded, client_for, api_client_for):
    _, secrets, other_pm = seeded
    client = client_for(other_pm)
    api = api_client_for(other_pm)
    for url in _all_urls():
        _check(client, url, secrets, "other_pm")
        if url.startswith("/api/"):
            _check(api, url, secrets, "other_pm api")


def test_security_headers_are_set(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.cookies.get("csrftoken") is None or response.cookies["csrftoken"]["samesite"]
