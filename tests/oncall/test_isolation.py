"""Another contract's member reaches none of the on-call rows: every route, page and API,
read and write, answers a refusal or a page without the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.oncall.conftest import at
from weibao.oncall import duty, feeds
from weibao.oncall.models import DutyPlan, Handover, Override, TimeOff
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(clock, contract, pm, team, schedule):
    override = Override.objects.create(contract=contract, schedule=schedule, user=team["a"], start=at(2026, 12, 1),
                                       end=at(2026, 12, 2), reason="秘密换班理由")
    time_off = TimeOff.objects.create(contract=contract, user=team["a"], start=at(2026, 12, 1), end=at(2026, 12, 2))
    period = duty.holiday_periods(contract.pk, dt.date(2027, 1, 1), dt.date(2027, 1, 1))[0]
    plan = duty.generate_plan(contract, period, by=pm)
    handover = Handover.objects.create(contract=contract, outgoing=team["a"], incoming=team["b"], notes="秘密交班说明")
    feed, secret = feeds.create_feed(contract, by=pm, schedule=schedule)
    return {"schedule": schedule, "layer": schedule.layers.first(), "override": override, "time_off": time_off,
            "plan": plan, "day": plan.days.first(), "handover": handover, "feed": feed, "secret": secret}


def urls(r):
    return [
        f"/oncall/schedules/{r['schedule'].pk}/", f"/oncall/schedules/{r['schedule'].pk}/layers/",
        f"/oncall/schedules/{r['schedule'].pk}/edit/",
        f"/oncall/schedules/{r['schedule'].pk}/import/", f"/oncall/layers/{r['layer'].pk}/delete/",
        f"/oncall/overrides/{r['override'].pk}/decide/", f"/oncall/time-off/{r['time_off'].pk}/delete/",
        f"/oncall/holidays/{r['plan'].pk}/", f"/oncall/holidays/days/{r['day'].pk}/",
        f"/oncall/holidays/{r['plan'].pk}/send/", f"/oncall/holidays/{r['plan'].pk}/confirm/",
        f"/oncall/handovers/{r['handover'].pk}/acknowledge/", f"/oncall/feeds/{r['feed'].pk}/revoke/",
    ]


SECRETS = ["技术支持值班", "秘密换班理由", "秘密交班说明", "赵磊", "李明"]


def test_outsider_pages_get_and_post(rows, contract, outsider, client_for):
    client = client_for(outsider)
    assert_isolated(client, urls(rows), SECRETS)
    for url in urls(rows):
        response = client.post(url, {"decision": "approve", "mode": "onsite"})
        assert response.status_code in (403, 404, 405), url
    for url in ["/oncall/", "/oncall/overrides/", "/oncall/residency/", "/oncall/holidays/", "/oncall/handovers/",
                "/oncall/feeds/", "/oncall/gaps/"]:
        assert_isolated(client, [url], SECRETS)
    # Nothing changed.
    assert Override.objects.get().status == "requested"
    assert DutyPlan.objects.get().status == "draft"
    assert Handover.objects.get().acknowledged_at is None


def test_outsider_api(rows, contract, outsider, api_client_for):
    client = api_client_for(outsider)
    assert_isolated(client, [f"/api/v1/oncall/now/?contract={contract.pk}",
                             f"/api/v1/oncall/gaps/?contract={contract.pk}"], SECRETS)


def test_anonymous(rows, contract, client):
    assert_isolated(client, ["/oncall/", *urls(rows), f"/api/v1/oncall/now/?contract={contract.pk}"], SECRETS)
    # The feed's secret is its credential: with it, the calendar; a guessed one, nothing.
    assert client.get(f"/oncall/ical/{rows['secret']}.ics").status_code == 200
    assert client.get(f"/oncall/ical/{rows['secret'][:-1]}x.ics").status_code == 404
