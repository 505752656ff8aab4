"""The project manager's mail pages: see, retry, force, download; others see nothing."""

from __future__ import annotations

from unittest import mock

from weibao.audit.models import AuditRecord
from weibao.mailchannel.models import InboundMail, Mailbox, OutboundMail
from weibao.mailchannel.services import imap, inbound
from weibao.testing.isolation import assert_isolated


def test_pm_sees_mail_with_status_outcome_and_filters(deliver, sample, pm, client_for, clock):
    deliver(sample("foxmail_gbk.eml"))
    deliver(sample("qq_autoreply.eml"))
    client = client_for(pm)
    page = client.get("/mail/").content.decode()
    assert "社保查询页面打不开" in page and "自动回复" in page
    ignored = client.get("/mail/", {"status": "ignored"}).content.decode()
    assert "自动回复: [SL-2026-000001]" in ignored and "朱镕基路" not in ignored
    # The sender is encrypted at rest: the whole address finds it, in any case; a part does not.
    assert "朱镕基路" in client.get("/mail/", {"q": "ZhangSan@shilong.gov.cn"}).content.decode()
    assert "朱镕基路" not in client.get("/mail/", {"q": "zhangsan"}).content.decode()


def test_empty_state_invites_adding_a_mailbox(pm, client_for, contract):
    page = client_for(pm).get("/mail/").content.decode()
    assert "本合同还没有服务邮箱" in page


def test_failed_mail_is_shown_and_can_be_retried_by_hand(deliver, sample, pm, client_for, clock):
    with mock.patch.object(inbound, "_new_ticket", side_effect=RuntimeError("database hiccup")):
        stored = deliver(sample("foxmail_gbk.eml"))
    client = client_for(pm)
    assert "1 封邮件处理失败" in client.get("/mail/").content.decode()
    detail = client.get(f"/mail/{stored.pk}/").content.decode()
    assert "database hiccup" in detail and "重试处理" in detail and "王珺同志" in detail
    response = client.post(f"/mail/{stored.pk}/retry/", follow=True)
    assert "邮件已处理" in response.content.decode()
    stored.refresh_from_db()
    assert stored.status == "processed"
    assert AuditRecord.objects.filter(action="mail.inbound.read").exists()


def test_pm_can_force_a_misjudged_auto_reply_into_a_ticket(deliver, sample, pm, client_for, clock):
    stored = deliver(sample("precedence_bulk.eml"))
    client = client_for(pm)
    assert "仍然建单" in client.get(f"/mail/{stored.pk}/").content.decode()
    client.post(f"/mail/{stored.pk}/retry/", {"force": "1"})
    stored.refresh_from_db()
    assert (stored.status, stored.outcome) == ("processed", "created")


def test_raw_download_is_the_original_bytes_and_is_audited(deliver, sample, pm, client_for, clock):
    stored = deliver(sample("raw_gbk_headers.eml"))
    response = client_for(pm).get(f"/mail/{stored.pk}/raw/")
    assert response["Content-Disposition"] == f'attachment; filename="mail-{stored.pk}.eml"'
    assert response.content == sample("raw_gbk_headers.eml")
    assert AuditRecord.objects.filter(action="mail.inbound.download", actor=pm).exists()


def test_failed_outbound_mail_is_listed_and_resent(deliver, sample, pm, client_for, mailoutbox, clock):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        deliver(sample("foxmail_gbk.eml"))
    client = client_for(pm)
    page = client.get("/mail/outbound/").content.decode()
    assert "smtp down" in page and "立即重发" in page
    out = OutboundMail.objects.get()
    response = client.post(f"/mail/outbound/{out.pk}/retry/", follow=True)
    assert "邮件已发送" in response.content.decode() and len(mailoutbox) == 1


def test_pm_adds_and_edits_a_mailbox_without_the_password_ever_shown(pm, client_for, contract):
    client = client_for(pm)
    response = client.post("/mail/mailboxes/new/", {
        "address": "Desk@Shilong.test", "sender_name": "运维服务台", "sender_address": "",
        "default_type": "consultation", "default_priority": "p3", "notify_requester": "on",
        "active": "on", "imap_host": "imap.shilong.test", "imap_port": "993", "imap_security": "tls",
        "imap_user": "desk", "imap_password": "s3cret-pass", "imap_folder": "INBOX",
    })
    assert response.status_code == 302
    box = Mailbox.objects.get(contract=contract)
    assert box.address == "desk@shilong.test"
    # Kept encrypted: the database holds no trace of the password itself.
    assert box.imap_password.startswith("sm4gcm:v1:") and "s3cret" not in box.imap_password
    assert imap.password_of(box) == "s3cret-pass"
    edit = client.get(f"/mail/mailboxes/{box.pk}/").content.decode()
    assert "s3cret-pass" not in edit
    client.post(f"/mail/mailboxes/{box.pk}/", {
        "address": "desk@shilong.test", "sender_name": "新名称", "default_type": "fault",
        "default_priority": "p2", "active": "on", "imap_port": "993", "imap_folder": "INBOX", "imap_security": "tls",
        "imap_host": "imap.shilong.test", "imap_user": "desk", "imap_password": "",
    })
    box.refresh_from_db()
    assert (box.sender_name, box.default_type, imap.password_of(box)) == ("新名称", "fault", "s3cret-pass")
    assert AuditRecord.objects.filter(action="mail.mailbox.save").count() == 2


