"""好差评: rate once when finished; a dissatisfied rating opens a rectification due in
15 working days that closes only after a recorded call-back; the period figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from weibao.audit.models import AuditRecord
from weibao.core.models import Event
from weibao.feedback.models import Rating, Rectification
from weibao.feedback.services import figures, ratings, rectifications
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
    shown = figures.satisfaction_figures(contract, date(today.year, today.month, 1), today)
    assert shown.ratings == 5
    assert shown.per_level == {5: 2, 4: 1, 3: 1, 2: 1, 1: 0}
    assert str(shown.satisfaction_rate) == "80.0"
    assert shown.consultations == 4 and str(shown.first_contact_rate) == "75.0"
    assert shown.average_talk_seconds == 270  # 3, 4, 5 and 6 minutes
    assert shown.rectifications_open == 1


def test_liaison_rates_from_the_ticket_page(resolved, liaison, client_for):
    ticket = resolved()
    web = client_for(liaison)
    assert "rating-form" in web.get(f"/tickets/{ticket['id']}/").content.decode()
    web.post(f"/feedback/rate/{ticket['id']}/", {"level": "4", "comment": "满意"})
    page = web.get(f"/tickets/{ticket['id']}/").content.decode()
    assert "rating-form" not in page and "满意" in page


# -- who rates: the requester's own rating, or the vendor relaying it from a call-back ----


@pytest.fixture
def portal(contract, desk):
    """A citizen following a ticket on the contract's public portal."""
    from django.test import Client

    from weibao.portal.models import PortalSite

    PortalSite.objects.create(contract=contract, slug="shilong", title="石龙区运维服务门户")
    citizen = Client()

    def rate(ticket, level, comment=""):
        citizen.post("/portal/shilong/track/", {"number": ticket["number"], "phone": "13812345678"})
        return citizen.post(f"/portal/shilong/t/{ticket['number']}/", {"level": str(level), "comment": comment},
                            follow=True)

    return rate


def _rate(client, ticket, level, comment=""):
    return client.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": level, "comment": comment}, format="json")


def test_a_hotline_agents_rating_is_a_phone_callback_and_the_citizens_portal_rating_replaces_it(
    resolved, agent, api_client_for, portal
):
    ticket = resolved()
    response = _rate(api_client_for(agent), ticket, 5, "电话里说很满意")
    assert response.status_code == 201
    assert (response.json()["source"], response.json()["recorded_by"]) == ("phone", "agent")
    assert response.json()["source_label"] == "电话回访代录"

    page = portal(ticket, 1, "其实没解决").content.decode()
    assert "感谢您的评价" in page and "不能重复评价" not in page
    rating = Rating.objects.get()  # still one row per ticket
    assert (rating.level, rating.source, rating.recorded_by, rating.comment) == (1, "portal", None, "其实没解决")
    assert rating.superseded_at is not None
    assert Rectification.objects.filter(rating=rating).count() == 1
    change = AuditRecord.objects.get(action="rating.supersede")
    assert change.actor_username == "portal requester"
    assert (change.before["level"], change.before["source"]) == (5, "phone")
    assert (change.after["level"], change.after["source"]) == (1, "portal")


def test_every_rating_is_audited_with_its_actor_ticket_level_and_source(resolved, pm, api, portal):
    by_pm, by_citizen = resolved(), resolved()
    _rate(api, by_pm, 4)
    portal(by_citizen, 3)
    records = {r.detail["ticket"]: r for r in AuditRecord.objects.filter(action="rating.create")}
    assert records[by_pm["number"]].actor == pm
    assert records[by_pm["number"]].detail == {"ticket": by_pm["number"], "level": 4, "source": "phone"}
    assert records[by_citizen["number"]].actor is None
    assert records[by_citizen["number"]].actor_username == "portal requester"
    assert records[by_citizen["number"]].detail == {"ticket": by_citizen["number"], "level": 3, "source": "portal"}


def test_a_pm_rating_from_the_ticket_page_is_a_phone_callback(resolved, pm, client_for):
    ticket = resolved()
    web = client_for(pm)
    response = web.post(f"/feedback/rate/{ticket['id']}/", {"level": "5"}, follow=True)
    assert "已记录电话回访评价" in response.content.decode()
    rating = Rating.objects.get()
    assert (rating.source, rating.recorded_by) == ("phone", pm)
    assert "电话回访代录" in web.get(f"/tickets/{ticket['id']}/").content.decode()


