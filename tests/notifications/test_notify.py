from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail

from weibao.notifications import notify
from weibao.notifications.models import Delivery, Notification
from weibao.notifications.tasks import retry_pending_deliveries
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db(transaction=True)


def test_notify_stores_inbox_entry_and_sends_email(contract, make_member, clock):
    user = make_member(contract, "resident_engineer", email="li@example.cn")
    notify([user, user], subject="工单即将超时", body="SL-2026-000001", contract=contract, link="/tickets/1/")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "工单即将超时"
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_same_dedup_key_notifies_once(contract, make_member):
    user = make_member(contract, "resident_engineer")
    notify(user, subject="违约", contract=contract, dedup_key="sla-breach:1")
    notify(user, subject="违约", contract=contract, dedup_key="sla-breach:1")
    assert Notification.objects.filter(recipient=user).count() == 1


def test_failed_email_is_kept_and_retried_later(contract, make_member, clock):
    user = make_member(contract, "resident_engineer", email="li@example.cn")
    with mock.patch("weibao.notifications.channels.email.EmailMessage.send", side_effect=OSError("smtp down")):
        notify(user, subject="告警", contract=contract)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1 and "smtp down" in delivery.last_error
    assert retry_pending_deliveries.call_local() == 0  # not due yet
    clock.advance(timedelta(minutes=5))
    assert retry_pending_deliveries.call_local() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_inbox_shows_only_own_notifications(contract, make_member, outsider, client_for):
    user = make_member(contract, "resident_engineer")
    note = notify(user, subject="只给李工的通知", contract=contract)[0]
    response = client_for(user).get("/notifications/")
    assert "只给李工的通知" in response.content.decode()
    assert_isolated(client_for(outsider), ["/notifications/"], secrets=["只给李工的通知"])
    response = client_for(outsider).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 404
