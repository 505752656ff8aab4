"""Before the idle logout the page warns and offers 保持登录: the button's request keeps
the session for another full idle period; after the logout it cannot revive it."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

STAY = "/accounts/session/stay/"


def test_staying_signed_in_restarts_the_idle_period(client_for, pm, clock):
    client = client_for(pm)
    assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=9, seconds=30))  # the warning is showing
    response = client.post(STAY)
    assert response.status_code == 200
    assert response.json() == {"idle_seconds": 600}
    clock.advance(timedelta(minutes=9, seconds=30))  # 19 minutes after the page, 9.5 after staying
    assert client.get("/").status_code == 200


def test_staying_counts_even_just_after_another_request(client_for, pm, clock):
    """"Last seen" is written at most every 15 seconds for ordinary requests; staying
    signed in always writes it, so the full period is granted from the click."""
    client = client_for(pm)
    client.get("/")
    clock.advance(timedelta(seconds=10))
    client.post(STAY)
    clock.advance(timedelta(minutes=9, seconds=55))  # 10:05 after the page, 9:55 after staying
    assert client.get("/").status_code == 200


def test_too_late_to_stay_signed_in(client_for, pm, clock):
    client = client_for(pm)
    client.get("/")
    clock.advance(timedelta(minutes=11))
    response = client.post(STAY)
    assert response.status_code in (302, 401)
    assert client.get("/").status_code == 302  # signed out


def test_staying_needs_a_session_and_a_post(client_for, pm):
    assert Client().post(STAY).status_code == 401
    assert client_for(pm).get(STAY).status_code == 405


def test_every_page_tells_its_script_when_the_idle_logout_comes(client_for, pm, contract):
    page = client_for(pm).get("/").content.decode()
    assert 'data-idle-seconds="540"' in page  # ten minutes less the 60 s "last seen" resolution
    assert f'data-stay-url="{STAY}"' in page
    assert f'data-draft-owner="{pm.pk}:{contract.pk}"' in page
    assert "保持登录" in page and "weibao/session.js" in page
