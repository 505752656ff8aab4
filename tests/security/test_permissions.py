"""The permission matrix, generated from the access layer (decision 0015): every routed view
declares who may use it (``contracts.access.requires`` / ``public``, or
``required_capabilities`` / ``public_reason`` on a DRF view), and for every declared route,
method and contract role, a member holding none of the route's capabilities is refused
(403 or 404) while a member holding one is not refused — as NetBox generates its
``test_*_without_permission`` tests per model.

A new endpoint without a declaration fails ``test_every_route_declares_who_may_use_it``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from weibao.contracts.roles import CAPABILITIES, ContractRole

pytestmark = pytest.mark.django_db

# Django's own admin (system administrators only, its own permission system), static
# files, the language switch and the API's description of itself are not ours to declare.
NOT_OURS = ("admin/", "static/", "i18n/", "api/v1/schema", "api/v1/docs")
# The demo's member holding exactly one role on the seed contract, per role.
MEMBER_OF_ROLE = {
    ContractRole.PROJECT_MANAGER: "pm",
    ContractRole.HOTLINE_AGENT: "agent",
    ContractRole.RESIDENT_ENGINEER: "engineer",
    ContractRole.ONCALL_ENGINEER: "oncall1",
    ContractRole.BUREAU_LIAISON: "liaison",
    ContractRole.BUREAU_VIEWER: "viewer",
    ContractRole.AUDITOR: "auditor",
}
REFUSED = (403, 404)
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    pattern: str
    view: object

    @property
    def drf_class(self):
        return getattr(self.view, "cls", None)

    def declarations(self) -> dict[str, tuple[str, ...]] | str | None:
        """{method: capabilities}, a public reason, or None when undeclared."""
        view, cls = self.view, self.drf_class
        if cls is not None:
            if getattr(cls, "public_reason", None):
                return cls.public_reason
            table = getattr(cls, "required_capabilities", None)
            if table is None:
                return None
            actions = getattr(view, "actions", None) or {}
            if actions:  # a viewset: one entry per action this route serves
                if not all(action in table for action in actions.values()):
                    return None
                return {method: tuple(table[action]) for method, action in actions.items()}
            methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)]
            if isinstance(table, dict):
                if not all(m in table for m in methods):
                    return None
                return {m: tuple(table[m]) for m in methods}
            return {m: tuple(table) for m in methods}
        if getattr(view, "public_reason", None):
            return view.public_reason
        capabilities = getattr(view, "required_capabilities", None)
        if capabilities is None:
            return None
        return {"get": tuple(capabilities), "post": tuple(capabilities)}


def _routes(patterns=None, prefix="") -> list[Route]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            pattern = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
            if pattern.startswith(NOT_OURS) or r"\.(?P<format>" in pattern:
                continue
            found.append(Route(pattern, entry.callback))
    return found


def test_every_route_declares_who_may_use_it():
    undeclared = sorted({route.pattern for route in _routes() if route.declarations() is None})
    assert not undeclared, "routes without a declaration of who may use them:\n" + "\n".join(undeclared)


def test_every_declared_capability_is_in_the_table():
    unknown = set()
    for route in _routes():
        declared = route.declarations()
        if isinstance(declared, dict):
            unknown.update(c for caps in declared.values() for c in caps if c not in CAPABILITIES)
    assert not unknown, sorted(unknown)


# --- the matrix ------------------------------------------------------------------------

@pytest.fixture
def seed(demo_data, db):
    from weibao.contracts.models import Contract

    return Contract.objects.get(number="HTDZ202602135")


def _seed_values(seed) -> tuple[list[int], list[str]]:
    """Ids of one row of each kind of the seed contract, and its text parameters."""
    from django.apps import apps

    from weibao.contracts.scoping import ContractScopedModel
    from weibao.portal.models import PortalSite
    from weibao.servicedesk.models import Ticket

    ids = {seed.pk}
    for model in apps.get_models():
        if issubclass(model, ContractScopedModel):
            ids.update(model.objects.filter(contract=seed).order_by("pk").values_list("pk", flat=True)[:1])
    ticket = Ticket.objects.filter(contract=seed).order_by("pk").first()
    slug = PortalSite.objects.get(contract=seed).slug
    return sorted(ids), [slug, ticket.number, "check_in", "confirm"]


def _candidates(pattern: str, ids: list[int], texts: list[str]) -> list[str]:
    holes = list(PARAM.finditer(pattern))
    if not holes:
        return ["/" + pattern]
    urls = []
    for value_index in range(max(len(ids), len(texts))):
        def fill(match):
            numeric = match["conv"] == "int" or any(k in (match["name"] or match["rname"]) for k in ("pk", "id"))
            pool = ids if numeric else texts
            return str(pool[min(value_index, len(pool) - 1)])

        urls.append("/" + PARAM.sub(fill, pattern))
    return list(dict.fromkeys(urls))


class _Rollback(Exception):
    pass


def _status(client, method: str, url: str) -> int:
    """The answer's status, with whatever the request wrote rolled back."""
    kwargs = {"HTTP_ACCEPT": "application/json" if url.startswith("/api/") else "text/html"}
    if url.startswith("/api/") and method in ("post", "put", "patch"):
        kwargs.update(data={}, format="json")
    status = None
    try:
        with transaction.atomic():
            status = getattr(client, method)(url, **kwargs).status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


def _clients(role_user):
    web = Client()
    web.force_login(role_user)
    session = web.session
    session["weibao_otp_verified"] = True
    session.save()
    api = APIClient()
    api.force_authenticate(role_user)
    return web, api


def test_a_role_without_the_capability_is_refused_and_one_with_it_is_not(seed):
    from weibao.accounts.models import User

    ids, texts = _seed_values(seed)
    clients = {role: _clients(User.objects.get(username=name)) for role, name in MEMBER_OF_ROLE.items()}
    wrong, checked = [], 0
    for route in _routes():
        declared = route.declarations()
        if not isinstance(declared, dict):
            continue
        for method, capabilities in declared.items():
            if method in ("put", "delete"):
                continue
            allowed = {role for cap in capabilities for role in CAPABILITIES[cap]}
            holders = [r for r in MEMBER_OF_ROLE if r in allowed]
            others = [r for r in MEMBER_OF_ROLE if r not in allowed]
            if not holders:
                continue
            # The URL of this route a holder reaches (a row of the right kind).
            url = probed = None
            for candidate in _candidates(route.pattern, ids, texts):
                web, api = clients[holders[0]]
                client = api if candidate.startswith("/api/") else web
                status = _status(client, method, candidate)
                if status not in (*REFUSED, 405):
                    url, probed = candidate, status
                    break
            if url is None:
                continue  # no row of the seed contract this route accepts for this method
            checked += 1
            for role in others:
                web, api = clients[role]
                status = _status(api if url.startswith("/api/") else web, method, url)
                if status not in (*REFUSED, 405):
                    wrong.append(f"{method.upper()} {url}: {role} (lacks {capabilities}) got {status}")
            for role in holders:
                if role == holders[0]:
                    # Its answer at this URL is the probe's that chose the URL: the same
                    # request (client, method, URL; whatever it wrote rolled back), not sent twice.
                    status = probed
                else:
                    web, api = clients[role]
                    status = _status(api if url.startswith("/api/") else web, method, url)
                if status == 403:
                    wrong.append(f"{method.upper()} {url}: {role} (holds one of {capabilities}) got 403")
    assert checked > 40, checked
    assert not wrong, "\n".join(wrong)
