"""The on-call pages with the demo's seed contract: every page renders for the roles that
may see it, and the PM's home page shows the gap panel, every role's the now panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from weibao.accounts.models import User
from weibao.contracts.models import Contract
from weibao.demo import load_all
from weibao.oncall.models import DutyPlan, Layer, Schedule, TimeOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(demo_data, clock):
    return Contract.objects.get(number="HTDZ202602135")


def web(username) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session
    session["weibao_otp_verified"] = True
    session.save()
    return client


def test_every_page_renders_for_the_pm(seed):
    client = web("pm")
    schedule = Schedule.objects.get(contract=seed)
    plan = DutyPlan.objects.get(contract=seed)
    for url in ["/oncall/", "/oncall/?view=month", "/oncall/?view=month&start=2026-02-01",
                f"/oncall/schedules/{schedule.pk}/", "/oncall/schedules/new/", "/oncall/overrides/",
                "/oncall/residency/", "/oncall/residency/?month=2026-02-01", "/oncall/holidays/",
                f"/oncall/holidays/{plan.pk}/", "/oncall/handovers/", "/oncall/feeds/", "/oncall/gaps/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    overview = client.get("/oncall/").content.decode()
    assert "7×24 技术支持值班" in overview and "李明" in overview


def test_home_pages_show_who_is_on_call(seed):
    for username in ("pm", "agent", "engineer", "oncall1", "liaison", "viewer", "auditor"):
        page = web(username).get("/").content.decode()
        assert "当前值班" in page, username
    assert "值班覆盖缺口" in web("pm").get("/").content.decode()
    assert "值班覆盖缺口" not in web("agent").get("/").content.decode()


def test_the_pms_home_panels_read_the_rosters_once_and_say_what_each_function_says(seed, monkeypatch):
    from django.test import RequestFactory

    from weibao.core import clock
    from weibao.oncall import coverage, home, services

    request = RequestFactory().get("/")
    request.user, request.contract = User.objects.get(username="pm"), seed
    reads = []
    load_inputs = services.load_inputs

    def counted(*args, **kwargs):
        reads.append(args[1:3])
        return load_inputs(*args, **kwargs)

    # Everyone who takes a turn is away for a day 50 days ahead: a gap far in the report.
    at = clock.now()  # the test clock stands still
    away = at + dt.timedelta(days=50)
    for user in User.objects.filter(pk__in={int(p) for layer in Layer.objects.filter(schedule__contract=seed)
                                            for p in layer.participants}):
        TimeOff.objects.create(contract=seed, user=user, start=away, end=away + dt.timedelta(days=1))
    monkeypatch.setattr(services, "load_inputs", counted)
    monkeypatch.setattr(coverage, "load_inputs", counted)
    now_panel, gaps_panel = home.panels(request, seed)
    assert len(reads) == 1, reads
    assert now_panel["now_rows"] == services.now_and_next(seed, at) and now_panel["now_rows"][0]["now"]
    alone = coverage.gap_report(seed, at=at)
    assert gaps_panel["report"] == alone
    assert any(gap["start"] <= away < gap["end"] for gap in alone["uncovered"]), alone["uncovered"]
    assert len(reads) == 3  # each on its own reads again


@pytest.mark.parametrize("username, url, allowed", [
    ("agent", "/oncall/", True), ("liaison", "/oncall/holidays/", True), ("viewer", "/oncall/gaps/", True),
    ("agent", "/oncall/gaps/", False), ("liaison", "/oncall/handovers/", False),
    ("agent", "/oncall/overrides/", False), ("engineer", "/oncall/schedules/new/", False),
    ("other_pm", "/oncall/", True),
])
def test_who_may_open_which_page(seed, username, url, allowed):
    status = web(username).get(url).status_code
    assert (status == 200) if allowed else status in (403, 404)


def test_another_contract_sees_none_of_the_seeds_rosters(seed):
    client = web("other_pm")
    schedule = Schedule.objects.get(contract=seed)
    plan = DutyPlan.objects.get(contract=seed)
    for url in (f"/oncall/schedules/{schedule.pk}/", f"/oncall/holidays/{plan.pk}/"):
        assert client.get(url).status_code == 404
    assert "7×24 技术支持值班" not in client.get("/oncall/").content.decode()
    assert client.post(f"/oncall/holidays/{plan.pk}/send/").status_code == 404


def test_demo_is_safe_to_load_twice(seed):
    load_all()
    assert Schedule.objects.filter(contract=seed).count() == 1
    assert DutyPlan.objects.filter(contract=seed).count() == 1


def test_staff_phones_only_for_who_must_call(seed, clock):
    from weibao.oncall import services

    on_call = services.on_call_now(seed)
    assert on_call
    phone = on_call[0][1].phone
    assert phone in web("agent").get("/").content.decode()
    assert phone in web("liaison").get("/oncall/").content.decode()
    assert phone not in web("viewer").get("/").content.decode()
    assert phone not in web("auditor").get("/oncall/").content.decode()


def test_a_plan_in_a_year_without_the_official_arrangement_says_so(seed):
    plan = DutyPlan.objects.get(contract=seed)  # 2027 元旦: the notice is not loaded
    assert plan.first_day.year == 2027
    assert "尚未导入" in web("pm").get(f"/oncall/holidays/{plan.pk}/").content.decode()