def test_the_liaisons_own_rating_replaces_a_relayed_one_once_and_opens_the_rectification(
    api, resolved, liaison, api_client_for
):
    ticket = resolved()
    assert _rate(api, ticket, 4).json()["rectification"] is None
    bureau = api_client_for(liaison)
    response = _rate(bureau, ticket, 2, "整改不到位")
    assert response.status_code == 201
    assert (response.json()["level"], response.json()["source"], response.json()["recorded_by"]) == (2, "api", "liaison")
    assert response.json()["rectification"]["status"] == "open"
    assert Rating.objects.count() == 1
    again = _rate(bureau, ticket, 5)
    assert again.status_code == 400 and "该工单已评价，不能重复评价" in again.json()["level"][0]
    vendor_again = _rate(api, ticket, 5)
    assert vendor_again.status_code == 400 and "level" in vendor_again.json()
    assert Rating.objects.get().level == 2


def test_the_vendor_cannot_rate_twice_nor_over_the_requesters_own(resolved, agent, api, api_client_for, liaison):
    relayed, own = resolved(), resolved()
    assert _rate(api_client_for(agent), relayed, 5).status_code == 201
    response = _rate(api, relayed, 4)  # the PM, same side
    assert response.status_code == 400 and "该工单已评价，不能重复评价" in response.json()["level"][0]
    assert _rate(api_client_for(liaison), own, 1).status_code == 201
    response = _rate(api_client_for(agent), own, 5)
    assert response.status_code == 400 and "level" in response.json()
    assert Rating.objects.get(ticket_id=own["id"]).level == 1


def test_replacing_a_relayed_dissatisfied_rating_opens_no_second_rectification(api, resolved, portal):
    ticket = resolved()
    _rate(api, ticket, 1, "电话里说没解决")
    portal(ticket, 2, "还是不满意")
    assert Rectification.objects.count() == 1
    assert Rectification.objects.get().rating.level == 2


def test_may_rate_follows_the_rules(api, resolved, pm, liaison, agent):
    ticket_data = resolved()
    ticket = Ticket.objects.get(pk=ticket_data["id"])
    assert ratings.may_rate(pm, ticket) and ratings.may_rate(liaison, ticket) and ratings.may_rate(None, ticket)
    _rate(api, ticket_data, 3)
    assert not ratings.may_rate(agent, ticket)
    assert ratings.may_rate(liaison, ticket) and ratings.may_rate(None, ticket)
    ratings.rate(ticket, 4, by=None, source="portal")
    assert not ratings.may_rate(liaison, ticket) and not ratings.may_rate(None, ticket)


def test_vendor_ratings_recorded_before_the_fix_become_phone_callbacks(resolved, pm, liaison):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("weibao.feedback.migrations.0002_rating_phone_relay_superseded")
    by_pm, by_liaison = resolved(), resolved()
    Rating.objects.create(contract_id=by_pm["contract"], ticket_id=by_pm["id"], level=5, source="web", recorded_by=pm)
    Rating.objects.create(contract_id=by_liaison["contract"], ticket_id=by_liaison["id"], level=5, source="api",
                          recorded_by=liaison)
    migration.relayed_ratings_are_phone(apps, None)
    assert Rating.objects.get(ticket_id=by_pm["id"]).source == "phone"
    assert Rating.objects.get(ticket_id=by_liaison["id"]).source == "api"


# -- the call-back of a closed rectification -------------------------------------------------


def test_no_callback_is_recorded_once_the_rectification_is_closed(api, resolved, pm, client_for):
    ticket = resolved()
    _rate(api, ticket, 1, "没解决")
    item = Rectification.objects.get()
    rectifications.record_callback(item, by=pm, notes="已回访", outcome="accepted", plan="优化提示")
    rectifications.close(item, by=pm)
    with pytest.raises(ValidationError) as refused:
        rectifications.record_callback(item, by=pm, notes="改写回访", outcome="satisfied")
    assert "该整改已办结，不能再记录回访" in str(refused.value)
    response = client_for(pm).post(f"/feedback/{item.pk}/callback/", {
        "callback_notes": "再次回访", "callback_outcome": "satisfied"}, follow=True)
    assert "该整改已办结，不能再记录回访" in response.content.decode()
    item.refresh_from_db()
    assert (item.callback_notes, item.callback_outcome) == ("已回访", "accepted")
    assert AuditRecord.objects.filter(action="rectification.callback").count() == 1


# -- the requester's own rating after a rectification the desk's relay opened ----------------


def _closed_on_a_relayed_callback(api_client_for, agent, pm, ticket):
    _rate(api_client_for(agent), ticket, 1, "电话里说没解决")
    item = Rectification.objects.get()
    rectifications.record_callback(item, by=pm, notes="电话回访：已重装驱动，请求人认可", outcome="accepted",
                             plan="更新证书驱动安装指引")
    rectifications.close(item, by=pm)
    return item


