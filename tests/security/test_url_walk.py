"""Walk every URL the project routes, as an anonymous visitor and as a member of another
contract, with GET and POST (and PATCH and DELETE on the API), and check that nothing of
the seed contract leaks, nothing of it changes, and nothing answers 5xx.

New apps are covered automatically: their URL patterns are discovered from the resolver
(Django paths and DRF's regex routes alike), numeric path parameters are filled with the
ids of the seed contract's own rows, and text parameters with the seed's portal slug,
ticket number and action names.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from weibao.contracts.scoping import ContractScopedModel
from weibao.demo import load_all
from weibao.testing.isolation import _body

pytestmark = pytest.mark.django_db

# The admin belongs to system administrators (neither visitor here gets past its login);
# static files and the language switch hold no contract data.
SKIP_PREFIXES = ("static/", "admin/", "i18n/")
# Pages that describe the API itself: they name fields, never a contract's data.
NO_DATA = ("/api/v1/schema", "/api/v1/docs")
PATH_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>")
# Text parameters: things a visitor could guess, and the seed's real ones.
TEXT_VALUES = ["shilong", "check_in", "check_out", "confirm", "cancel", "1"]


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _hole(name: str, numeric: bool) -> str:
    return "{" + name + (":int}" if numeric else ":str}")


def _template(route: str) -> str | None:
    """A route as a template with {name:kind} holes, or None for one not to visit."""
    if FORMAT_SUFFIX.search(route):  # DRF's ".json" twins of routes walked anyway
        return None
    route = route.replace("^", "").replace("$", "")
    route = REGEX_PARAM.sub(lambda m: _hole(m["name"], "pk" in m["name"] or "id" in m["name"]), route)
    route = PATH_PARAM.sub(lambda m: _hole(m["name"], m["conv"] == "int" or m["name"].endswith("pk")), route)
    if "(" in route or "\\" in route:
        return None
    return "/" + route


HOLE = re.compile(r"\{(\w+):(int|str)\}")


def _urls(template: str, ints: list[int], texts: list[str]) -> list[str]:
    holes = HOLE.findall(template)
    if not holes:
        return [template]
    urls = []
    # Each hole takes every value in turn, the others their first: enough to reach each
    # object of the seed contract through each parameter without a cartesian product.
    for index in range(len(holes)):
        pool = ints if holes[index][1] == "int" else texts
        for value in pool:
            filled, count = template, 0

            def fill(match, value=value):
                nonlocal count
                count += 1
                if count - 1 == index:
                    return str(value)
                return str(ints[0] if match[2] == "int" else texts[0])

            filled = HOLE.sub(fill, template)
            urls.append(filled)
    return sorted(set(urls))


@pytest.fixture
def seeded():
    load_all()
    from weibao.accounts.models import User
    from weibao.contracts.models import Contract
    from weibao.servicedesk.models import Ticket

    seed = Contract.objects.get(number="HTDZ202602135")
    secrets = [seed.number, seed.name, "王建国", "13803750001", "1707020119020195607"]
    ids = {seed.pk}
    for model in apps.get_models():
        if issubclass(model, ContractScopedModel):
            rows = model.objects.filter(contract=seed).order_by("pk").values_list("pk", flat=True)
            ids.update(rows[:1])  # one row of each kind reaches every detail route
    ticket = Ticket.objects.filter(contract=seed).order_by("pk").first()
    texts = [*TEXT_VALUES, ticket.number]
    return seed, secrets, sorted(ids), texts, User.objects.get(username="other_pm")


def _all_urls(ints: list[int], texts: list[str]) -> list[str]:
    urls = set()
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        template = _template(route)
        if template:
            urls.update(_urls(template, ints, texts))
    return sorted(urls)


def _fingerprint(seed) -> list:
    """What a write to the seed contract would change."""
    from weibao.feedback.models import Rating
    from weibao.knowledge.models import Article
    from weibao.servicedesk.models import Ticket, TicketEntry
    from weibao.visits.models import Visit

    return [
        list(Ticket.objects.filter(contract=seed).order_by("pk").values_list(
            "pk", "status", "assignee_id", "priority", "updated_at", "urged_count")),
        TicketEntry.objects.filter(ticket__contract=seed).count(),
        Rating.objects.filter(contract=seed).count(),
        list(Article.objects.filter(contract=seed).order_by("pk").values_list("pk", "title", "status")),
        list(Visit.objects.filter(contract=seed).order_by("pk").values_list("pk", "status")),
    ]


def _check(client, method: str, url: str, secrets: list[str], who: str) -> None:
    api = url.startswith("/api/")
    kwargs = {"HTTP_ACCEPT": "application/json" if api else "text/html"}
    if method in ("post", "patch") and api:
        kwargs.update(data={"contract": 1, "status": "closed", "to": "closed", "level": 5,
                            "body": "walk", "title": "walk"}, format="json")
    elif method == "post":
        kwargs.update(data={"status": "closed", "to": "closed", "level": "5", "body": "walk",
                            "comment": "walk", "reason": "walk"})
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code < 500, f"{who}: {method.upper()} {url} answered {response.status_code}"
    if url.startswith(NO_DATA):
        return
    body = _body(response)
    leaked = [s for s in secrets if s in body]
    assert not leaked, f"{who}: {method.upper()} {url} leaked {leaked} ({response.status_code})"


ENDS_THE_SESSION = ("/accounts/logout/", "/api/v1/auth/token/revoke/")


def _walk(client, api, urls, secrets, who):
    # Logging out or revoking the token would make the rest of the walk anonymous.
    for url in sorted(urls, key=lambda u: u in ENDS_THE_SESSION):
        web = not url.startswith("/api/")
        for method in ("get", "post"):
            _check(client if web else api, method, url, secrets, who)
        if not web:
            for method in ("patch", "delete"):
                _check(api, method, url, secrets, who)


def test_the_walk_reaches_the_seed_contracts_objects(seeded):
    _, _, ids, texts, _ = seeded
    urls = _all_urls(ids, texts)
    # Detail routes of the API (DRF regex routes) and of the pages are both filled in.
    for expected in ("/api/v1/tickets/{}/", "/tickets/{}/", "/api/v1/knowledge/articles/{}/"):
        assert any(re.fullmatch(re.escape(expected).replace(r"\{\}", r"\d+"), u) for u in urls), expected
    assert "/portal/shilong/" in urls
    assert len(urls) > 150


def test_anonymous_visitor_sees_and_changes_nothing_of_any_contract(seeded, client):
    seed, secrets, ids, texts, _ = seeded
    before = _fingerprint(seed)
    _walk(client, APIClient(), _all_urls(ids, texts), secrets, "anonymous")
    assert _fingerprint(seed) == before


def test_member_of_another_contract_sees_and_changes_nothing_of_the_seed_contract(
    seeded, client_for, api_client_for
):
    seed, secrets, ids, texts, other_pm = seeded
    before = _fingerprint(seed)
    _walk(client_for(other_pm), api_client_for(other_pm), _all_urls(ids, texts), secrets, "other_pm")
    assert _fingerprint(seed) == before


def test_api_docs_page_does_not_fail_on_a_stale_token(db):
    response = APIClient().get("/api/v1/docs/", HTTP_AUTHORIZATION="Bearer revoked-or-made-up")
    assert response.status_code == 200


def test_security_headers_are_set(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.cookies.get("csrftoken") is None or response.cookies["csrftoken"]["samesite"]
