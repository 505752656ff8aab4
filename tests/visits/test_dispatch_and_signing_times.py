"""Issue 13 item 5: dispatch offers those who do the work and defaults to the ticket's
assignee; a check-in belongs to the visit's day (the PM may record why it does not) and
a check-out comes after the arrival."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from weibao.audit.models import AuditRecord
from weibao.servicedesk.access import who_can_work
from weibao.visits import services
from weibao.visits.models import Visit


def _options(page: str, name: str) -> dict[str, bool]:
    """The options of the select ``name``: value -> selected."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {m.group(1): bool(m.group(2)) for m in re.finditer(r'<option value="(\d+)"\s*(selected)?', select)}


@pytest.fixture
def team(contract, make_member, engineer):
    return {
        "agent": make_member(contract, "hotline_agent", username="agent"),
        "oncall": make_member(contract, "oncall_engineer", username="oncall"),
        "liaison": make_member(contract, "bureau_liaison", username="liaison2"),
        "engineer": engineer,
    }


def test_only_engineers_and_the_pm_can_work_a_contracts_tickets(contract, pm, team):
    assert set(who_can_work(contract.pk)) == {pm, team["engineer"], team["oncall"]}


def test_dispatch_defaults_to_the_tickets_assignee_and_offers_only_who_does_the_work(
        pm, client_for, new_ticket, team, api):
    ticket = new_ticket(needs_onsite=True)
    api.post(f"/api/v1/tickets/{ticket['id']}/transition/",
             {"to": "assigned", "assignee": team["oncall"].pk}, format="json")
    page = client_for(pm).get("/visits/new/", {"ticket": ticket["id"]}).content.decode()
    options = _options(page, "engineer")
    assert str(team["agent"].pk) not in options and str(team["liaison"].pk) not in options
    assert str(team["engineer"].pk) in options
    assert [pk for pk, selected in options.items() if selected] == [str(team["oncall"].pk)]


def test_a_hotline_agent_cannot_be_sent_on_site(contract, pm, team, desk, clock):
    start = clock.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        services.plan(contract, engineer=team["agent"], start=start, end=start + dt.timedelta(hours=1),
                      location="机房", purpose="巡检", by=pm)
    assert "engineer" in error.value.message_dict
    assert not Visit.objects.exists()


@pytest.fixture
def visit(contract, pm, engineer, desk, clock):
    start = clock.now() + dt.timedelta(hours=4)  # 2026-11-24 14:00 Shanghai
    return services.plan(contract, engineer=engineer, start=start, end=start + dt.timedelta(hours=2),
                         location="机房", purpose="巡检", by=pm)


def test_an_engineer_cannot_check_in_a_day_early(visit, engineer, client_for, clock):
    clock.advance(dt.timedelta(days=-1))
    response = client_for(engineer).post(f"/visits/{visit.pk}/check_in/", follow=True)
    assert "2026-11-24" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.arrived_at is None
    clock.advance(dt.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.check_in(visit, by=engineer)
    assert "arrived_at" in error.value.message_dict


def test_an_early_check_in_on_the_day_itself_is_accepted(visit, engineer, clock):
    clock.advance(dt.timedelta(hours=-9, minutes=30))  # 00:30 the same day
    assert services.check_in(visit, by=engineer).status == "on_site"


def test_the_pm_may_check_in_outside_the_day_recording_why(visit, pm, clock):
    clock.advance(dt.timedelta(days=-1))
    with pytest.raises(ValidationError) as error:
        services.check_in(visit, by=pm)
    assert "reason" in error.value.message_dict
    services.check_in(visit, by=pm, reason="甲方要求提前一天到场")
    visit.refresh_from_db()
    assert visit.status == "on_site" and visit.override_reason == "甲方要求提前一天到场"
    assert AuditRecord.objects.get(action="visit.check_in").detail["override_reason"] == "甲方要求提前一天到场"


def test_check_out_in_the_same_minute_as_the_check_in_is_refused(visit, engineer, client_for, clock):
    services.check_in(visit, by=engineer)
    clock.advance(dt.timedelta(seconds=40))
    response = client_for(engineer).post(f"/visits/{visit.pk}/check_out/", {"work_done": "巡检正常"}, follow=True)
    assert "离场时间须晚于到场时间" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "on_site" and visit.departed_at is None
    with pytest.raises(ValidationError) as error:
        services.check_out(visit, by=engineer, work_done="巡检正常", at=visit.arrived_at - dt.timedelta(hours=1))
    assert "departed_at" in error.value.message_dict
    clock.advance(dt.timedelta(minutes=1))
    assert services.check_out(visit, by=engineer, work_done="巡检正常").status == "done"


def test_the_visit_page_tells_an_engineer_a_day_early_when_to_check_in(visit, engineer, client_for, clock):
    web = client_for(engineer)
    assert "到场签到" in web.get(f"/visits/{visit.pk}/").content.decode()
    clock.advance(dt.timedelta(days=-1))
    page = web.get(f"/visits/{visit.pk}/").content.decode()
    assert "本次现场服务计划在 2026-11-24" in page and "到场签到</button>" not in page
