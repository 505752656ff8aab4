import datetime as dt

import pytest


@pytest.fixture
def window(clock):
    """A planned window next Tuesday evening (no holiday near 2026-12-01)."""
    start = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return start, start + dt.timedelta(hours=2)


@pytest.fixture
def change_payload(contract, window):
    def make(**overrides):
        payload = {
            "contract": contract.pk, "kind": "normal", "title": "统一身份认证平台升级", "reason": "安全补丁",
            "implementation_plan": "滚动升级", "rollback_plan": "回滚镜像",
            "planned_start": window[0].isoformat(), "planned_end": window[1].isoformat(),
        }
        payload.update(overrides)
        return payload

    return make