def test_bad_mailbox_input_names_the_field(pm, client_for, contract):
    response = client_for(pm).post("/mail/mailboxes/new/", {"address": "not-an-address", "default_type": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "has-error" in page and "请输入本合同可以使用的合法邮件地址" in page


def test_engineers_and_bureau_staff_do_not_get_the_mail_pages(contract, make_member, client_for, mailbox):
    for role in ("resident_engineer", "bureau_liaison", "auditor"):
        user = make_member(contract, role)
        assert client_for(user).get("/mail/").status_code == 403


def test_another_contracts_pm_sees_none_of_it(deliver, sample, mailbox, outsider, client_for, mailoutbox, clock):
    stored = deliver(sample("foxmail_gbk.eml"))
    out = OutboundMail.objects.get()
    client = client_for(outsider)
    secrets = ["朱镕基路", "zhangsan@shilong.gov.cn", "support@weibao.test", stored.ticket.number]
    assert_isolated(client, [
        "/mail/", f"/mail/{stored.pk}/", f"/mail/{stored.pk}/raw/", "/mail/outbound/",
        "/mail/mailboxes/", f"/mail/mailboxes/{mailbox.pk}/", "/mail/?q=zhangsan",
    ], secrets)
    for url in [f"/mail/{stored.pk}/retry/", f"/mail/outbound/{out.pk}/retry/", f"/mail/mailboxes/{mailbox.pk}/",
                f"/mail/mailboxes/{mailbox.pk}/poll/"]:
        assert client.post(url, {"force": "1", "address": "x@y.test"}).status_code == 404
    assert InboundMail.objects.get(pk=stored.pk).status == "processed"


def test_mailbox_form_refuses_a_poller_aimed_at_the_platform(pm, client_for, contract, settings):
    settings.WEIBAO_IMAP_ALLOW_PLAINTEXT = False
    response = client_for(pm).post("/mail/mailboxes/new/", {
        "address": "desk@shilong.test", "sender_name": "运维服务台", "default_type": "consultation",
        "default_priority": "p3", "active": "on", "imap_host": "attacker.example", "imap_port": "6379",
        "imap_user": "x", "imap_password": "env:WEIBAO_SECRET_KEY", "imap_folder": "INBOX",
        "imap_security": "plain",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"imap_port", "imap_security", "imap_password"}
    assert "WEIBAO_IMAP_PASSWORD_" in form.errors["imap_password"][0]
    assert not Mailbox.objects.filter(contract=contract).exists()


def test_senders_and_recipients_are_unreadable_in_the_database(deliver, sample):
    from django.db import connection

    deliver(sample("foxmail_gbk.eml"))
    assert InboundMail.objects.get().from_address == "zhangsan@shilong.gov.cn"
    with connection.cursor() as cursor:
        cursor.execute("select from_address from mailchannel_inboundmail")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("select to_address from mailchannel_outboundmail")
        stored += [row[0] for row in cursor.fetchall()]
    assert len(stored) >= 2  # the mail received and the acknowledgement sent
    assert all(value.startswith("pd1:") and "zhangsan" not in value for value in stored)


def test_the_migration_encrypts_addresses_stored_in_clear_and_back(deliver, sample, pm, client_for):
    import importlib

    from django.apps import apps
    from django.db import connection, models
    from django.db.models import Value

    deliver(sample("foxmail_gbk.eml"))
    clear = Value("zhangsan@shilong.gov.cn", output_field=models.TextField())
    InboundMail.objects.update(from_address=clear, from_address_hash="")
    migration = importlib.import_module("weibao.mailchannel.migrations.0008_encrypt_existing_addresses")

    migration.encrypt_rows(apps, None)
    with connection.cursor() as cursor:
        cursor.execute("select from_address from mailchannel_inboundmail")
        assert cursor.fetchone()[0].startswith("pd1:")
    assert "朱镕基路" in client_for(pm).get("/mail/", {"q": "zhangsan@shilong.gov.cn"}).content.decode()

    migration.decrypt_rows(apps, None)
    with connection.cursor() as cursor:
        cursor.execute("select from_address, from_address_hash from mailchannel_inboundmail")
        assert cursor.fetchone() == ("zhangsan@shilong.gov.cn", "")


def test_retention_clears_the_mail_channels_copies_of_the_requesters_address(
    deliver, sample, clock, settings, django_capture_on_commit_callbacks
):
    import datetime as dt

    from weibao.servicedesk.models import Ticket
    from weibao.servicedesk.services import retention

    deliver(sample("foxmail_gbk.eml"))
    ticket = Ticket.objects.get()
    assert OutboundMail.objects.filter(ticket=ticket).exists()
    settings.WEIBAO_PERSONAL_DATA_RETENTION_DAYS = 30
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", closed_at=clock.now() - dt.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        retention.anonymise()
    assert Ticket.objects.get().requester_email == ""
    assert [m.from_address for m in InboundMail.objects.all()] == [""]
    assert {m.to_address for m in OutboundMail.objects.filter(ticket=ticket)} == {""}
    assert InboundMail.objects.get().from_address_hash == ""
