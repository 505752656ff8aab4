"""Before the run: one API token per demo vendor user, and what the users will work on."""

from __future__ import annotations

import time
from pathlib import Path

from .client import Client
from .report import say
from .scenario import Account, World, load_questions
from .server import SetupError

USERNAMES = ["pm", "engineer", "oncall1", "oncall2", "agent"]
PASSWORD = "Weibao@2026"  # weibao/demo/seed.py DEMO_PASSWORD
SEED_CONTRACT = "HTDZ202602135"


def get_tokens(host: str, port: int) -> list[tuple[str, str]]:
    """One token per demo vendor user, asked for once (5 failures lock a username)."""
    tokens = []
    client = Client(host, port)
    for username in USERNAMES:
        body = {"username": username, "password": PASSWORD, "name": "bench/load_test.py"}
        for _attempt in range(3):
            reply = client.request("POST", "/api/v1/auth/token/", body)
            if reply.status != 429:
                break
            wait = float(reply.headers.get("retry-after") or 20)
            say(f"  token throttled (20/min per address): waiting {wait:.0f} s")
            time.sleep(wait)
        data = reply.data if isinstance(reply.data, dict) else {}
        if reply.status == 201:
            tokens.append((username, data["token"]))
        elif "otp" in data:
            say(f"  {username}: needs a TOTP code, skipped")
        else:
            say(f"  {username}: no token ({reply.status} {reply.text[:200]}), skipped")
    client.close()
    return tokens


def discover(host: str, port: int, tokens: list[tuple[str, str]], root: Path) -> tuple[World, list[Account]]:
    accounts = []
    for username, token in tokens:
        me = Client(host, port, token).request("GET", "/api/v1/me/")
        if me.status != 200:
            raise SetupError(f"/api/v1/me/ for {username}: {me.status} {me.text[:300]}")
        accounts.append(Account(username, token, me.data["id"]))
    client = Client(host, port, accounts[0].token)
    contracts = client.request("GET", "/api/v1/contracts/")
    rows = contracts.data.get("results", contracts.data) if isinstance(contracts.data, dict) else contracts.data
    seed = next((c for c in rows or [] if c["number"] == SEED_CONTRACT), None)
    if seed is None:
        raise SetupError(f"seed contract {SEED_CONTRACT} not visible: {contracts.text[:300]}")
    calendars = client.request("GET", f"/api/v1/calendars/?contract={seed['id']}")
    calendar_ids = [c["id"] for c in (calendars.data or {}).get("results", [])]
    # The newest 100 tickets start the pool (creates add theirs); the count sizes paging.
    listing = client.request("GET", f"/api/v1/tickets/?contract={seed['id']}&page_size=100")
    if listing.status != 200 or not calendar_ids:
        raise SetupError(f"no tickets or calendars: {listing.status} {calendars.text[:300]}")
    tickets = {row["id"]: row["status"] for row in listing.data["results"]}
    client.close()
    world = World(
        contract_id=seed["id"], calendar_ids=calendar_ids, vendor_ids=[a.user_id for a in accounts],
        questions=load_questions(root), tickets=tickets, list_total=listing.data["count"],
    )
    return world, accounts
