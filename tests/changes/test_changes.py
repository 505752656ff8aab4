"""Change requests (变更): a normal change waits for the bureau liaison's signed approval
before it is implemented; an emergency change starts at once and is flagged until it is
approved retroactively; approvals are signed with the second factor where enrolled."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.core.exceptions import ValidationError

from weibao.audit.models import AuditRecord
from weibao.changes import calendar, services
from weibao.changes.models import ChangeApproval, ChangeRequest
from weibao.testing.isolation import assert_isolated, assert_list_excludes

pytestmark = pytest.mark.django_db


def _create(client, payload):
    response = client.post("/api/v1/changes/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_resident_engineer_cannot_start_a_normal_change_without_the_liaisons_approval(
    contract, engineer, liaison, api_client_for, change_payload
):
    as_engineer = api_client_for(engineer)
    change = _create(as_engineer, change_payload())
    assert change["status"] == "requested"
    assert change["number"].startswith("CH-2026-")

    refused = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "implementing"}, format="json")
    assert refused.status_code == 400
    assert "approval" in refused.json()
    assert "甲方联络人审批" in refused.json()["approval"][0]

    approved = api_client_for(liaison).post(f"/api/v1/changes/{change['id']}/approve/", {"comment": "同意"}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    started = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "implementing"}, format="json")
    assert started.status_code == 200
    assert started.json()["status"] == "implementing"
    assert AuditRecord.objects.filter(action="change.approved", object_id=str(change["id"])).exists()


@pytest.mark.parametrize("role", ["project_manager", "resident_engineer", "bureau_viewer", "auditor", "hotline_agent"])
def test_only_the_bureau_liaison_may_approve(contract, engineer, make_member, api_client_for, change_payload, role):
    change = _create(api_client_for(engineer), change_payload())
    other = make_member(contract, role)
    response = api_client_for(other).post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json")
    assert response.status_code == 403
    assert not ChangeApproval.objects.exists()


def test_the_pm_first_when_the_contract_asks_for_it(contract, engineer, liaison, pm, api_client_for, change_payload):
    services.save_settings(contract, by=pm, pm_approval_first=True, retro_approval_hours=12)
    change = _create(api_client_for(engineer), change_payload())
    assert change["missing_approvals"] == ["项目经理同意", "甲方联络人审批"]
    early = api_client_for(liaison).post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json")
    assert early.status_code == 400 and "approval" in early.json()
    assert api_client_for(pm).post(f"/api/v1/changes/{change['id']}/endorse/", {}, format="json").status_code == 200
    assert api_client_for(liaison).post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json").status_code == 200


def test_an_emergency_change_starts_at_once_and_is_flagged_until_approved_retroactively(
    contract, engineer, liaison, pm, api_client_for, change_payload, clock
):
    services.save_settings(contract, by=pm, pm_approval_first=False, retro_approval_hours=6)
    as_engineer = api_client_for(engineer)
    change = _create(as_engineer, change_payload(kind="emergency", title="紧急扩容连接池"))
    started = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "implementing"}, format="json").json()
    assert started["status"] == "implementing"
    assert started["awaiting_retro_approval"] is True
    assert started["retro_overdue"] is False
    assert dt.datetime.fromisoformat(started["retro_due_at"]) == clock.now() + dt.timedelta(hours=6)

    clock.advance(dt.timedelta(hours=7))
    assert as_engineer.get(f"/api/v1/changes/{change['id']}/").json()["retro_overdue"] is True
    as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "implemented"}, format="json")
    closing = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/",
                               {"to": "closed", "review_outcome": "successful", "review_notes": "正常"}, format="json")
    assert closing.status_code == 400 and "approval" in closing.json()

    approved = api_client_for(liaison).post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json").json()
    assert approved["awaiting_retro_approval"] is False
    assert approved["approvals"][0]["retroactive"] is True
    closed = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/",
                              {"to": "closed", "review_outcome": "successful", "review_notes": "正常"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_closing_needs_the_post_implementation_review(contract, engineer, liaison, api_client_for, change_payload):
    as_engineer = api_client_for(engineer)
    change = _create(as_engineer, change_payload())
    api_client_for(liaison).post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json")
    for step in ("implementing", "implemented"):
        as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": step}, format="json")
    response = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "closed"}, format="json")
    assert response.status_code == 400
    assert {"review_outcome", "review_notes"} <= set(response.json())


def test_an_approval_is_signed_with_the_second_factor_where_enrolled(contract, engineer, liaison, api_client_for, change_payload, clock):
    liaison.totp_secret = pyotp.random_base32()
    liaison.totp_enabled = True
    liaison.save()
    change = _create(api_client_for(engineer), change_payload())
    as_liaison = api_client_for(liaison)
    missing = as_liaison.post(f"/api/v1/changes/{change['id']}/approve/", {}, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = as_liaison.post(f"/api/v1/changes/{change['id']}/approve/", {"otp": "000000"}, format="json")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    assert AuditRecord.objects.filter(action="change.approval_failed", outcome="failure").exists()
    code = pyotp.TOTP(liaison.totp_secret).at(clock.now())
    signed = as_liaison.post(f"/api/v1/changes/{change['id']}/approve/", {"otp": code}, format="json")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["approvals"][0]["second_factor"] is True


def test_bad_input_is_a_400_naming_the_field(contract, engineer, api_client_for, change_payload, other_contract):
    as_engineer = api_client_for(engineer)
    for payload, field in (
        (change_payload(kind="whatever"), "kind"),
        (change_payload(planned_end="2026-12-01T19:00:00+08:00"), "planned_end"),
        (change_payload(planned_start="9999-01-01T00:00:00Z"), "planned_start"),
        (change_payload(kind="standard"), "template"),
        (change_payload(rollback_plan=""), "rollback_plan"),
        (change_payload(colour="red"), "colour"),
    ):
        response = as_engineer.post("/api/v1/changes/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (field, response.json())
    assert as_engineer.get("/api/v1/changes/", {"contract": "１"}).status_code == 400
    assert as_engineer.post("/api/v1/changes/", change_payload(contract=other_contract.pk), format="json").status_code == 404
    change = _create(as_engineer, change_payload())
    bad = as_engineer.post(f"/api/v1/changes/{change['id']}/transition/", {"to": "nowhere"}, format="json")
    assert bad.status_code == 400 and "to" in bad.json()


def test_a_standard_change_from_an_approved_template_starts_without_approval(contract, engineer, liaison, pm, api_client_for, change_payload):
    template = services.save_template(contract, by=pm, name="证书更换", description="更换 SSL 证书",
                                      implementation_plan="上传证书", rollback_plan="切回旧证书")
    unapproved = api_client_for(engineer).post("/api/v1/changes/", change_payload(kind="standard", template=template.pk), format="json")
    assert unapproved.status_code == 400 and "template" in unapproved.json()
    services.approve_template(template, by=liaison)
    change = _create(api_client_for(engineer), change_payload(kind="standard", template=template.pk, implementation_plan="", rollback_plan=""))
    assert change["status"] == "approved"
    assert change["rollback_plan"] == "切回旧证书"
    started = api_client_for(engineer).post(f"/api/v1/changes/{change['id']}/transition/", {"to": "implementing"}, format="json")
    assert started.status_code == 200


def test_the_calendar_shows_holiday_periods_and_overlapping_changes(contract, engineer, clock):
    start = dt.datetime(2027, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 元旦
    first = services.request_change(contract, by=engineer, kind="normal", title="A", reason="r",
                                    implementation_plan="p", rollback_plan="b", planned_start=start,
                                    planned_end=start + dt.timedelta(hours=3))
    second = services.request_change(contract, by=engineer, kind="normal", title="B", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=start + dt.timedelta(hours=1),
                                     planned_end=start + dt.timedelta(hours=2))
    found = calendar.conflicts(first)
    assert any("2027-01-01" in c and "节假日" in c for c in found)
    assert any(second.number in c for c in found)
    days = calendar.month(contract, 2027, 1)
    assert days[0]["holiday"] and [c.pk for c in days[0]["changes"]] == [first.pk, second.pk]


def test_a_registered_maintenance_window_is_a_conflict(contract, engineer, window):
    def source(contract_, start, end):
        return [calendar.Window(window[0], window[1], "数据库维护")]

    calendar.register_window_source(source)
    try:
        change = services.request_change(contract, by=engineer, kind="normal", title="A", reason="r",
                                         implementation_plan="p", rollback_plan="b", planned_start=window[0],
                                         planned_end=window[1])
        assert any("数据库维护" in c for c in calendar.conflicts(change))
    finally:
        calendar._sources.remove(source)


def test_an_implementer_with_lapsed_insurance_is_refused(contract, engineer, pm, clock, window):
    from weibao.people import services as people

    people.save_profile(contract, pm, by=pm)  # the register is kept; the engineer has no profile
    with pytest.raises(ValidationError) as error:
        services.request_change(contract, by=pm, kind="normal", title="A", reason="r", implementation_plan="p",
                                rollback_plan="b", planned_start=window[0], planned_end=window[1], implementer=engineer)
    assert "implementer" in error.value.message_dict


def test_changes_are_isolated_between_contracts(contract, engineer, outsider, api_client_for, client_for, change_payload):
    change = _create(api_client_for(engineer), change_payload(title="机密变更甲"))
    secrets = ["机密变更甲", change["number"]]
    assert_isolated(api_client_for(outsider), [f"/api/v1/changes/{change['id']}/"], secrets)
    assert_isolated(api_client_for(outsider), [f"/api/v1/changes/{change['id']}/approve/",
                                               f"/api/v1/changes/{change['id']}/transition/"],
                    secrets, method="post", data={"to": "cancelled"})
    assert_list_excludes(api_client_for(outsider), "/api/v1/changes/", secrets)
    assert_list_excludes(api_client_for(outsider), "/api/v1/changes/", secrets, contract=str(contract.pk))
    web = client_for(outsider)
    assert_isolated(web, [f"/changes/{change['id']}/", "/changes/", "/changes/calendar/?month=2026-12"], secrets)
    assert_isolated(web, [f"/changes/{change['id']}/approve/", f"/changes/{change['id']}/transition/"], secrets, method="post",
                    content_type="application/x-www-form-urlencoded")
    assert ChangeRequest.objects.get(pk=change["id"]).status == "requested"


def test_the_pages_work_for_the_team_and_the_bureau(contract, engineer, liaison, client_for, change_payload, api_client_for):
    change = _create(api_client_for(engineer), change_payload(title="页面变更"))
    web = client_for(engineer)
    assert "页面变更" in web.get("/changes/").content.decode()
    assert web.get("/changes/calendar/?month=2026-12").status_code == 200
    assert web.get("/changes/calendar/?month=2026-13").status_code == 400
    assert web.get("/changes/new/").status_code == 200
    page = client_for(liaison).get(f"/changes/{change['id']}/").content.decode()
    assert "甲方审批" in page
    response = client_for(liaison).post(f"/changes/{change['id']}/approve/", {"decision": "approve"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change["id"]).status == "approved"
    posted = web.post("/changes/new/", {"kind": "normal", "title": "", "reason": "", "planned_start": "x"})
    assert posted.status_code == 400


def test_an_overdue_retro_approval_is_told_once(contract, engineer, liaison, pm, clock, window):
    from weibao.notifications.models import Notification

    change = services.request_change(contract, by=engineer, kind="emergency", title="紧急", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=window[0],
                                     planned_end=window[1])
    services.transition(change, "implementing", by=engineer)
    assert services.remind_overdue_retro_approvals() == 0
    clock.advance(dt.timedelta(hours=25))
    assert services.remind_overdue_retro_approvals() == 2  # the liaison and the PM
    assert services.remind_overdue_retro_approvals() == 0
    assert Notification.objects.filter(recipient=liaison, kind="change.retro_overdue").exists()
    services.approve(change, by=liaison)
    clock.advance(dt.timedelta(hours=1))
    assert services.remind_overdue_retro_approvals() == 0


def test_the_ticket_page_names_the_changes_that_touch_the_ticket(contract, engineer, new_ticket, client_for, clock):
    from weibao.servicedesk.models import Ticket

    ticket = Ticket.objects.get(pk=new_ticket()["id"])
    start = clock.now() + dt.timedelta(days=3)
    change = services.request_change(contract, by=engineer, kind="normal", title="更换负载均衡证书", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=start,
                                     planned_end=start + dt.timedelta(hours=2), tickets=[ticket])
    page = client_for(engineer).get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/changes/{change.pk}/">{change.number}</a> {change.get_status_display()}' in page
