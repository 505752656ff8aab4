"""The shared factories make records through their services: the rules, clocks and audit
records a test relies on are the real ones. Users are the exception: a new user's password
state is written as ``set_password`` leaves it, without its audit record (tested below)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from weibao.audit.models import AuditRecord
from weibao.mailchannel.models import Mailbox
from weibao.servicedesk.services.defaults import install_defaults
from weibao.testing.factories import (
    ArticleFactory,
    EntryFactory,
    InboundMailFactory,
    RatingFactory,
    TicketFactory,
    VisitFactory,
    member_of,
    raw_mail,
)

pytestmark = pytest.mark.django_db


def test_a_ticket_gets_its_number_clocks_history_and_audit_record_at_the_given_instant(contract, clock):
    install_defaults(contract)
    at = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    ticket = TicketFactory(contract=contract, priority="p1", at=at)
    assert ticket.created_at == at and ticket.number
    assert ticket.entries.count() == 1
    assert ticket.clocks.exists()
    assert AuditRecord.objects.filter(action="ticket.create", object_id=str(ticket.pk)).exists()
    # the clock is put back
    assert clock.now() == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_a_resolved_ticket_can_be_rated_and_a_bad_rating_opens_a_rectification(contract, clock):
    install_defaults(contract)
    good = RatingFactory(ticket=TicketFactory(contract=contract, status="resolved"))
    assert good.level == 5 and good.ticket.status == "resolved"
    bad = RatingFactory(ticket=TicketFactory(contract=contract, status="resolved"), level=1, comment="没人管")
    assert bad.dissatisfied and bad.rectification


def test_entries_articles_visits_and_mail(contract, clock):
    install_defaults(contract)
    ticket = TicketFactory(contract=contract)
    note = EntryFactory(ticket=ticket, public=False)
    assert not note.public and note.ticket == ticket
    article = ArticleFactory(contract=contract)
    assert article.status == "published"
    visit = VisitFactory(contract=contract)
    assert visit.engineer == member_of(contract, "resident_engineer")
    mailbox = Mailbox.objects.create(contract=contract, address="desk@example.com")
    inbound = InboundMailFactory(mailbox=mailbox, raw=raw_mail(subject="证照下载失败"))
    assert inbound.subject == "证照下载失败" and inbound.contract_id == contract.pk


def test_a_factory_user_is_in_the_state_set_password_leaves_a_new_user_in(clock):
    from django.contrib.auth.hashers import check_password

    from weibao.accounts.models import PasswordHistory
    from weibao.accounts.services.passwords import set_password
    from weibao.testing.factories import TEST_PASSWORD, UserFactory

    made = UserFactory()
    by_service = UserFactory(password="Another#2026")
    set_password(by_service, TEST_PASSWORD)
    by_service.refresh_from_db()
    made.refresh_from_db()
    for user in (made, by_service):
        assert user.check_password(TEST_PASSWORD) and user.has_usable_password()
        assert user.password_changed_at == clock.now() and user.must_change_password is False
        assert any(check_password(TEST_PASSWORD, h) for h in PasswordHistory.objects.filter(user=user)
                   .values_list("password", flat=True))
    assert PasswordHistory.objects.filter(user=made).count() == 1
