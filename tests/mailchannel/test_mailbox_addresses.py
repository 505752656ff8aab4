"""A mailbox's addresses are its contract's own: loop screening looks only at the receiving
mailbox, a sender address is the mailbox's or in its domain and never another contract's,
and refusing a taken address says no more than refusing a malformed one. The IMAP poller
connects only to allow-listed hosts in production and tells the project manager no more
about a failed connection than that it failed."""

from __future__ import annotations

import logging

import pytest

from weibao.mailchannel.models import Mailbox
from weibao.mailchannel.services import imap
from weibao.servicedesk.models import Ticket

REFUSED = "请输入本合同可以使用的合法邮件地址。"


def _mailbox_form(**fields) -> dict:
    data = {
        "address": "desk@shilong.test", "sender_name": "运维服务台", "sender_address": "",
        "default_type": "consultation", "default_priority": "p3", "active": "on",
        "imap_host": "", "imap_port": "993", "imap_security": "tls", "imap_user": "", "imap_password": "",
        "imap_folder": "INBOX",
    }
    data.update(fields)
    return data


def test_another_contract_claiming_a_citizens_address_does_not_silence_their_mail(
    deliver, sample, other_mailbox, clock
):
    # Stored before senders were checked: the other tenant's "sender" is the citizen.
    Mailbox.objects.filter(pk=other_mailbox.pk).update(sender_address="zhangsan@shilong.gov.cn")
    stored = deliver(sample("foxmail_gbk.eml"))
    assert (stored.status, stored.outcome) == ("processed", "created")
    assert Ticket.objects.get().requester_email == "zhangsan@shilong.gov.cn"


def test_mail_from_the_receiving_mailboxs_own_sender_address_is_a_loop(deliver, sample, mailbox, clock):
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_address="zhangsan@shilong.gov.cn")
    stored = deliver(sample("foxmail_gbk.eml"))
    assert (stored.status, stored.outcome) == ("ignored", "loop")


def test_a_sender_address_in_the_mailboxs_own_domain_is_accepted(pm, client_for, contract):
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(sender_address="NoReply@Shilong.test"))
    assert response.status_code == 302
    assert Mailbox.objects.get(contract=contract).from_address == "noreply@shilong.test"


@pytest.mark.parametrize("sender", [
    "zhangsan@citizen-mail.test",  # a citizen's address: not the contract's to send from
    "help@other.test",  # another contract's receiving address
    "not-an-address",
])
def test_a_sender_address_the_contract_does_not_control_is_refused_naming_the_field(
    pm, client_for, contract, other_mailbox, sender
):
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(sender_address=sender))
    assert response.status_code == 200
    assert response.context["form"].errors["sender_address"] == [REFUSED]
    assert not Mailbox.objects.filter(contract=contract).exists()


def test_another_contracts_address_in_the_same_domain_is_refused_like_any_invalid_one(
    pm, client_for, contract, other_mailbox
):
    Mailbox.objects.filter(pk=other_mailbox.pk).update(sender_address="noreply-other@shilong.test")
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(sender_address="noreply-other@shilong.test"))
    assert response.context["form"].errors["sender_address"] == [REFUSED]


@pytest.mark.parametrize("address", ["help@other.test", "HELP@other.test", "not-an-address"])
def test_claiming_another_contracts_mailbox_says_no_more_than_an_invalid_address(
    pm, client_for, contract, other_mailbox, address
):
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(address=address))
    assert response.status_code == 200
    assert response.context["form"].errors["address"] == [REFUSED]
    assert "已存在" not in response.content.decode() and "exists" not in response.content.decode()


# -- the IMAP host ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["10.0.0.5", "redis.internal", "exmail.qq.com.evil.example", "qq.com"])
def test_in_production_the_poller_is_aimed_only_at_allow_listed_hosts(pm, client_for, contract, settings, host):
    settings.WEIBAO_IMAP_HOSTS = ["imap.qq.com", "*.exmail.qq.com"]
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(imap_host=host, imap_user="desk"))
    assert response.status_code == 200
    assert "WEIBAO_IMAP_HOSTS" in response.context["form"].errors["imap_host"][0]
    assert not Mailbox.objects.filter(contract=contract).exists()


@pytest.mark.parametrize("host", ["imap.qq.com", "IMAP.QQ.COM", "imap.exmail.qq.com"])
def test_an_allow_listed_host_or_subdomain_is_accepted(pm, client_for, contract, settings, host):
    settings.WEIBAO_IMAP_HOSTS = ["imap.qq.com", "*.exmail.qq.com"]
    response = client_for(pm).post("/mail/mailboxes/new/", _mailbox_form(imap_host=host, imap_user="desk"))
    assert response.status_code == 302


def test_a_stored_host_outside_the_list_is_never_connected_to(mailbox, settings):
    settings.WEIBAO_IMAP_HOSTS = ["imap.qq.com"]
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="169.254.169.254", imap_user="desk", imap_password="x")
    mailbox.refresh_from_db()
    connected = []
    imap.poll(mailbox, connect=lambda box: connected.append(box))
    mailbox.refresh_from_db()
    assert connected == [] and "WEIBAO_IMAP_HOSTS" in mailbox.last_poll_error


def test_a_failed_connection_shows_the_project_manager_no_details(mailbox, pm, client_for, caplog):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.shilong.test", imap_user="desk", imap_password="x")
    mailbox.refresh_from_db()

    def unreachable(box):
        raise ConnectionRefusedError(111, "Connection refused by 10.0.0.5:993")

    with caplog.at_level(logging.WARNING, logger="weibao.mailchannel.services.imap"):
        imap.poll(mailbox, connect=unreachable)
    mailbox.refresh_from_db()
    page = client_for(pm).get("/mail/mailboxes/").content.decode()
    assert mailbox.last_poll_error == "无法连接 IMAP 服务器，详情见服务器日志。"
    assert "10.0.0.5" not in page and "refused" not in page
    assert "Connection refused by 10.0.0.5:993" in caplog.text  # the operator still sees why


def test_the_migration_clears_senders_the_contract_does_not_control(mailbox, other_mailbox):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("weibao.mailchannel.migrations.0003_sender_addresses_own_domain")
    Mailbox.objects.filter(pk=other_mailbox.pk).update(sender_address="zhangsan@shilong.gov.cn")
    third = Mailbox.objects.create(contract=other_mailbox.contract, address="desk@weibao.test",
                                   sender_address="support@weibao.test")  # the first contract's desk
    migration.clear_foreign_senders(apps, None)
    senders = dict(Mailbox.objects.values_list("address", "sender_address"))
    assert senders == {"support@weibao.test": "noreply@weibao.test", "help@other.test": "", "desk@weibao.test": ""}
    assert third.contract != mailbox.contract