@pytest.mark.parametrize("level", [1, 2])
def test_the_requesters_own_dissatisfied_rating_reopens_a_rectification_closed_on_the_relayed_callback(
    resolved, agent, pm, api_client_for, client_for, portal, clock, level
):
    clock.set_now(datetime(2026, 9, 24, 2, 0, tzinfo=UTC))
    ticket = resolved()
    item = _closed_on_a_relayed_callback(api_client_for, agent, pm, ticket)
    assert item.due_on == date(2026, 10, 22)
    clock.set_now(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))  # a Monday, weeks later

    portal(ticket, level, "根本没解决，电话里不是我说的")

    item.refresh_from_db()
    assert item.status == "open" and item.closed_at is None
    # 15 working days after 11-02: 11-03..06 (4), 11-09..13 (9), 11-16..20 (14), 11-23 (15).
    assert item.due_on == date(2026, 11, 23)
    assert (item.callback_at, item.callback_by, item.callback_notes, item.callback_outcome) == (None, None, "", "")
    assert item.opened_level == level
    reopen = AuditRecord.objects.get(action="rectification.reopen")
    assert reopen.actor_username == "portal requester"
    assert reopen.before["status"] == "closed" and reopen.before["callback_notes"] == "电话回访：已重装驱动，请求人认可"
    assert reopen.before["callback_by_id"] == pm.pk and reopen.before["closed_at"]
    assert reopen.after["status"] == "open" and reopen.after["callback_at"] is None
    note = Notification.objects.get(recipient=pm, kind="rectification.reopened")
    assert ticket["number"] in note.subject and "2026-11-23" in note.subject
    with pytest.raises(ValidationError):
        rectifications.close(item, by=pm)  # a new call-back first
    page = client_for(pm).get(f"/feedback/{item.pk}/").content.decode()
    assert "电话回访：已重装驱动，请求人认可" in page and "此前回访" in page and "尚未回访" in page


def test_a_satisfied_rating_of_the_requester_leaves_a_closed_rectification_closed(
    resolved, agent, pm, api_client_for, portal
):
    ticket = resolved()
    item = _closed_on_a_relayed_callback(api_client_for, agent, pm, ticket)
    portal(ticket, 4, "后来确实解决了")
    item.refresh_from_db()
    assert item.status == "closed" and item.callback_notes
    assert not AuditRecord.objects.filter(action="rectification.reopen").exists()
    assert not Notification.objects.filter(kind__in=["rectification.reopened", "rating.rerated"]).exists()


def test_the_pm_hears_the_requesters_new_dissatisfied_level_on_an_open_rectification(
    resolved, agent, pm, api_client_for, portal
):
    ticket = resolved()
    _rate(api_client_for(agent), ticket, 2, "电话里说不太满意")
    portal(ticket, 1, "非常不满意")
    item = Rectification.objects.get()
    assert item.status == "open" and item.rating.level == 1
    note = Notification.objects.get(recipient=pm, kind="rating.rerated")
    assert ticket["number"] in note.subject and "非常不满意" in note.subject


def test_a_satisfied_re_rating_keeps_the_rectification_open_and_shows_both_levels(
    resolved, agent, pm, api_client_for, client_for, portal
):
    ticket = resolved()
    _rate(api_client_for(agent), ticket, 1, "电话里说没解决")
    portal(ticket, 4, "其实挺好")
    item = Rectification.objects.get()
    assert item.status == "open" and item.opened_level == 1
    note = Notification.objects.get(recipient=pm, kind="rating.rerated")
    assert ticket["number"] in note.subject and "满意" in note.subject
    page = client_for(pm).get(f"/feedback/{item.pk}/").content.decode()
    assert "开启整改的评价" in page and "当前评价" in page
    assert '<dd id="opened-level">非常不满意</dd>' in page
    assert '<dd id="current-level">满意' in page
    with pytest.raises(ValidationError):
        rectifications.close(item, by=pm)  # the PM still calls back


def test_rectifications_opened_before_the_fix_learn_the_level_that_opened_them(
    resolved, agent, api_client_for, portal
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("weibao.feedback.migrations.0003_rectification_opened_level")
    kept, replaced = resolved(), resolved()
    _rate(api_client_for(agent), kept, 2)
    _rate(api_client_for(agent), replaced, 1)
    portal(replaced, 5)
    Rectification.objects.update(opened_level=None)
    migration.opened_levels(apps, None)
    assert Rectification.objects.get(ticket_id=kept["id"]).opened_level == 2
    assert Rectification.objects.get(ticket_id=replaced["id"]).opened_level == 1
