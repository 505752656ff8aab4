"""Fixtures every test module may use: users, contracts, logged-in clients, the clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from weibao.core import clock as core_clock
from weibao.servicedesk.api import TicketSerializer
from weibao.servicedesk.services.defaults import install_defaults
from weibao.testing import migrated
from weibao.testing.demo import demo_loaded
from weibao.testing.factories import ContractFactory, MembershipFactory, UserFactory
from weibao.testing.flush import truncate_only_tables_with_rows

truncate_only_tables_with_rows()
migrated.install()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database's commits do not wait for the disk (PostgreSQL): a test needs its
    rows visible, not safe from a power cut, and on a slow disk the flush of each of the
    suite's commits (every request, every demo step) costs milliseconds. Other sessions
    see a commit at once either way; the processes the fault tests start keep the default."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with no cached holiday tables and no cached search vocabulary or
    learned query pairs: they are keyed by ids, and ids repeat after rollbacks."""
    from weibao.calendars.services import clear_caches
    from weibao.knowledge import search
    from weibao.knowledge.services import learning

    def clear():
        clear_caches()
        search.clear_cache()
        learning.clear_cache()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: an English request leaves its language
    active in the thread, and a later test's background work would be rendered in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def clock():
    """The one clock, frozen at a known instant (2026-11-24 10:00 Shanghai); move it with
    ``clock.advance(timedelta(...))`` or ``clock.set_now(...)``."""
    core_clock.set_now(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    yield core_clock
    core_clock.set_now(None)


@pytest.fixture
def contract(db):
    return ContractFactory(number="HTDZ202602135", name="石龙区一体化政务服务平台综合维保项目")


@pytest.fixture
def other_contract(db):
    return ContractFactory(number="HT-OTHER-0001", name="另一个区的平台运维项目")


@pytest.fixture
def make_member(db):
    def make(contract, role: str = "project_manager", **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(contract=contract, user=user, role=role)
        return user

    return make


@pytest.fixture
def pm(contract, make_member):
    return make_member(contract, "project_manager", username="pm")


@pytest.fixture
def outsider(other_contract, make_member):
    """A project manager of another contract: must never see ``contract``'s data."""
    return make_member(other_contract, "project_manager", username="other_pm")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["weibao_otp_verified"] = True
    session.save()
    return client


@pytest.fixture
def client_for():
    return _logged_in


@pytest.fixture
def api_client_for():
    def make(user) -> APIClient:
        from weibao.api.models import ApiToken

        _, raw = ApiToken.issue(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data, loaded once for a whole module (a load costs ~25 s)."""
    yield from demo_loaded(django_db_blocker)


# The files that take longest (walks over every route, the permission matrix, API fuzzing,
# real processes, the browser) run first: a parallel run hands out whole files as processes
# become free, so a long file started last would leave the other process idle at the end.
LONGEST_FIRST = (
    "tests/security/test_odd_values_pages.py",
    "tests/security/test_url_walk.py",
    "tests/security/test_permissions.py",
    "tests/security/test_odd_values_api.py",
    "tests/api/test_schema_fuzz.py",
    "tests/faults/",
    "tests/core/test_operations.py",
    "tests/oncall/test_pages.py",
    "tests/browser/",
)


def _rank(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    for rank, prefix in enumerate(LONGEST_FIRST):
        if path.startswith(prefix):
            return rank
    return len(LONGEST_FIRST)


# Packages whose files share a package fixture too expensive to set up twice — the fault
# tests' migrated and seeded installation (``deployment``, ~75 s on a slow machine) — run
# in one process, one after the other. (tests/security's ``demo_data`` is not one: each
# process builds the demo once anyway and restores it in a second, and its four long walks
# finish sooner on both processes than one after the other on one.)
ONE_PROCESS = ("tests/faults/",)
# Files whose tests are long and independent (shards of one walk): one test per unit.
TEST_BY_TEST = ("tests/security/test_odd_values_pages.py",)


def _work_unit(nodeid: str) -> str:
    """What one process runs as a whole: the test's file, its ONE_PROCESS package, or the
    test alone in a TEST_BY_TEST file."""
    path = nodeid.split("::", 1)[0]
    if path in TEST_BY_TEST:
        return nodeid
    return next((prefix for prefix in ONE_PROCESS if path.startswith(prefix)), path)


@pytest.hookimpl(optionalhook=True)  # a run without xdist (-p no:xdist) has no such hook
def pytest_xdist_make_scheduler(config, log):
    """A parallel run hands out whole files (module fixtures load once), whole ONE_PROCESS
    packages and TEST_BY_TEST tests, in the order of ``_rank`` (longest first). Not xdist's
    ``loadgroup``: it marks a group by editing the test's id, which pytest 9 no longer
    lets it do, so every test went its own way."""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") not in ("load", "loadscope", "loadfile", "loadgroup"):
        return None  # "each", "worksteal": xdist's own

    class FilesAndPackages(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid)

    config.option.loadscopereorder = False  # keep the collection's order: longest first
    return FilesAndPackages(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    items.sort(key=_rank)


@pytest.fixture
def desk(contract):
    """The seed contract with default calendars, catalogue, groups and SLA policies."""
    return install_defaults(contract)


@pytest.fixture
def engineer(contract, make_member):
    return make_member(contract, "resident_engineer", username="engineer")


@pytest.fixture
def liaison(contract, make_member):
    return make_member(contract, "bureau_liaison", username="liaison")


@pytest.fixture
def viewer(contract, make_member):
    return make_member(contract, "bureau_viewer", username="viewer")


@pytest.fixture
def agent(contract, make_member):
    return make_member(contract, "hotline_agent", username="agent")


@pytest.fixture
def api(pm, api_client_for):
    return api_client_for(pm)


@pytest.fixture
def new_ticket(pm, contract, desk, clock):
    """Make a ticket as ``POST /api/v1/tickets/`` makes one, as the project manager: the
    API's serializer checks the fields and answers with the ticket's JSON, without the
    HTTP round trip (what HTTP adds is tested in tests/servicedesk/test_api.py)."""
    request = Request(APIRequestFactory().post("/api/v1/tickets/"))
    request.user = pm

    def create(**overrides):
        payload = {
            "contract": contract.pk,
            "type": "fault",
            "priority": "p1",
            "subject": "统一身份认证登录失败",
            "description": "法人用户无法登录，提示证书错误",
            "channel": "phone",
            "requester_name": "张三",
            "requester_phone": "13812345678",
        }
        payload.update(overrides)
        serializer = TicketSerializer(data=payload, context={"request": request})
        assert serializer.is_valid(), serializer.errors
        ticket = serializer.save()
        ticket._prefetched_objects_cache = {"clocks": ticket.started_clocks}  # as the API answers
        return json.loads(JSONRenderer().render(serializer.data))

    return create
