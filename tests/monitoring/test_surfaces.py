"""API, pages, pings and status pages: behaviour, 400s naming the field, isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.audit.models import AuditRecord
from weibao.core import clock as core_clock
from weibao.monitoring import services
from weibao.monitoring.models import MaintenanceWindow, Monitor, StateChange, StatusPage

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=core_clock.SHANGHAI)


@pytest.fixture
def monitor(contract, pm, component):
    return services.create_monitor(contract, by=pm, name="门户首页", kind="http", component=component,
                                   target="https://portal.example.gov.cn/", interval_seconds=30, timeout_seconds=5,
                                   config={"headers": {"Authorization": "Bearer secret-token"}})


def test_create_through_the_api_and_list_by_contract(contract, other_contract, pm, component, api_client_for, clock):
    client = api_client_for(pm)
    answer = client.post("/api/v1/monitors/", {
        "contract": contract.pk, "component": component.pk, "name": "统一认证登录页", "kind": "http",
        "target": "https://uia.example.gov.cn/login", "interval_seconds": 10, "timeout_seconds": 5,
        "config": {"keyword": "统一身份认证", "expected_status": [200]},
    }, format="json")
    assert answer.status_code == 201, answer.json()
    monitor = Monitor.objects.get(pk=answer.json()["id"])
    assert monitor.next_due_at is not None and monitor.component == component
    assert AuditRecord.objects.filter(action="monitoring.monitor_created").exists()
    listed = client.get(f"/api/v1/monitors/?contract={contract.pk}").json()
    assert [m["name"] for m in listed["results"]] == ["统一认证登录页"]
    assert client.get(f"/api/v1/monitors/?contract={other_contract.pk}").json()["results"] == []
    bad = client.get("/api/v1/monitors/?contract=１２")
    assert bad.status_code == 400 and "contract" in bad.json()


@pytest.mark.parametrize("payload, field", [
    ({"interval_seconds": 5}, "interval_seconds"),
    ({"kind": "ping"}, "kind"),
    ({"target": "ftp://x"}, "target"),
    ({"config": {"keyword": "x", "bogus": 1}}, "config"),
    ({"timeout_seconds": 60, "interval_seconds": 30}, "timeout_seconds"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_monitors_are_refused_naming_the_field(contract, pm, api_client_for, payload, field):
    base = {"contract": contract.pk, "name": "x", "kind": "http", "target": "http://127.0.0.1/"}
    answer = api_client_for(pm).post("/api/v1/monitors/", {**base, **payload}, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()


def test_another_contracts_ids_look_non_existent(contract, other_contract, pm, outsider, other_component,
                                                  api_client_for, monitor):
    client = api_client_for(pm)
    answer = client.post("/api/v1/monitors/", {"contract": other_contract.pk, "name": "x", "kind": "tcp",
                                               "target": "127.0.0.1:80"}, format="json")
    assert answer.status_code == 404 and "contract" in answer.json()  # as every create endpoint
    answer = client.post("/api/v1/monitors/", {"contract": contract.pk, "component": other_component.pk,
                                               "name": "x", "kind": "tcp", "target": "127.0.0.1:80"}, format="json")
    assert answer.status_code == 400 and "component" in answer.json()
    stranger = api_client_for(outsider)
    assert stranger.get(f"/api/v1/monitors/{monitor.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/monitors/{monitor.pk}/availability/?from=2026-11-01&to=2026-11-02").status_code == 404
    assert stranger.get("/api/v1/monitors/").json()["results"] == []


def test_header_values_are_masked_for_those_who_do_not_manage(contract, make_member, monitor, api_client_for):
    engineer = make_member(contract, "resident_engineer")
    data = api_client_for(engineer).get(f"/api/v1/monitors/{monitor.pk}/").json()
    assert data["config"]["headers"] == {"Authorization": "***"}


def test_availability_matches_a_hand_computed_example(contract, pm, component, monitor, api_client_for, clock):
    """Day D (Shanghai): down 02:00–03:00 and 10:00–10:30; maintenance 02:30–04:00.
    Measured 1,440 − 90 = 1,350 min; downtime 30 + 30 = 60 min → 95.556 %.
    Day D+1: down from 23:50 on D+1 to 00:20 on D+2 → 10 min that day → 99.306 %.
    Both days: 70 / (2,880 − 90) = 97.491 %."""
    day = dt.date(2026, 11, 10)
    for at, to in [(_at(day, 2), "down"), (_at(day, 3), "up"), (_at(day, 10), "down"), (_at(day, 10, 30), "up"),
                   (_at(day + dt.timedelta(days=1), 23, 50), "down"), (_at(day + dt.timedelta(days=2), 0, 20), "up")]:
        StateChange.objects.create(contract=contract, monitor=monitor, from_state="up", to_state=to, at=at,
                                   evidence={"status": 503, "error": "状态码 503 不符合预期"} if to == "down" else {})
    services.declare_maintenance(contract, by=pm, components=[component], start=_at(day, 2, 30),
                                 end=_at(day, 4), reason="数据库升级")
    answer = api_client_for(pm).get(f"/api/v1/monitors/{monitor.pk}/availability/?from=2026-11-10&to=2026-11-11")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["percent"] == "97.491" and data["downtime_minutes"] == "70.0"
    assert data["maintenance_minutes"] == 90.0
    assert [(d["date"], d["percent"], d["downtime_minutes"]) for d in data["days"]] == [
        ("2026-11-10", "95.556", "60.0"), ("2026-11-11", "99.306", "10.0")]
    assert [(o["start"][:16], o["minutes"]) for o in data["outages"]] == [
        ("2026-11-10T02:00", 30.0), ("2026-11-10T10:00", 30.0), ("2026-11-11T23:50", 10.0)]  # shown in Shanghai
    assert data["outages"][0]["cause"]["status"] == 503


@pytest.mark.parametrize("query, field", [
    ("from=2026-11-10", "to"), ("to=2026-11-10", "from"), ("from=2026-13-01&to=2026-12-01", "from"),
    ("from=2026-11-10&to=2026-11-01", "to"), ("from=0001-01-01&to=2026-11-01", "from"),
    ("from=2020-01-01&to=2026-11-01", "to"),
])
def test_availability_dates_are_checked(pm, monitor, api_client_for, query, field):
    answer = api_client_for(pm).get(f"/api/v1/monitors/{monitor.pk}/availability/?{query}")
    assert answer.status_code == 400 and field in answer.json(), answer.json()


def test_maintenance_suppresses_paging_but_not_recording(contract, pm, component, monitor, clock):
    now = clock.now()
    window = services.declare_maintenance(contract, by=pm, components=[component], start=now - dt.timedelta(hours=1),
                                          end=now + dt.timedelta(hours=1), reason="版本发布")
    assert services.in_maintenance(component, now)
    assert not services.in_maintenance(component, now + dt.timedelta(hours=2))
    assert not services.in_maintenance(None, now)
    from weibao.core.models import Event
    from weibao.monitoring.probes.checks import Result

    services.apply_results([(monitor.pk, Result(False, error="x"), now, 0), (monitor.pk, Result(False, error="x"), now, 0)])
    event = Event.objects.get(type="monitor.down")
    assert event.payload["maintenance"] is True  # the incidents app does not page
    assert StateChange.objects.filter(monitor=monitor, to_state="down").exists()  # recorded
    services.end_maintenance(window, by=pm)
    window.refresh_from_db()
    assert window.end == now and not services.in_maintenance(component, now)


def test_a_bureau_viewer_may_not_declare_maintenance(contract, make_member, component, clock):
    viewer = make_member(contract, "bureau_viewer")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.declare_maintenance(contract, by=viewer, components=[component], start=clock.now(),
                                     end=clock.now() + dt.timedelta(hours=1), reason="x")


def test_heartbeat_pings(contract, pm, component, client, clock):
    beat = services.create_monitor(contract, by=pm, name="夜间批处理", kind="heartbeat", component=component,
                                   interval_seconds=3600, grace_seconds=600, failures_to_down=1)
    assert client.get(f"/ping/{beat.ping_key}/start").status_code == 200
    clock.advance(dt.timedelta(seconds=42))
    assert client.post(f"/ping/{beat.ping_key}").status_code == 200  # no CSRF token: a cron job
    beat.refresh_from_db()
    assert beat.state == "up" and beat.last_ping_at == clock.now() and beat.last_latency_ms == 42000
    assert client.get(f"/ping/{beat.ping_key}/fail").status_code == 200
    beat.refresh_from_db()
    assert beat.state == "down" and beat.last_ping_failed
    assert client.get("/ping/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/ping/not-a-uuid").status_code == 404
    tcp = services.create_monitor(contract, by=pm, name="t", kind="tcp", target="127.0.0.1:1")
    assert client.get(f"/ping/{tcp.ping_key}").status_code == 404  # only heartbeats take pings


def test_pages_render_and_create(contract, pm, component, monitor, client_for, clock):
    web = client_for(pm)
    assert "门户首页" in web.get("/monitoring/").content.decode()
    assert web.get("/monitoring/?state=sideways").status_code == 400
    page = web.get(f"/monitoring/{monitor.pk}/").content.decode()
    assert "Authorization" in page and "secret-token" not in page
    answer = web.post("/monitoring/new/", {"name": "证照 TLS", "kind": "tls", "target": "licence.example.gov.cn:443",
                                           "component": component.pk, "interval_seconds": "3600",
                                           "timeout_seconds": "10", "failures_to_down": "1", "successes_to_up": "1",
                                           "grace_seconds": "0", "enabled": "on", "config": '{"warn_days": 30}'})
    assert answer.status_code == 302
    assert Monitor.objects.filter(name="证照 TLS", config={"warn_days": 30}).exists()
    bad = web.post("/monitoring/new/", {"name": "x", "kind": "tcp", "target": "nohost", "config": "{"})
    assert bad.status_code == 400 and "检查参数应为 JSON" in bad.content.decode()
    answer = web.post(f"/monitoring/{monitor.pk}/edit/", {"name": "门户首页（新）", "kind": "http",
                                                          "target": monitor.target, "interval_seconds": "60",
                                                          "timeout_seconds": "5", "config": "{}", "enabled": "on"})
    assert answer.status_code == 302 and Monitor.objects.get(pk=monitor.pk).name == "门户首页（新）"
    assert web.get("/monitoring/availability/").status_code == 200
    assert web.get("/monitoring/availability/?month=2026-13").status_code == 400
    answer = web.post("/monitoring/maintenance/new/", {"components": [component.pk], "start": "2026-11-25T22:00",
                                                       "end": "2026-11-26T02:00", "reason": "机房断电演练",
                                                       "announce": "on"})
    assert answer.status_code == 302 and MaintenanceWindow.objects.filter(reason="机房断电演练").exists()
    assert "机房断电演练" in web.get("/monitoring/maintenance/").content.decode()
    bad = web.post("/monitoring/maintenance/new/", {"components": [component.pk], "start": "2026-11-25T22:00",
                                                    "end": "2026-11-25T21:00", "reason": "x"})
    assert bad.status_code == 400 and "结束时间须晚于开始时间" in bad.content.decode()


def test_status_pages_public_and_bureau(contract, pm, make_member, component, monitor, client_for, client, clock):
    StateChange.objects.create(contract=contract, monitor=monitor, from_state="unknown", to_state="down",
                               at=clock.now() - dt.timedelta(hours=1), evidence={"error": "内部错误 10.0.0.7"})
    Monitor.objects.filter(pk=monitor.pk).update(state="down", last_error="内部错误 10.0.0.7")
    web = client_for(pm)
    answer = web.post("/monitoring/status/settings/", {"title": "石龙区政务服务运行状态", "slug": "shilong-status",
                                                       "public": "on", "public_components": [component.pk]})
    assert answer.status_code == 302
    page = StatusPage.objects.get(contract=contract)
    assert list(page.public_components.all()) == [component]
    liaison = make_member(contract, "bureau_liaison")
    bureau = client_for(liaison).get("/monitoring/status/").content.decode()
    assert "门户首页" in bureau and "内部错误 10.0.0.7" in bureau
    public = client.get("/monitoring/public/shilong-status/")
    assert public.status_code == 200
    text = public.content.decode()
    assert component.name in text and "故障" in text
    assert "门户首页" not in text and "10.0.0.7" not in text and "portal.example.gov.cn" not in text
    assert "<script" not in text and "cdn" not in text.lower()
    StatusPage.objects.filter(pk=page.pk).update(public=False)
    assert client.get("/monitoring/public/shilong-status/").status_code == 404
    bad = web.post("/monitoring/status/settings/", {"title": "x", "slug": "Not A Slug!"})
    assert bad.status_code == 400


def test_pages_are_isolated(contract, other_contract, outsider, monitor, client_for, pm, component):
    window = services.declare_maintenance(contract, by=pm, components=[component], start=core_clock.now(),
                                          end=core_clock.now() + dt.timedelta(hours=1), reason="内部维护")
    web = client_for(outsider)
    assert web.get(f"/monitoring/{monitor.pk}/").status_code == 404
    assert web.get(f"/monitoring/{monitor.pk}/edit/").status_code == 404
    assert web.post(f"/monitoring/maintenance/{window.pk}/end/").status_code == 404
    assert "门户首页" not in web.get("/monitoring/").content.decode()
    assert "内部维护" not in web.get("/monitoring/maintenance/").content.decode()
    assert "门户" not in web.get("/monitoring/status/").content.decode()


def test_home_panel_and_navigation(contract, pm, make_member, monitor, client_for):
    Monitor.objects.filter(pk=monitor.pk).update(state="down", state_since=core_clock.now())
    home = client_for(pm).get("/").content.decode()
    assert "home-monitoring" in home and "门户首页" in home and "/monitoring/" in home
    viewer = make_member(contract, "bureau_viewer")
    home = client_for(viewer).get("/").content.decode()
    assert "home-monitoring" in home and "/monitoring/status/" in home
    assert f"/monitoring/{monitor.pk}/" not in home  # the bureau sees components, not monitors


def test_the_status_page_reads_each_kind_once_whatever_the_components(contract, pm, client_for, clock):
    """A bar per day per component, the figures each component has on its own, and the
    statements the page runs do not grow with the components (issue 19)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from weibao.monitoring import selectors, status
    from weibao.servicedesk.models import ServiceComponent

    now = clock.now()
    components = [ServiceComponent.objects.create(contract=contract, code=f"c{n}", name=f"组件{n}") for n in range(4)]
    for n, component in enumerate(components):
        for m in range(2):
            monitor = services.create_monitor(contract, by=pm, name=f"监测{n}-{m}", kind="http", component=component,
                                              target=f"https://c{n}.example.gov.cn/{m}", interval_seconds=60,
                                              timeout_seconds=5)
            if n % 2:  # down for (n + m) hours, ending an hour ago
                StateChange.objects.create(contract=contract, monitor=monitor, from_state="up", to_state="down",
                                           at=now - dt.timedelta(hours=n + m + 1))
                StateChange.objects.create(contract=contract, monitor=monitor, from_state="down", to_state="up",
                                           at=now - dt.timedelta(hours=1))
    window = MaintenanceWindow.objects.create(contract=contract, reason="升级", start=now - dt.timedelta(hours=3),
                                              end=now + dt.timedelta(hours=1), created_by=pm)
    window.components.set([components[3]])
    # Yesterday wholly in maintenance on component 3: a day with nothing measured.
    yesterday = core_clock.today() - dt.timedelta(days=1)
    whole_day = MaintenanceWindow.objects.create(contract=contract, reason="迁移", start=_at(yesterday, 0),
                                                 end=_at(yesterday + dt.timedelta(days=1), 0), created_by=pm)
    whole_day.components.set([components[3]])
    web = client_for(pm)
    web.get("/monitoring/status/")
    with CaptureQueriesContext(connection) as queries:
        page = web.get("/monitoring/status/").content.decode()
    state_reads = [q for q in queries if '"monitoring_statechange"' in q["sql"]]
    window_reads = [q for q in queries if 'FROM "monitoring_maintenancewindow"' in q["sql"]]
    assert len(state_reads) == 2 and len(window_reads) <= 4, [q["sql"] for q in state_reads + window_reads]
    assert len(queries) <= 16, len(queries)
    context = status.page_context(contract, public=False)
    assert [row["component"] for row in context["rows"]] == components
    today = core_clock.today()
    first = today - dt.timedelta(days=status.BAR_DAYS - 1)
    for row, component in zip(context["rows"], components, strict=True):
        monitors = list(Monitor.objects.filter(component=component))
        alone = selectors.component_figures(component, first, today)
        assert row["percent"] == alone.percent
        days = selectors.daily(monitors, contract.pk, [component.pk], first, today)
        assert [(b["day"], b["percent"]) for b in row["bars"]] == [(d, f.percent) for d, f in days]
        assert len(row["bars"]) == status.BAR_DAYS
        assert row["in_maintenance"] == (component == components[3])
    assert context["rows"][1]["percent"] < 100 and context["rows"][0]["percent"] == 100
    assert page.count('style="flex:1;background:#') == 4 * status.BAR_DAYS
    # What a reader sees on hovering a bar: the day, its availability and minutes down
    # (component 1 was down 1 h and 2 h of its monitors' time, ending an hour ago), or
    # that nothing was measured; red, green or grey.
    today_of_1 = context["rows"][1]["bars"][-1]
    assert f'<span title="{today:%Y-%m-%d}：{today_of_1["percent"]}%，故障 ' in page
    assert f'<span title="{yesterday:%Y-%m-%d}：无数据" style="flex:1;background:#d0d4da">' in page
    assert f'<span title="{first:%Y-%m-%d}：100.000%，故障 0.0 分钟" style="flex:1;background:#22a06b">' in page
    web.cookies["django_language"] = "en"
    english = web.get("/monitoring/status/").content.decode()
    assert f'<span title="{yesterday:%Y-%m-%d}：No data"' in english and "Fault 0.0 minutes" in english
