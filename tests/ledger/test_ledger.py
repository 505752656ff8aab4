"""The ledger's services and endpoints against hand-computed seed examples, isolation and
who may do what."""

import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from weibao.audit.models import AuditRecord
from weibao.contracts.models import Contract, ContractChange, Membership
from weibao.contracts.services import change_contract
from weibao.ledger.models import (
    BreachNotice,
    HandoverItem,
    ObligationSnapshot,
    PenaltyEntry,
    Renewal,
)
from weibao.ledger.services import notices, payments, penalties, renewal, snapshots
from weibao.servicedesk.models import ServiceComponent
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db


# -- the contract record ------------------------------------------------------------------

def test_amount_words_are_checked_and_changes_kept(contract, pm):
    change_contract(contract, {"amount_in_words": "壹佰叁拾柒万元整"}, by=pm, reason="按签署文本")
    with pytest.raises(ValidationError) as error:
        change_contract(contract, {"amount_in_words": "壹佰叁拾捌万元整"}, by=pm)
    assert "amount_in_words" in error.value.message_dict
    entry = ContractChange.objects.get(contract=contract)
    assert entry.changes == {"amount_in_words": ["", "壹佰叁拾柒万元整"]}
    assert AuditRecord.objects.filter(action="contract.changed", contract_id=contract.pk).count() == 1


def test_status_follows_its_table(contract, pm):
    change_contract(contract, {"status": Contract.Status.SUSPENDED}, by=pm)
    change_contract(contract, {"status": Contract.Status.TERMINATED}, by=pm)
    with pytest.raises(ValidationError):
        change_contract(contract, {"status": Contract.Status.ACTIVE}, by=pm)


def test_only_the_pm_changes_the_record(contract, liaison):
    with pytest.raises(PermissionDenied):
        change_contract(contract, {"name": "x"}, by=liaison)


# -- payments -----------------------------------------------------------------------------

def test_an_invoice_pays_nothing_money_received_does(contract, pm, seed_ledger, clock):
    advance = seed_ledger["advance"]
    payments.issue_invoice(advance, number="No.001", amount=Decimal("411000"), issued_on=dt.date(2026, 3, 1), by=pm)
    assert payments.milestone_state(advance, dt.date(2026, 3, 5)).status == "invoiced"
    payments.record_receipt(advance, amount=Decimal("200000"), received_on=dt.date(2026, 3, 6), by=pm)
    assert payments.milestone_state(advance, dt.date(2026, 3, 7)).status == "invoiced"
    payments.record_receipt(advance, amount=Decimal("211000"), received_on=dt.date(2026, 3, 8), by=pm)
    state = payments.milestone_state(advance, dt.date(2026, 3, 10))
    assert (state.status, state.paid_on, state.days_late) == ("paid", dt.date(2026, 3, 8), 0)
    assert AuditRecord.objects.filter(action="ledger.payment_received").count() == 2


def test_late_advance_accrues_the_late_payment_penalty(contract, pm, seed_ledger, clock):
    advance = seed_ledger["advance"]
    # Due 2026-03-09, received 2026-03-19: 10 days late on 411000.00 → 411000 × 0.0003 × 10 = 1233.00
    payments.accrue_late_payment(advance, dt.date(2026, 3, 12))
    entry = PenaltyEntry.objects.get(milestone=advance)
    assert (entry.days, entry.amount) == (3, Decimal("369.90"))
    penalties.step(entry, "approve", by=pm)
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 19), by=pm)
    entry.refresh_from_db()
    assert (entry.days, entry.amount, entry.accrual_end) == (10, Decimal("1233.00"), dt.date(2026, 3, 19))
    assert entry.status == "proposed"  # a changed figure goes back for approval
    assert payments.sweep_overdue(dt.date(2026, 4, 30)) >= 1
    entry.refresh_from_db()
    assert entry.amount == Decimal("1233.00")  # frozen once the money came
    assert [e.action for e in entry.events.all()] == ["accrued", "approve", "accrued", "settled"]


def test_the_balance_waits_for_the_handover_the_bureau_ticks(contract, pm, liaison, seed_ledger):
    final = seed_ledger["final"]
    assert payments.milestone_state(final, dt.date(2027, 5, 1)).status == "blocked"
    assert payments.accrue_late_payment(final, dt.date(2027, 5, 1)) is None
    with pytest.raises(PermissionDenied):
        payments.tick_handover(HandoverItem.objects.first(), by=pm)
    for item in HandoverItem.objects.all():
        payments.tick_handover(item, by=liaison)
    assert payments.milestone_state(final, dt.date(2027, 5, 1)).status == "overdue"


