"""Walking every routed URL: discovery of the routes (Django paths and DRF's regex routes
alike, numeric holes filled with ids of the seed contract's own rows, text holes with its
portal slug, ticket number and action names), the checks a walk makes, and the odd-value
walk the two ``test_odd_values_*`` files share (one for the pages, one for the API, so a
parallel run spreads them over two processes).
"""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from weibao.testing.isolation import _body

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



def all_urls(ints: list[int], texts: list[str]) -> list[str]:
    urls = set()
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        template = _template(route)
        if template:
            urls.update(_urls(template, ints, texts))
    return sorted(urls)


def fingerprint(seed) -> list:
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


def walk_urls(client, api, urls, secrets, who):
    # Logging out or revoking the token would make the rest of the walk anonymous.
    for url in sorted(urls, key=lambda u: u in ENDS_THE_SESSION):
        web = not url.startswith("/api/")
        for method in ("get", "post"):
            _check(client if web else api, method, url, secrets, who)
        if not web:
            for method in ("patch", "delete"):
                _check(api, method, url, secrets, who)



# --- Odd values: every parameter a page reads, fed what outside testers sent ------------

# Unicode digits isdigit() accepts (superscript, full-width, Arabic-Indic), a float that
# overflows, a number past 64 bits, a negative, dates at the ends of the calendar, NUL, and
# a very long string.
ODD_VALUES = ["²", "２", "٣", "1e999", "99999999999999999999999", "-1", "0001-01-01", "9999-12-31",
              "\x00", "x" * 10_000]
# Queries that open a page's other branches, so the parameters read only there are found.
BRANCHES = {"/calendars/": [{"calc": "deadline"}, {"calc": "period"}], "/tickets/": [{"export": "csv"}],
            "/audit/": [{"export": "csv"}]}
# Posting these would end the walker's session or count as a wrong password (a lockout).
NO_ODD_POST = ("/accounts/logout/", "/accounts/password/", "/accounts/otp/", "/api/v1/auth/token/revoke/")
# Who walks: the seed contract's people who, between them, reach every page that reads a
# parameter (the PM most pages, the auditor the trail, the agent the hotline, the security
# administrator the user lists).
ODD_WALKERS = ("pm", "auditor", "agent", "secadmin")


def _route_urls(ints: list[int], texts: list[str]) -> dict[str, list[str]]:
    """Each route's filled-in URLs, by template."""
    routes = {}
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        template = _template(route)
        if template:
            routes[template] = _urls(template, ints, texts)
    return routes


def _send(client, api, method: str, url: str, data: dict, who: str) -> int:
    if url.startswith("/api/"):
        if method == "get":
            response = api.get(url, data, HTTP_ACCEPT="application/json")
        else:
            response = getattr(api, method)(url, data, format="json", HTTP_ACCEPT="application/json")
    else:
        response = getattr(client, method)(url, data, HTTP_ACCEPT="text/html")
    shown = {k: (v[:20] + "…" if len(v) > 20 else v) for k, v in data.items()}
    assert response.status_code < 500, f"{who}: {method.upper()} {url} {shown!r} answered {response.status_code}"
    return response.status_code


def odd_walk(seeded, client_for, api_client_for, keys_read, *, api: bool, shard: int = 0, shards: int = 1) -> int:
    """Feed every odd value to every parameter and path hole of the API's routes
    (``api``) or of the pages', as the seed contract's walkers; the number of requests
    fed. Nothing may answer 5xx, nothing of the seed contract may change. ``shard`` of
    ``shards``: every shards-th route from the shard-th, so a parallel run can split it."""
    from weibao.accounts.models import User

    seed, _, ids, texts, _ = seeded
    routes = {t: u for t, u in _route_urls(ids, texts).items() if t.startswith("/api/") == api}
    routes = {t: routes[t] for t in sorted(routes)[shard::shards]}
    before = fingerprint(seed)
    fed, walked = 0, set()
    for username in ODD_WALKERS:
        user = User.objects.get(username=username)
        client, api = client_for(user), api_client_for(user)
        for template, urls in sorted(routes.items()):
            if template in walked:
                continue  # an earlier walker reached it: the same code, the same parameters
            # Learn, on the URL of this route that answers best, which names the code reads.
            keys_read.clear()
            best, best_status = urls[0], 999
            for url in urls:
                status = _send(client, api, "get", url, {}, username)
                if status < best_status:
                    best, best_status = url, status
                if status < 300:
                    break
            if best_status >= 400 and username != ODD_WALKERS[-1]:
                continue  # refused to this walker too: the next one may reach it
            walked.add(template)
            for branch in BRANCHES.get(best, []):
                _send(client, api, "get", best, branch, username)
            posting = best_status < 400 and not best.startswith(NO_ODD_POST)
            if posting:
                _send(client, api, "post", best, {}, username)
            names = sorted(k for k in keys_read if k)
            # Feed each odd value to each name read, in the query and (for pages that
            # answered) the form; branch openers stay set so their parameters are reached.
            for name in names:
                for value in ODD_VALUES:
                    for branch in [{}, *BRANCHES.get(best, [])]:
                        if name in branch:
                            continue
                        _send(client, api, "get", best, {**branch, name: value}, username)
                        fed += 1
                    if posting:
                        _send(client, api, "post", best, {name: value}, username)
                        fed += 1
            # And each id or text hole of the route, filled with each odd value.
            for index, _hole_match in enumerate(HOLE.findall(template)):
                for value in ODD_VALUES:
                    _send(client, api, "get", _fill_one(template, index, value, ids, texts), {}, username)
                    fed += 1
    assert fingerprint(seed) == before
    return fed




def _fill_one(template: str, index: int, value: str, ints: list[int], texts: list[str]) -> str:
    from urllib.parse import quote

    count = 0

    def fill(match):
        nonlocal count
        count += 1
        if count - 1 == index:
            return quote(value, safe="")
        return str(ints[0] if match[2] == "int" else texts[0])

    return HOLE.sub(fill, template)
