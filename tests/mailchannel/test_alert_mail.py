"""Alerts by e-mail (decision 0027): mail to a mailbox's secret sub-address becomes an
alert of the contract's e-mail integration, never a ticket; stored first like all mail."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.header import Header

import pytest

from weibao.incidents import ingest, integrations
from weibao.incidents.models import Alert, Delivery, Incident, Integration
from weibao.mailchannel.models import InboundMail, Mailbox
from weibao.mailchannel.services import alerts, inbound
from weibao.servicedesk.models import ServiceComponent, Ticket

from .test_transport import run_receiver  # noqa: F401 - the fixture: a receiver on a free port

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_integration(contract, mailbox, pm):
    return integrations.create_integration(contract, by=pm, kind="email", name="监控邮件", group_by=["alertname"])


def alert_mail(to: str, subject: str, *, message_id: str, date: str = "Tue, 24 Nov 2026 09:58:00 +0800",
               sender: str = "alertmanager@ops.shilong.test", headers: str = "", body: str = "门户 5 分钟内探测失败 3 次。") -> bytes:
    return (
        f"From: Alertmanager <{sender}>\r\nTo: {to}\r\nSubject: {Header(subject, 'utf-8').encode()}\r\n"
        f"Date: {date}\r\nMessage-ID: <{message_id}>\r\n{headers}MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def address_of(integration) -> str:
    return alerts.alert_addresses(integration)[0]


def test_the_integration_address_is_a_secret_sub_address_of_the_contract_mailbox(email_integration, mailbox):
    address = address_of(email_integration)

    assert address == f"support+alert-{email_integration.secret}@weibao.test"
    assert email_integration.secret.isalnum() and email_integration.secret == email_integration.secret.lower()
    assert integrations.intake_address(email_integration) == f"mailto:{address}"
    assert email_integration.path == ""


def test_mail_to_the_alert_address_opens_an_incident_not_a_ticket(email_integration, deliver, contract, clock):
    stored = deliver(alert_mail(address_of(email_integration), "[FIRING:1] 政务服务门户无法访问", message_id="a1@ops"))

    assert (stored.status, stored.outcome) == ("processed", "alert")
    assert not Ticket.objects.exists()
    incident = Incident.objects.get()
    assert (incident.contract, incident.title, incident.status) == (contract, "政务服务门户无法访问", "open")
    alert = Alert.objects.get()
    assert alert.labels == {"alertname": "政务服务门户无法访问", "sender": "alertmanager@ops.shilong.test"}
    assert alert.annotations["message_id"] == "<a1@ops>" and "探测失败" in alert.annotations["description"]
    assert alert.starts_at == clock.now() - timedelta(minutes=2)  # the mail's Date
    assert Delivery.objects.get().state == "processed"


def test_a_recovery_mail_resolves_the_alert_and_its_incident(email_integration, deliver, clock):
    to = address_of(email_integration)
    deliver(alert_mail(to, "[FIRING:1] 政务服务门户无法访问", message_id="a1@ops"))
    # A reminder of the same alert (new Message-ID, later Date) is the same alert.
    deliver(alert_mail(to, "[FIRING:1] 政务服务门户无法访问", message_id="a2@ops", date="Tue, 24 Nov 2026 10:28:00 +0800"))
    assert Alert.objects.count() == 1

    deliver(alert_mail(to, "[RESOLVED] 政务服务门户无法访问", message_id="a3@ops", date="Tue, 24 Nov 2026 10:40:00 +0800"))

    alert = Alert.objects.get()
    assert alert.status == "resolved" and alert.ends_at.isoformat() == "2026-11-24T02:40:00+00:00"
    assert Incident.objects.get().status == "resolved"


@pytest.mark.parametrize("firing, resolved", [
    ("Problem: High CPU on web1", "Resolved in 5m 3s: High CPU on web1"),  # Zabbix's default subjects
    ("【告警】数据库连接数过高", "【恢复】数据库连接数过高"),
    ("数据库连接数过高", "已恢复：数据库连接数过高"),
])
def test_recovery_is_read_from_the_subject_of_common_senders(email_integration, deliver, firing, resolved, clock):
    to = address_of(email_integration)
    deliver(alert_mail(to, firing, message_id="f@ops"))
    deliver(alert_mail(to, resolved, message_id="r@ops", date="Tue, 24 Nov 2026 10:10:00 +0800"))

    assert list(Alert.objects.values_list("status", flat=True)) == ["resolved"]
    assert Incident.objects.get().status == "resolved"


def test_the_same_message_delivered_twice_changes_nothing(email_integration, deliver, clock):
    raw = alert_mail(address_of(email_integration), "[FIRING:1] 政务服务门户无法访问", message_id="same@ops")
    deliver(raw)
    before = (Incident.objects.count(), Alert.objects.count(), Delivery.objects.count())

    again = deliver(raw)  # IMAP fetched it again, or the MTA retried after a lost answer

    assert (again.status, again.outcome) == ("processed", "duplicate")
    assert (Incident.objects.count(), Alert.objects.count(), Delivery.objects.count()) == before


def test_labels_in_the_subject_choose_the_component_and_the_level(email_integration, deliver, contract, clock):
    portal = ServiceComponent.objects.get_or_create(contract=contract, code="portal", defaults={"name": "政务服务门户"})[0]

    deliver(alert_mail(address_of(email_integration), "【告警】门户无法访问 [component=portal][level=II]", message_id="l@ops"))

    incident = Incident.objects.get()
    assert (incident.component, incident.level, incident.title) == (portal, "II", "门户无法访问")
    assert Alert.objects.get().labels["component"] == "portal"


def test_headers_may_state_the_status_and_the_fingerprint(email_integration, deliver, clock):
    to = address_of(email_integration)
    deliver(alert_mail(to, "备份任务 #381 失败", message_id="h1@ops", headers="X-Weibao-Alert-Fingerprint: backup-nightly\r\n"))
    deliver(alert_mail(to, "备份任务 #382 成功", message_id="h2@ops", date="Tue, 24 Nov 2026 11:00:00 +0800",
                       headers="X-Weibao-Alert-Fingerprint: backup-nightly\r\nX-Weibao-Alert-Status: resolved\r\n"))

    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.status) == ("backup-nightly", "resolved")


def test_automatic_mail_and_a_storm_from_one_sender_are_not_screened_out(email_integration, deliver, clock):
    to = address_of(email_integration)
    for n in range(25):  # more than the flood rule lets one sender send a ticket desk
        deliver(alert_mail(to, f"[FIRING:1] 节点 {n} 磁盘将满", message_id=f"s{n}@ops", headers="Auto-Submitted: auto-generated\r\n"))

    assert Alert.objects.count() == 25
    assert set(InboundMail.objects.values_list("outcome", flat=True)) == {"alert"}


def test_a_mail_that_is_no_alert_is_kept_for_inspection(email_integration, deliver, clock):
    stored = deliver(alert_mail(address_of(email_integration), "RESOLVED", message_id="bad@ops"))

    assert (stored.status, stored.outcome) == ("ignored", "alert")
    assert stored.reason.startswith("alert_rejected: ") and "subject" in stored.reason
    assert bytes(stored.raw).startswith(b"From: Alertmanager")
    delivery = Delivery.objects.get()
    assert delivery.state == "rejected" and '"subject": "RESOLVED"' in delivery.body
    assert not Incident.objects.exists() and not Ticket.objects.exists()


def test_a_rotated_address_opens_nothing_and_the_mail_is_kept(email_integration, deliver, pm, clock):
    old = address_of(email_integration)
    integrations.rotate(email_integration, by=pm)

    stored = deliver(alert_mail(old, "[FIRING:1] 政务服务门户无法访问", message_id="old@ops"))

    assert (stored.status, stored.reason) == ("ignored", "alert_unknown")
    assert not Incident.objects.exists() and not Ticket.objects.exists()
    assert address_of(email_integration) != old

    # A person wrote to the old address: the project manager forces it into a ticket.
    assert inbound.process_safely(stored.pk, force=True).outcome == "created"
    assert Ticket.objects.count() == 1 and not Incident.objects.exists()


def test_mail_for_contract_a_never_opens_an_incident_in_contract_b(
    email_integration, deliver, mailbox, other_mailbox, other_contract, make_member, clock
):
    other_pm = make_member(other_contract, "project_manager", username="other_pm")
    theirs = integrations.create_integration(other_contract, by=other_pm, kind="email", name="他们的监控")
    # A's secret under B's mailbox address, and B's secret under A's: neither is an alert address.
    crossed = [
        deliver(alert_mail(f"help+alert-{email_integration.secret}@other.test", "[FIRING:1] 甲", message_id="x1@ops"), box=other_mailbox),
        deliver(alert_mail(f"support+alert-{theirs.secret}@weibao.test", "[FIRING:1] 乙", message_id="x2@ops")),
    ]
    assert not Incident.objects.exists() and not Ticket.objects.exists()
    assert [(m.status, m.reason) for m in crossed] == [("ignored", "alert_unknown")] * 2

    deliver(alert_mail(address_of(email_integration), "[FIRING:1] 丙", message_id="x3@ops"))
    deliver(alert_mail(address_of(theirs), "[FIRING:1] 丁", message_id="x4@ops"), box=other_mailbox)

    assert set(Incident.objects.values_list("contract_id", "title")) == {
        (email_integration.contract_id, "丙"), (other_contract.pk, "丁"),
    }
    assert inbound.accepts_recipient(f"help+alert-{email_integration.secret}@other.test") is False


def test_an_alert_that_cannot_be_stored_now_is_kept_and_retried(email_integration, deliver, monkeypatch, clock):
    def down(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(ingest, "receive", down)
    stored = deliver(alert_mail(address_of(email_integration), "[FIRING:1] 政务服务门户无法访问", message_id="r@ops"))
    assert stored.status == "failed" and "database unavailable" in stored.last_error
    assert not Delivery.objects.exists()

    monkeypatch.undo()
    clock.advance(timedelta(minutes=5))
    assert inbound.retry_due() == 1

    stored.refresh_from_db()
    assert (stored.status, stored.outcome) == ("processed", "alert")
    assert Incident.objects.count() == 1


def test_the_api_lists_the_address_as_a_mailto_url_for_managers(email_integration, contract, pm, api_client_for, clock):
    rows = api_client_for(pm).get(f"/api/v1/integrations/?contract={contract.pk}").json()["results"]

    assert [(r["kind"], r["url"]) for r in rows] == [("email", f"mailto:{address_of(email_integration)}")]
    Mailbox.objects.update(active=False)  # no mailbox to receive it: no address to give
    rows = api_client_for(pm).get(f"/api/v1/integrations/?contract={contract.pk}").json()["results"]
    assert rows[0]["url"] == ""


def test_the_webhook_url_does_not_take_an_email_integration(email_integration, client):
    response = client.post(f"/api/v1/integrations/email/{email_integration.secret}/", data="{}", content_type="application/json")

    assert response.status_code == 404
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_alert_mail_through_the_lmtp_receiver_becomes_an_incident(run_receiver, contract, pm):  # noqa: F811
    from weibao.mailchannel.receiver import django_receiver
    from weibao.servicedesk.services.defaults import install_defaults

    install_defaults(contract)
    Mailbox.objects.create(contract=contract, address="support@weibao.test")
    integration = integrations.create_integration(contract, by=pm, kind="email", name="监控邮件")
    port = run_receiver(django_receiver(lmtp=True, hostname="mx.test"))
    to = f"support+alert-{integration.secret}@weibao.test"
    client = smtplib.LMTP("127.0.0.1", port)
    try:
        # Bcc'd: only the envelope names the alert address (the receiver's Delivered-To).
        client.sendmail("alertmanager@ops.shilong.test", [to.upper()],
                        alert_mail("ops-team@ops.shilong.test", "[FIRING:1] 统一身份认证登录失败率高", message_id="lmtp@ops"))
        with pytest.raises(smtplib.SMTPRecipientsRefused):  # an unknown or rotated secret: 550
            client.sendmail("alertmanager@ops.shilong.test", ["support+alert-aaaaaaaaaaaaaaaaaaaa@weibao.test"], b"Subject: x\r\n\r\nx\r\n")
    finally:
        client.quit()

    stored = InboundMail.objects.get()
    assert (stored.source, stored.status, stored.outcome) == ("lmtp", "processed", "alert")
    incident = Incident.objects.get()
    assert (incident.contract, incident.title, incident.integration.kind) == (contract, "统一身份认证登录失败率高", Integration.Kind.EMAIL)
    assert not Ticket.objects.exists()


def test_the_integrations_page_creates_one_and_shows_its_address_or_why_not(contract, pm, client_for, clock):
    client = client_for(pm)
    assert client.post("/incidents/integrations/", {"name": "存储阵列", "kind": "email"}).status_code == 302
    integration = Integration.objects.get(kind="email")
    assert "本合同没有启用的服务邮箱" in client.get("/incidents/integrations/").content.decode()

    Mailbox.objects.create(contract=contract, address="desk@weibao.test")
    html = client.get("/incidents/integrations/").content.decode()
    assert f"desk+alert-{integration.secret}@weibao.test" in html and "mailto:" not in html
