"""Walk every URL the project routes, as an anonymous visitor and as a member of another
contract, with GET and POST (and PATCH and DELETE on the API), and check that nothing of
the seed contract leaks, nothing of it changes, and nothing answers 5xx.

New apps are covered automatically: the routes are discovered from the resolver
(``walk.py``). The odd-value walk is in ``test_odd_values_pages.py`` and
``test_odd_values_api.py``.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from .walk import all_urls, fingerprint, walk_urls

pytestmark = pytest.mark.django_db


def test_the_walk_reaches_the_seed_contracts_objects(seeded):
    _, _, ids, texts, _ = seeded
    urls = all_urls(ids, texts)
    # Detail routes of the API (DRF regex routes) and of the pages are both filled in.
    for expected in ("/api/v1/tickets/{}/", "/tickets/{}/", "/api/v1/knowledge/articles/{}/"):
        assert any(re.fullmatch(re.escape(expected).replace(r"\{\}", r"\d+"), u) for u in urls), expected
    assert "/portal/shilong/" in urls
    assert len(urls) > 150


def test_anonymous_visitor_sees_and_changes_nothing_of_any_contract(seeded, client):
    seed, secrets, ids, texts, _ = seeded
    before = fingerprint(seed)
    walk_urls(client, APIClient(), all_urls(ids, texts), secrets, "anonymous")
    assert fingerprint(seed) == before


def test_member_of_another_contract_sees_and_changes_nothing_of_the_seed_contract(
    seeded, client_for, api_client_for
):
    seed, secrets, ids, texts, other_pm = seeded
    before = fingerprint(seed)
    walk_urls(client_for(other_pm), api_client_for(other_pm), all_urls(ids, texts), secrets, "other_pm")
    assert fingerprint(seed) == before


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


