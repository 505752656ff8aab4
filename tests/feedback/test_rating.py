"""好差评: rate once when finished; a dissatisfied rating opens a rectification due in
15 working days that closes only after a recorded call-back; the period figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from weibao.audit.models import AuditRecord
from weibao.core.models import Event
from weibao.feedback import services
from weibao.feedback.models import Rectification
from weibao.notifications.models import Notification
from weibao.servicedesk.models import Ticket
from weibao.testing.isolation import assert_isolated


@pytest.fixture
def resolved(api, new_ticket, engineer):
    def make(**overrides):
        ticket = new_ticket(assignee=engineer.pk, **overrides)
        url = f"/api/v1/tickets/{ticket['id']}/transition/"
        api.post(url, {"to": "in_progress"}, format="json")
        assert api.post(url, {"to": "resolved", "comment": "已处理"}, format="json").status_code == 200
        return ticket

    return make


def test_rating_a_resolved_ticket(api, resolved):
    ticket = resolved()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": 5, "comment": "很快"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["level_label"] == "非常满意"
    assert response.json()["rectification"] is None


def test_rating_only_once(api, resolved):
    ticket = resolved()
    url = f"/api/v1/tickets/{ticket['id']}/rating/"
    assert api.post(url, {"level": 4}, format="json").status_code == 201
    response = api.post(url, {"level": 1}, format="json")
    assert response.status_code == 400 and "level" in response.json()


def test_rating_only_when_resolved_or_closed(api, new_ticket):
    ticket = new_ticket()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": 3}, format="json")
    assert response.status_code == 400 and "level" in response.json()


@pytest.mark.parametrize("payload", [{"level": 0}, {"level": 6}, {"level": "good"}, {}, {"level": 3, "stars": 5}])
def test_bad_ratings_name_the_field(api, resolved, payload):
    ticket = resolved()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/rating/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"level", "stars"}


def test_dissatisfied_opens_a_rectification_due_in_15_working_days(api, resolved, pm, clock):
    clock.set_now(datetime(2026, 9, 24, 2, 0, tzinfo=UTC))  # Thursday before Mid-autumn + National Day
    ticket = resolved()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": 2, "comment": "处理太慢"}, format="json")
    rectification = response.json()["rectification"]
    # 15 working days after 09-24: 09-25..27 Mid-autumn rest, 09-28..30 (3), 10-08..10 (6),
    # 10-12..16 (11), 10-19..22 (15) → 2026-10-22.
    assert rectification["due_on"] == "2026-10-22"
    assert Notification.objects.filter(recipient=pm, kind="rating.dissatisfied").exists()
    assert Event.objects.filter(type="rating.dissatisfied").exists()


def test_rectification_closes_only_after_a_callback(api, resolved, pm, client_for):
    ticket = resolved()
    api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": 1, "comment": "没解决"}, format="json")
    item = Rectification.objects.get()
    web = client_for(pm)
    response = web.post(f"/feedback/{item.pk}/close/", follow=True)
    assert "须先记录对请求人的回访" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"
    web.post(f"/feedback/{item.pk}/callback/", {"callback_notes": "电话回访，已演示新流程",
                                                "callback_outcome": "accepted", "plan": "优化证书校验提示"})
    web.post(f"/feedback/{item.pk}/close/")
    item.refresh_from_db()
    assert item.status == "closed" and item.callback_by == pm
    assert AuditRecord.objects.filter(action="rectification.callback").exists()
    assert AuditRecord.objects.filter(action="rectification.close").exists()
    assert "没解决" in web.get("/feedback/?status=closed").content.decode()


def test_who_may_rate(resolved, contract, make_member, api_client_for, liaison):
    ticket = resolved()
    engineer_client = api_client_for(make_member(contract, "oncall_engineer"))
    url = f"/api/v1/tickets/{ticket['id']}/rating/"
    assert engineer_client.post(url, {"level": 5}, format="json").status_code == 403
    assert api_client_for(liaison).post(url, {"level": 5}, format="json").status_code == 201


def test_rating_and_rectifications_are_isolated(api, resolved, outsider, api_client_for, client_for, contract):
    ticket = resolved()
    api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": 1, "comment": "秘密差评内容"}, format="json")
    item = Rectification.objects.get()
    secrets = ["秘密差评内容", ticket["number"]]
    assert_isolated(api_client_for(outsider), [f"/api/v1/tickets/{ticket['id']}/rating/"], secrets=secrets)
    assert_isolated(api_client_for(outsider), [f"/api/v1/tickets/{ticket['id']}/rating/"], secrets=secrets,
                    method="post", data={"level": 5})
    web = client_for(outsider)
    assert_isolated(web, ["/feedback/", f"/feedback/{item.pk}/"], secrets=secrets)
    assert_isolated(web, [f"/feedback/{item.pk}/callback/", f"/feedback/{item.pk}/close/"], secrets=secrets,
                    method="post", content_type="application/x-www-form-urlencoded")
    item.refresh_from_db()
    assert item.status == "open" and item.callback_at is None


def test_satisfaction_figures(api, resolved, contract, clock):
    for level in (5, 5, 4, 3, 2):
        ticket = resolved()
        api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": level}, format="json")
    calls = [resolved(type="consultation", priority="p4", channel="phone") for _ in range(4)]
    now = clock.now()
    for index, call in enumerate(calls):
        Ticket.objects.filter(pk=call["id"]).update(
            call_started_at=now, call_ended_at=now.replace(minute=3 + index),
            first_contact_resolved=index < 3,
        )
    today = clock.local_now().date()
    figures = services.satisfaction_figures(contract, date(today.year, today.month, 1), today)
    assert figures.ratings == 5
    assert figures.per_level == {5: 2, 4: 1, 3: 1, 2: 1, 1: 0}
    assert str(figures.satisfaction_rate) == "80.0"
    assert figures.consultations == 4 and str(figures.first_contact_rate) == "75.0"
    assert figures.average_talk_seconds == 270  # 3, 4, 5 and 6 minutes
    assert figures.rectifications_open == 1


def test_liaison_rates_from_the_ticket_page(resolved, liaison, client_for):
    ticket = resolved()
    web = client_for(liaison)
    assert "rating-form" in web.get(f"/tickets/{ticket['id']}/").content.decode()
    web.post(f"/feedback/rate/{ticket['id']}/", {"level": "4", "comment": "满意"})
    page = web.get(f"/tickets/{ticket['id']}/").content.decode()
    assert "rating-form" not in page and "满意" in page
