"""weibao.accounts.sessions: sessions read back as Django's database store reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from weibao.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_saved_session_reads_back_with_its_values():
    key = _saved({"otp_verified": True, "中文": "值班"})
    assert SessionStore(session_key=key).load() == {"otp_verified": True, "中文": "值班"}


def test_an_expired_session_reads_as_empty_and_is_saved_under_a_new_key():
    key = _saved({"user": 1})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(session_key=key)
    assert store.load() == {}
    store["after"] = 1
    store.save()
    assert store.session_key != key


def test_an_unknown_or_altered_session_reads_as_empty():
    assert SessionStore(session_key="x" * 32).load() == {}
    key = _saved({"user": 1})
    Session.objects.filter(session_key=key).update(session_data="forged:data")
    assert SessionStore(session_key=key).load() == {}


def test_signing_in_and_the_next_page_use_it(client, pm):
    client.force_login(pm)
    assert isinstance(client.session, SessionStore)
    assert client.get("/").status_code in (200, 302)


@pytest.mark.parametrize("cookie", ["a" * 10 + "\x00" + "b" * 21, "²" * 32, "x" * 5000, "A" * 32, "'; DROP TABLE x; --"])
def test_an_odd_session_cookie_is_no_session_not_an_error(client, pm, cookie):
    """Signed out, as with no cookie: never a 500 (PostgreSQL refuses a NUL byte in text)."""
    client.cookies["sessionid"] = cookie
    response = client.get("/tickets/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert SessionStore(session_key=cookie).load() == {}
