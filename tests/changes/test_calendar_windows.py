"""The monitoring app's maintenance windows on the change calendar (changes.calendar)."""

from __future__ import annotations

import datetime as dt

from weibao.changes import calendar, services
from weibao.monitoring import services as monitoring
from weibao.servicedesk.models import ServiceComponent


def _declare(contract, pm, start, end, reason):
    component = ServiceComponent.objects.create(contract=contract, code=f"c{contract.pk}", name="统一身份认证")
    return monitoring.declare_maintenance(contract, by=pm, components=[component], start=start, end=end,
                                          reason=reason)


def test_a_change_planned_in_a_maintenance_window_names_the_window_as_a_conflict(contract, pm, engineer, window):
    _declare(contract, pm, window[0] - dt.timedelta(hours=1), window[0] + dt.timedelta(hours=1), "数据库扩容维护")
    change = services.request_change(contract, by=engineer, kind="normal", title="证书更换", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=window[0],
                                     planned_end=window[1])
    assert any("数据库扩容维护" in c for c in calendar.conflicts(change))


def test_a_change_outside_every_maintenance_window_has_no_window_conflict(contract, pm, engineer, window):
    _declare(contract, pm, window[1], window[1] + dt.timedelta(hours=1), "数据库扩容维护")  # starts as it ends
    change = services.request_change(contract, by=engineer, kind="normal", title="证书更换", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=window[0],
                                     planned_end=window[1])
    assert not any("维护窗口" in c for c in calendar.conflicts(change))


def test_the_calendar_page_shows_the_contracts_maintenance_windows_and_not_another_contracts(
    contract, other_contract, pm, outsider, window, client_for
):
    _declare(contract, pm, window[0], window[1], "数据库扩容维护")
    _declare(other_contract, outsider, window[0], window[1], "别家机房搬迁")
    day = calendar.month(contract, 2026, 12)[0]
    assert [w.label for w in day["windows"]] == ["数据库扩容维护"]
    page = client_for(pm).get("/changes/calendar/?month=2026-12").content.decode()
    assert "数据库扩容维护" in page and "别家机房搬迁" not in page
    assert "数据库扩容维护" not in client_for(outsider).get("/changes/calendar/?month=2026-12").content.decode()