def test_schedule_cannot_exceed_the_contract(contract, pm, seed_ledger):
    with pytest.raises(ValidationError):
        payments.add_milestone(contract, sequence=3, kind="instalment", name="x", amount=Decimal("0.01"), by=pm)


# -- penalties ----------------------------------------------------------------------------

def test_confidentiality_penalty_approval_and_acknowledgement(contract, pm, liaison, seed_ledger):
    entry = penalties.record_penalty(seed_ledger["confidentiality"], occurred_on=dt.date(2026, 5, 1),
                                     description="泄露系统现状", by=pm)
    assert entry.amount == Decimal("411.00")
    with pytest.raises(PermissionDenied):
        penalties.step(entry, "approve", by=liaison)
    with pytest.raises(ValidationError):
        penalties.step(entry, "acknowledge", by=liaison)
    penalties.step(entry, "approve", by=pm)
    with pytest.raises(PermissionDenied):
        penalties.step(entry, "acknowledge", by=pm)
    penalties.step(entry, "acknowledge", by=liaison)
    assert [e.action for e in entry.events.all()] == ["created", "approve", "acknowledge"]
    assert AuditRecord.objects.filter(action="ledger.penalty_acknowledge", actor=liaison).exists()


def test_amount_due_rule_needs_the_amount(contract, pm, seed_ledger):
    with pytest.raises(ValidationError) as error:
        penalties.record_penalty(seed_ledger["late"], occurred_on=dt.date(2026, 5, 1), description="x", by=pm)
    assert "amount_due" in error.value.message_dict


# -- breach notices, force majeure ---------------------------------------------------------

def test_breach_notice_remedy_is_five_working_days(contract, liaison, clock):
    # Issued Friday 2026-09-25: Civil Code art. 201, the day itself is not counted.
    # Working days: 09-28 (Mon), 09-29, 09-30; 10-01..10-08 National Day holiday (2026: 10-01 – 10-07,
    # per the official table), then the next working days. Computed by the calendars app's rules:
    notice = notices.issue_breach_notice(contract, clause="五.2", description="驻场人员缺岗",
                                         issued_on=dt.date(2026, 9, 25), by=liaison)
    assert notice.issuing_party == "a"
    expected = notices.remedy_deadline(contract.pk, dt.date(2026, 9, 25)).value
    assert notice.remedy_due_on == expected
    assert notice.remedy_due_on > dt.date(2026, 10, 7)  # the holiday week does not count


def test_breach_notice_plain_week(contract, pm, clock):
    # Issued Monday 2026-11-16 by the vendor: Tue 17 … Mon 23 is the 5th working day.
    notice = notices.issue_breach_notice(contract, clause="七.2", description="预付款未支付",
                                         issued_on=dt.date(2026, 11, 16), by=pm)
    assert (notice.issuing_party, notice.remedy_due_on) == ("b", dt.date(2026, 11, 23))
    notices.record_outcome(notice, outcome="remedied", note="已到账", by=pm)
    with pytest.raises(ValidationError):
        notices.record_outcome(notice, outcome="escalated", by=pm)


def test_reminders_are_sent_once_a_day(contract, pm, liaison, clock):
    notices.issue_breach_notice(contract, clause="五.2", description="缺岗", issued_on=dt.date(2026, 11, 18), by=liaison)
    assert notices.send_reminders(dt.date(2026, 11, 23)) == 1
    assert notices.send_reminders(dt.date(2026, 11, 23)) == 0


def test_force_majeure_deadlines(contract, pm, clock):
    event = notices.record_force_majeure(contract, party="b", description="暴雨致机房断电",
                                         occurred_on=dt.date(2026, 7, 20), by=pm)
    # 15 calendar days from the day after: 2026-08-04 (a Tuesday, no holiday).
    assert event.certificate_due_on == event.handover_due_on == dt.date(2026, 8, 4)


# -- renewal ------------------------------------------------------------------------------

