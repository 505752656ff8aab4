"""The team register (clause 五.2, 十一.4): a worker with lapsed insurance or no signed
agreement is flagged and kept off assignments unless the PM overrides with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.audit.models import AuditRecord
from weibao.notifications.models import Notification
from weibao.people import compliance, services
from weibao.servicedesk.access import who_can_work
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets
from weibao.testing.isolation import assert_isolated, assert_list_excludes

pytestmark = pytest.mark.django_db


def test_a_contract_without_a_register_is_not_checked(contract, engineer):
    assert compliance.may_be_assigned(engineer, contract) == (True, [])


def test_a_compliant_worker_may_be_assigned(contract, engineer, enrol, clock):
    enrol(engineer)
    assert compliance.may_be_assigned(engineer, contract) == (True, [])


def test_lapsed_insurance_is_flagged_and_refused_as_assignee_unless_overridden(
    contract, pm, engineer, enrol, new_ticket, api, clock, client_for
):
    enrol(pm)
    enrol(engineer, accident_until=dt.date(2026, 11, 1))  # lapsed before 2026-11-24
    allowed, reasons = compliance.may_be_assigned(engineer, contract)
    assert not allowed and any("意外伤害保险" in r for r in reasons)
    assert engineer not in who_can_work(contract.pk)
    assert pm in who_can_work(contract.pk)

    ticket = new_ticket()
    refused = api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": engineer.pk}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()
    assert "意外伤害保险" in refused.json()["assignee"][0]
    page = client_for(pm).get("/people/").content.decode()
    assert "不合规" in page and "意外伤害保险未参保或已过期" in page

    with pytest.raises(ValidationError) as error:
        services.grant_override(contract, engineer, by=pm, reason="  ", until=dt.date(2026, 12, 1))
    assert "reason" in error.value.message_dict
    services.grant_override(contract, engineer, by=pm, reason="续保手续办理中，已见缴费凭证", until=dt.date(2026, 12, 1))
    assert AuditRecord.objects.filter(action="people.override_granted").exists()
    allowed, reasons = compliance.may_be_assigned(engineer, contract)
    assert allowed and any("特许" in r for r in reasons)
    assert engineer in who_can_work(contract.pk)
    assigned = api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": engineer.pk}, format="json")
    assert assigned.status_code == 200
    clock.advance(dt.timedelta(days=8))  # the override ended on 2026-12-01
    assert not compliance.may_be_assigned(engineer, contract)[0]


def test_no_signed_agreement_or_another_employer_is_flagged(contract, pm, engineer, enrol):
    enrol(engineer, agreement=False)
    assert "未签订有效的保密协议" in compliance.may_be_assigned(engineer, contract)[1]
    services.save_profile(contract, engineer, by=pm, employer="某劳务派遣公司")
    assert any("第十一条第4款" in r for r in compliance.may_be_assigned(engineer, contract)[1])


def test_a_member_without_a_profile_is_refused_once_the_register_is_kept(contract, pm, engineer, enrol, new_ticket):
    enrol(pm)
    ticket = Ticket.objects.get(pk=new_ticket()["id"])
    with pytest.raises(ValidationError) as error:
        tickets.update_ticket(ticket, by=pm, assignee=engineer)
    assert "没有人员档案" in error.value.message_dict["assignee"][0]


def test_the_people_api_reports_status_and_compliance(contract, pm, engineer, liaison, enrol, api_client_for, clock):
    enrol(pm)
    enrol(engineer, accident_until=dt.date(2026, 12, 10))  # expiring within 30 days, still compliant
    response = api_client_for(liaison).get("/api/v1/people/", {"contract": contract.pk})
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert rows["engineer"]["compliant"] is True
    assert rows["engineer"]["accident_insurance"]["status"] == "expiring"
    assert rows["engineer"]["confidentiality_agreement"]["status"] == "signed"
    assert "policy_number" not in rows["engineer"]["accident_insurance"]
    assert "YW-SECRET-77" not in response.content.decode()
    clock.advance(dt.timedelta(days=20))
    rows = {row["username"]: row for row in api_client_for(liaison).get("/api/v1/people/").json()["results"]}
    assert rows["engineer"]["compliant"] is False
    assert rows["engineer"]["accident_insurance"]["status"] == "lapsed"
    assert api_client_for(liaison).get("/api/v1/people/", {"contract": "x"}).status_code == 400


def test_reading_a_workers_record_is_audited(contract, pm, engineer, liaison, enrol, api_client_for, client_for, make_member):
    profile = enrol(engineer)
    detail = api_client_for(liaison).get(f"/api/v1/people/{profile.pk}/")
    assert detail.status_code == 200
    assert detail.json()["accident_insurance"]["policy_number"] == "YW-SECRET-77"
    assert AuditRecord.objects.filter(action="people.record_read", object_id=str(profile.pk)).count() == 1
    assert "YW-SECRET-77" in client_for(pm).get(f"/people/{profile.pk}/").content.decode()
    assert AuditRecord.objects.filter(action="people.record_read").count() == 2
    viewer = make_member(contract, "bureau_viewer")
    assert api_client_for(viewer).get(f"/api/v1/people/{profile.pk}/").status_code == 403
    assert api_client_for(engineer).get(f"/api/v1/people/{profile.pk}/").status_code == 403


def test_reminders_30_days_before_expiry_are_sent_once(contract, pm, engineer, enrol, clock):
    enrol(engineer, accident_until=dt.date(2026, 12, 20))
    sent = services.send_expiry_reminders()
    assert sent == 2  # the engineer and the PM
    assert services.send_expiry_reminders() == 0
    note = Notification.objects.filter(recipient=pm, kind="people.expiry").get()
    assert "意外伤害保险" in note.subject and "2026-12-20" in note.subject


def test_a_scan_must_be_a_pdf_or_an_image(contract, pm, engineer):
    profile = services.save_profile(contract, engineer, by=pm)
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as error:
        services.add_agreement(profile, by=pm, signed_on=dt.date(2026, 1, 1), scan=bad)
    assert "scan" in error.value.message_dict
    good = SimpleUploadedFile("x.pdf", b"%PDF-1.4 ok")
    agreement = services.add_agreement(profile, by=pm, signed_on=dt.date(2026, 1, 1), scan=good)
    assert "x.pdf" not in agreement.scan.name


def test_pages_refuse_bad_dates_with_the_field(contract, pm, engineer, client_for):
    profile = services.save_profile(contract, engineer, by=pm)
    web = client_for(pm)
    response = web.post(f"/people/{profile.pk}/policies/", {"kind": "social", "insurer": "x", "policy_number": "1",
                                                             "valid_from": "2026-13-01", "valid_until": "2027-01-01"}, follow=True)
    assert "valid_from" in response.content.decode()
    assert not profile.policies.exists()


def test_the_register_is_isolated(contract, pm, engineer, enrol, outsider, api_client_for, client_for):
    profile = enrol(engineer)
    secrets = ["YW-SECRET-77", engineer.username]
    assert_isolated(api_client_for(outsider), [f"/api/v1/people/{profile.pk}/"], secrets)
    assert_list_excludes(api_client_for(outsider), "/api/v1/people/", secrets)
    assert_list_excludes(api_client_for(outsider), "/api/v1/people/", secrets, contract=str(contract.pk))
    web = client_for(outsider)
    assert_isolated(web, [f"/people/{profile.pk}/", f"/people/{profile.pk}/edit/"], ["YW-SECRET-77"])
    assert_isolated(web, [f"/people/{profile.pk}/override/", f"/people/{profile.pk}/policies/"], ["YW-SECRET-77"],
                    method="post", content_type="application/x-www-form-urlencoded")
    assert not profile.policies.exclude(policy_number__in=["SB-0001", "YW-SECRET-77"]).exists()


def test_a_flagged_engineer_is_not_sent_on_site(contract, pm, engineer, enrol, clock):
    from weibao.visits import services as visits

    enrol(pm)
    enrol(engineer, accident_until=dt.date(2026, 11, 1))
    start = clock.now() + dt.timedelta(hours=2)
    with pytest.raises(ValidationError) as error:
        visits.plan(contract, engineer=engineer, start=start, end=start + dt.timedelta(hours=1),
                    location="机房", purpose="巡检", by=pm)
    assert "意外伤害保险" in error.value.message_dict["engineer"][0]
