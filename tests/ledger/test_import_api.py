"""POST /api/v1/contracts/import/ and /confirm/: who may, what comes back, bad input."""

import pytest
from rest_framework.test import APIClient

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit.models import AuditRecord
from weibao.contracts.models import Contract
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/contracts/import/"
CONFIRM = "/api/v1/contracts/import/confirm/"


def _admin(role):
    user = UserFactory()
    grant_admin_role(user, role, by=None)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_seed_comes_back_as_a_draft_and_nothing_is_stored(pm, api_client_for, seed_text, contract):
    contracts, records = Contract.objects.count(), AuditRecord.objects.count()
    response = api_client_for(pm).post(URL, {"text": seed_text}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == "HTDZ202602135"
    assert body["amount"] == "1370000.00"
    assert body["advance_ratio"] == "0.30"
    assert body["instalments"][0]["ratio"] == "0.30" and body["instalments"][1]["ratio"] == "0.70"
    assert body["penalties"][0]["rate"] == "0.0003"
    assert body["sources"]["amount"] == "本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。"
    assert any(u.startswith("六.1（运维服务目标）") for u in body["unrecognised"])
    assert (Contract.objects.count(), AuditRecord.objects.count()) == (contracts, records)


@pytest.mark.parametrize("role", ["hotline_agent", "resident_engineer", "bureau_liaison", "bureau_viewer", "auditor"])
def test_other_roles_may_not_import(role, contract, make_member, api_client_for, seed_text):
    user = make_member(contract, role)
    assert api_client_for(user).post(URL, {"text": seed_text}, format="json").status_code == 403
    assert api_client_for(user).post(CONFIRM, {"number": "X"}, format="json").status_code == 403


def test_a_user_without_any_contract_may_not_import(db, api_client_for, seed_text):
    assert api_client_for(UserFactory()).post(URL, {"text": seed_text}, format="json").status_code == 403


def test_the_system_administrator_may_import_and_the_other_administrators_may_not(db, seed_text):
    assert _admin(AdminRole.SYSTEM_ADMIN).post(URL, {"text": seed_text}, format="json").status_code == 200
    assert _admin(AdminRole.SECURITY_ADMIN).post(URL, {"text": seed_text}, format="json").status_code == 403
    assert _admin(AdminRole.AUDITOR).post(URL, {"text": seed_text}, format="json").status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": ""},
        {"text": "   \n  "},
        {"text": None},
        {"text": 12345},
        {"text": ["合同"]},
        {"text": "Lorem ipsum dolor sit amet " * 20},
        {"text": "合同编号：HT1\x01\x02\x03" + "甲方乙方" * 20},
        {"text": "合同" * 300_000},
    ],
    ids=["missing", "empty", "blank", "null", "number", "list", "no-chinese", "binary", "too-long"],
)
def test_bad_text_is_a_400_naming_the_field(pm, api_client_for, payload):
    response = api_client_for(pm).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert "text" in response.json()


def test_five_megabytes_of_text_is_a_400_not_a_500(pm, api_client_for):
    response = api_client_for(pm).post(URL, {"text": "合同条款。" * 1_100_000}, format="json")
    assert response.status_code == 400


def test_binary_body_is_a_400(pm, api_client_for):
    response = api_client_for(pm).post(URL, bytes(range(256)) * 10, content_type="application/json")
    assert response.status_code == 400


def _confirm_payload(**changes):
    payload = {
        "number": "HT-IMPORT-1", "name": "导入的运维项目", "party_a": "某区行政审批局", "party_b": "某信息技术有限公司",
        "amount": "985000.00", "start": "2026-04-01", "end": "2027-03-31", "signed_on": "2026-03-20",
        "procurement_number": "CG-1", "party_a_representative": "李建国", "bank": "建设银行某支行", "account": "4105",
        "instalments": [{"ratio": "0.25", "condition": "每季度"}],
    }
    payload.update(changes)
    return payload


def test_confirming_creates_a_draft_contract_and_audits_it(pm, api_client_for):
    response = api_client_for(pm).post(CONFIRM, _confirm_payload(), format="json")
    assert response.status_code == 201, response.content
    contract = Contract.objects.get(pk=response.json()["id"])
    assert contract.status == Contract.Status.DRAFT
    assert (contract.amount, str(contract.term_start), contract.party_b_bank) == (
        __import__("decimal").Decimal("985000.00"), "2026-04-01", "建设银行某支行")
    record = AuditRecord.objects.get(action="ledger.contract_imported")
    assert record.contract_id == contract.pk and record.actor_id == pm.pk
    # The new contract has no members: the importer does not grant themselves a role.
    assert not contract.memberships.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"number": ""}, "number"),
        ({"number": "HTDZ202602135"}, "number"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1e999"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"start": "2026-13-01"}, "start"),
        ({"end": "2025-01-01"}, "end"),
        ({"signed_on": "9999-01-01"}, "signed_on"),
        ({"name": "名" * 301}, "name"),
        ({"party_a": None}, "party_a"),
    ],
)
def test_a_wrong_field_on_confirm_is_a_400_naming_it(pm, api_client_for, contract, changes, field):
    response = api_client_for(pm).post(CONFIRM, _confirm_payload(**changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not AuditRecord.objects.filter(action="ledger.contract_imported").exists()


def test_a_clashing_number_names_only_the_number(outsider, api_client_for, contract):
    """The numbers are unique across contracts: the clash is said, nothing else of the other contract."""
    response = api_client_for(outsider).post(CONFIRM, _confirm_payload(number=contract.number), format="json")
    assert response.status_code == 400
    text = response.content.decode()
    assert contract.name not in text and contract.party_a not in text


def test_confirming_the_seed_stores_its_terms_schedule_and_penalty_rules(pm, api_client_for, seed_text):
    from decimal import Decimal

    from weibao.ledger.models import ContractTerms, PaymentMilestone, PenaltyRule

    api = api_client_for(pm)
    draft = api.post(URL, {"text": seed_text}, format="json").json()
    draft["number"] = "HTDZ-IMPORTED-1"  # the seed contract itself exists already
    response = api.post(CONFIRM, draft, format="json")
    assert response.status_code == 201, response.content
    contract = Contract.objects.get(pk=response.json()["id"])
    terms = ContractTerms.objects.get(contract=contract)
    assert (terms.remedy_working_days, terms.force_majeure_days, terms.max_renewals, terms.max_total_years,
            terms.renewal_window_days, terms.min_resident_staff) == (5, 15, 2, 3, 15, 1)
    assert terms.advance_ratio == Decimal("0.30") and "服务期限" in terms.sources["start"]
    milestones = list(PaymentMilestone.objects.filter(contract=contract).order_by("sequence"))
    assert [(m.kind, m.amount, m.requires_handover) for m in milestones] == [
        ("advance", Decimal("411000.00"), False), ("final", Decimal("959000.00"), True)]
    rules = {r.clause: r for r in PenaltyRule.objects.filter(contract=contract)}
    assert (rules["九.3"].liable, rules["九.3"].base, rules["九.3"].rate) == ("b", "total", Decimal("0.0003"))
    assert (rules["九.4"].liable, rules["九.4"].base) == ("a", "amount_due")