def test_renewal_creates_the_next_period_with_what_it_carries(contract, pm, make_member):
    make_member(contract, "resident_engineer", username="eng")
    ServiceComponent.objects.create(contract=contract, code="uia", name="统一身份认证")
    with pytest.raises(ValidationError):
        renewal.renew(contract, number="HTDZ202702001", term_start=dt.date(2027, 3, 9), term_end=dt.date(2028, 3, 8),
                      amount=Decimal("1300000"), reasons="服务规范", by=pm, today=dt.date(2027, 1, 1))
    result = renewal.renew(contract, number="HTDZ202702001", term_start=dt.date(2027, 3, 9),
                           term_end=dt.date(2028, 3, 8), amount=Decimal("1300000"), reasons="服务规范、信誉良好",
                           by=pm, today=dt.date(2027, 3, 1))
    successor = result.successor
    assert successor.renewal_of == contract and successor.status == Contract.Status.DRAFT
    assert Membership.objects.filter(contract=successor).count() == 2
    assert ServiceComponent.objects.filter(contract=successor, code="uia").exists()
    assert result.carried_over["memberships"] == 2
    change_contract(successor, {"status": Contract.Status.ACTIVE}, by=pm)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.RENEWED
    second = renewal.eligibility(successor, dt.date(2028, 3, 1))
    assert second.eligible and second.renewals_used == 1
    assert not renewal.eligibility(contract, dt.date(2027, 3, 1)).eligible  # renewed already
    assert Renewal.objects.count() == 1


# -- the obligations matrix and its snapshot ---------------------------------------------

def test_matrix_says_no_data_plainly_and_snapshots_are_sealed(contract, pm, seed_ledger, clock):
    from weibao.ledger.obligations import OBLIGATIONS, matrix

    rows = matrix(contract, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert len(rows) == len(OBLIGATIONS)
    by_key = {r["key"]: r for r in rows}
    assert by_key["reports"]["status"] == "no_data" and "未计量" in by_key["reports"]["indicator"]
    assert by_key["holiday_duty"]["status"] == "breached"  # 国庆 passed with no confirmed duty plan
    assert by_key["named_pm"]["status"] == "met"
    assert by_key["bureau_payment"]["status"] == "breached"  # the advance was never received
    first = snapshots.take_snapshot(contract, dt.date(2026, 9, 15), by=pm)
    second = snapshots.take_snapshot(contract, dt.date(2026, 10, 1), by=pm)
    assert second.prev_hash == first.hash and snapshots.verify(contract) == (True, None)
    with pytest.raises(PermissionError):
        second.save()
    with pytest.raises(PermissionError):
        ObligationSnapshot.objects.filter(pk=second.pk).update(rows=[])
    with pytest.raises(ValidationError):
        snapshots.take_snapshot(contract, dt.date(2026, 11, 1), by=pm)  # not ended yet
    # Tampering below the ORM is caught by the chain.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_obligationsnapshot SET rows = %s WHERE id = %s", ["[]", first.pk])
    assert snapshots.verify(contract) == (False, dt.date(2026, 9, 1))


# -- the API ------------------------------------------------------------------------------

def test_proration_endpoint_seed_example(contract, pm, seed_ledger, api_client_for, clock):
    payments.record_receipt(seed_ledger["advance"], amount=Decimal("411000"), received_on=dt.date(2026, 3, 5), by=pm)
    answer = api_client_for(pm).get(f"/api/v1/contracts/{contract.pk}/proration/?last_service_day=2026-06-30")
    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ("served_days", "term_days", "daily_rate", "earned", "paid", "balance")} == {
        "served_days": 114, "term_days": 365, "daily_rate": "3753.42", "earned": "427890.41",
        "paid": "411000.00", "balance": "16890.41"}
    assert AuditRecord.objects.filter(action="ledger.proration_read", actor=pm).exists()


@pytest.mark.parametrize("value", ["2026-03-08", "2027-03-09", "2026-13-01", "２０２６-06-30", "", "1e999"])
def test_proration_bad_day_is_a_400_naming_the_field(contract, pm, api_client_for, value):
    answer = api_client_for(pm).get(f"/api/v1/contracts/{contract.pk}/proration/", {"last_service_day": value})
    assert answer.status_code == 400
    assert "last_service_day" in answer.json()


def test_renewal_and_obligations_endpoints(contract, pm, viewer, seed_ledger, api_client_for):
    body = api_client_for(viewer).get(f"/api/v1/contracts/{contract.pk}/renewal/").json()
    assert set(body) == {"eligible", "reasons", "window_start", "window_end", "renewals_used", "years_used"}
    assert body["window_start"] == "2027-02-22" and body["window_end"] == "2027-03-08"
    rows = api_client_for(viewer).get(f"/api/v1/contracts/{contract.pk}/obligations/").json()["rows"]
    assert rows and {"obligation", "clause", "status", "indicator", "evidence"} <= set(rows[0])
    assert api_client_for(pm).get(f"/api/v1/contracts/{contract.pk}/payments/").json()["milestones"][0]["amount"] == "411000.00"


def test_agent_may_not_read_the_money(contract, agent, seed_ledger, api_client_for, client_for):
    for path in ("proration/?last_service_day=2026-06-30", "renewal/", "obligations/", "payments/", "penalties/"):
        assert api_client_for(agent).get(f"/api/v1/contracts/{contract.pk}/{path}").status_code == 403
    assert client_for(agent).get(f"/ledger/{contract.pk}/").status_code == 403


def test_another_contract_sees_nothing(contract, pm, liaison, outsider, seed_ledger, api_client_for, client_for):
    notice = notices.issue_breach_notice(contract, clause="五.2", description="驻场人员缺岗秘密", by=liaison)
    entry = penalties.record_penalty(seed_ledger["confidentiality"], occurred_on=dt.date(2026, 5, 1),
                                     description="泄露", by=pm)
    secrets = [contract.number, "驻场人员缺岗秘密", "411000.00"]
    api_urls = [f"/api/v1/contracts/{contract.pk}/{p}" for p in
                ("proration/?last_service_day=2026-06-30", "renewal/", "obligations/", "payments/", "penalties/")]
    assert_isolated(api_client_for(outsider), api_urls, secrets)
    web = client_for(outsider)
    assert_isolated(web, [f"/ledger/{contract.pk}/", f"/ledger/{contract.pk}/obligations/",
                          f"/ledger/notices/{notice.pk}/", f"/ledger/notices/{notice.pk}/?format=docx",
                          f"/ledger/{contract.pk}/record/"], secrets)
    for url in (f"/ledger/penalties/{entry.pk}/approve/", f"/ledger/milestones/{seed_ledger['advance'].pk}/receipt/",
                f"/ledger/{contract.pk}/breach/", f"/ledger/{contract.pk}/renew/"):
        assert web.post(url, {"amount": "1", "clause": "x", "description": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == "proposed"
    assert not BreachNotice.objects.filter(contract=contract).exclude(pk=notice.pk).exists()


# -- pages -------------------------------------------------------------------------------

def test_overview_page_and_printable_notice(contract, pm, liaison, seed_ledger, client_for, clock):
    notice = notices.issue_breach_notice(contract, clause="五.2", description="驻场人员缺岗", by=liaison)
    page = client_for(pm).get(f"/ledger/{contract.pk}/?last_service_day=2026-06-30")
    assert page.status_code == 200
    text = page.content.decode()
    assert "427890.41" in text and "1370000.00 × 114 ÷ 365" in text and notice.number in text
    letter = client_for(liaison).get(f"/ledger/notices/{notice.pk}/")
    assert "违约通知书" in letter.content.decode() and contract.party_b in letter.content.decode()
    docx = client_for(liaison).get(f"/ledger/notices/{notice.pk}/?format=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client_for(pm).get(f"/ledger/{contract.pk}/obligations/").status_code == 200


def test_page_forms_answer_a_400_naming_the_field(contract, pm, seed_ledger, client_for):
    web = client_for(pm)
    answer = web.post(f"/ledger/milestones/{seed_ledger['advance'].pk}/receipt/", {"amount": "４１１"})
    assert answer.status_code == 400 and "amount" in answer.content.decode()
    answer = web.get(f"/ledger/{contract.pk}/", {"last_service_day": "9999-01-01"})
    assert answer.status_code == 400


def test_pages_work_end_to_end(contract, pm, liaison, seed_ledger, client_for, clock):
    clock.set_now(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    web = client_for(pm)
    response = web.post(f"/ledger/milestones/{seed_ledger['advance'].pk}/receipt/",
                        {"amount": "411000", "received_on": "2026-03-05", "reference": "B1"})
    assert response.status_code == 302
    assert payments.milestone_state(seed_ledger["advance"]).status == "paid"
    web.post(f"/ledger/rules/{seed_ledger['confidentiality'].pk}/record/", {"description": "泄露", "occurred_on": "2026-05-01"})
    entry = PenaltyEntry.objects.get(rule=seed_ledger["confidentiality"])
    web.post(f"/ledger/penalties/{entry.pk}/approve/")
    client_for(liaison).post(f"/ledger/penalties/{entry.pk}/acknowledge/")
    entry.refresh_from_db()
    assert entry.status == "acknowledged"
    web.post(f"/ledger/{contract.pk}/obligations/seal/", {"month": "2026-10-01"})
    assert ObligationSnapshot.objects.filter(contract=contract, month=dt.date(2026, 10, 1)).exists()


def test_bureau_pages_show_their_actions(contract, pm, liaison, viewer, seed_ledger, client_for, api_client_for):
    entry = penalties.record_penalty(seed_ledger["confidentiality"], occurred_on=dt.date(2026, 5, 1),
                                     description="泄露", by=pm)
    penalties.step(entry, "approve", by=pm)
    for user in (liaison, viewer):
        text = client_for(user).get(f"/ledger/{contract.pk}/").content.decode()
        assert f"/ledger/penalties/{entry.pk}/acknowledge/" in text
        assert "/ledger/handover/" in text
        assert f"/ledger/penalties/{entry.pk}/withdraw/" not in text
    assert "/breach/" in client_for(liaison).get(f"/ledger/{contract.pk}/").content.decode()
    record = api_client_for(viewer).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert record["amount_in_words"] == "壹佰叁拾柒万元整" and record["amount_words_match"] is True


def test_capitals_formatter():
    from weibao.contracts.capitals import _yuan_in_words, words_match

    assert _yuan_in_words(Decimal("1370000.00")) == "壹佰叁拾柒万元整"
    assert _yuan_in_words(Decimal("100000001")) == "壹亿零壹元整"
    assert _yuan_in_words(Decimal("1005.07")) == "壹仟零伍元零柒分"
    assert _yuan_in_words(Decimal("101000")) == "壹拾万壹仟元整"
    assert words_match(Decimal("1370000"), "人民币大写：壹佰叁拾柒万圆整")
    assert not words_match(Decimal("1370001"), "壹佰叁拾柒万元整")


def test_home_panel_for_pm_and_bureau(contract, pm, liaison, agent, seed_ledger, client_for):
    assert "home-ledger" in client_for(pm).get("/").content.decode()
    assert "home-ledger" in client_for(liaison).get("/").content.decode()
    assert "home-ledger" not in client_for(agent).get("/").content.decode()


def test_penalty_steps_through_the_api(contract, pm, liaison, outsider, seed_ledger, api_client_for):
    entry = penalties.record_penalty(seed_ledger["confidentiality"], occurred_on=dt.date(2026, 5, 1),
                                     description="泄露", by=pm)
    assert api_client_for(outsider).post(f"/api/v1/penalties/{entry.pk}/approve/", {}, format="json").status_code == 404
    assert api_client_for(liaison).post(f"/api/v1/penalties/{entry.pk}/approve/", {}, format="json").status_code == 403
    answer = api_client_for(liaison).post(f"/api/v1/penalties/{entry.pk}/acknowledge/", {}, format="json")
    assert answer.status_code == 400 and "status" in answer.json()  # not approved yet
    assert api_client_for(pm).post(f"/api/v1/penalties/{entry.pk}/approve/", {"note": "核实"}, format="json").json()[
        "status"] == "approved"
    answer = api_client_for(liaison).post(f"/api/v1/penalties/{entry.pk}/acknowledge/", {"note": 5}, format="json")
    assert answer.status_code == 400 and "note" in answer.json()
    answer = api_client_for(liaison).post(f"/api/v1/penalties/{entry.pk}/acknowledge/", {}, format="json")
    assert answer.json() == {"id": entry.pk, "status": "acknowledged", "amount": "411.00"}


def test_a_contracts_own_terms_set_its_periods(contract, pm, liaison, clock):
    from weibao.ledger.models import ContractTerms

    ContractTerms.objects.create(contract=contract, remedy_working_days=10, force_majeure_days=30,
                                 renewal_window_days=30, max_renewals=1)
    notice = notices.issue_breach_notice(contract, clause="五.2", description="缺岗",
                                         issued_on=dt.date(2026, 11, 16), by=liaison)
    assert (notice.remedy_working_days, notice.remedy_due_on) == (10, dt.date(2026, 11, 30))
    event = notices.record_force_majeure(contract, party="b", description="台风", occurred_on=dt.date(2026, 7, 1), by=pm)
    assert event.certificate_due_on == dt.date(2026, 7, 31)
    check = renewal.eligibility(contract, dt.date(2027, 2, 8))
    assert check.eligible and check.window_start == dt.date(2027, 2, 7)


def test_days_of_a_per_day_penalty_are_parsed_by_the_one_parser(pm, seed_ledger, client_for):
    web = client_for(pm)
    url = f"/ledger/rules/{seed_ledger['late'].pk}/record/"
    for odd in ("²", "٣", "0", "10000", "-1", "1e3"):
        response = web.post(url, {"description": "逾期", "occurred_on": "2026-05-01", "days": odd, "amount_due": "100"})
        assert response.status_code == 400, odd
        assert "days" in response.content.decode(), odd
    assert not PenaltyEntry.objects.filter(rule=seed_ledger["late"]).exists()
    response = web.post(url, {"description": "逾期", "occurred_on": "2026-05-01", "days": "3", "amount_due": "100"})
    assert response.status_code == 302
    assert PenaltyEntry.objects.get(rule=seed_ledger["late"]).days == 3
