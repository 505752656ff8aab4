"""好差评 figures per contract and period: the page (quick choices, dates, CSV export)
and ``GET /api/v1/feedback/figures/``."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from weibao.audit.models import AuditRecord
from weibao.core import clock as core_clock
from weibao.feedback.models import Rating, Rectification
from weibao.feedback.services import figures
from weibao.testing.isolation import assert_isolated

FIGURES = "/api/v1/feedback/figures/"


@pytest.fixture
def rated(api, new_ticket, engineer):
    """A resolved ticket rated ``level`` at local ``day`` (noon, Asia/Shanghai)."""

    def make(level: int, day: date):
        ticket = new_ticket(assignee=engineer.pk)
        url = f"/api/v1/tickets/{ticket['id']}/transition/"
        api.post(url, {"to": "in_progress"}, format="json")
        api.post(url, {"to": "resolved", "comment": "已处理"}, format="json")
        assert api.post(f"/api/v1/tickets/{ticket['id']}/rating/", {"level": level}, format="json").status_code == 201
        at = dt.datetime.combine(day, dt.time(12), tzinfo=core_clock.SHANGHAI)
        Rating.objects.filter(ticket_id=ticket["id"]).update(created_at=at)
        Rectification.objects.filter(ticket_id=ticket["id"]).update(created_at=at)
        return ticket

    return make


def test_the_api_gives_the_figures_of_the_period_asked(api, contract, rated, clock):
    for level in (5, 4, 4, 2):
        rated(level, date(2026, 10, 15))
    rated(1, date(2026, 11, 2))  # another month
    response = api.get(FIGURES, {"contract": contract.pk, "start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["start"], body["end"], body["ratings"]) == ("2026-10-01", "2026-10-31", 4)
    assert [(x["level"], x["count"]) for x in body["levels"]] == [(5, 1), (4, 2), (3, 0), (2, 1), (1, 0)]
    assert body["levels"][0]["label"] == "非常满意"
    assert body["satisfaction_rate"] == "75.0"
    assert body["relayed_by_phone"] == 4  # the PM recorded them: call-backs
    assert body["first_contact_rate"] is None and body["average_talk_seconds"] is None
    # The October rectification is still open at the end of October, not yet overdue then.
    assert (body["rectifications_open"], body["rectifications_overdue"]) == (1, 0)


def test_rectifications_are_counted_open_and_overdue_as_at_the_end_of_the_period(api, contract, rated, pm, clock):
    rated(1, date(2026, 9, 1))
    rated(2, date(2026, 10, 20))
    first, second = Rectification.objects.order_by("created_at")
    Rectification.objects.filter(pk=first.pk).update(due_on=date(2026, 9, 22))
    Rectification.objects.filter(pk=second.pk).update(
        status="closed", closed_at=dt.datetime(2026, 11, 3, tzinfo=core_clock.SHANGHAI)
    )
    september = figures.satisfaction_figures(contract, date(2026, 9, 1), date(2026, 9, 30))
    assert (september.rectifications_open, september.rectifications_overdue) == (1, 1)
    october = figures.satisfaction_figures(contract, date(2026, 10, 1), date(2026, 10, 31))
    assert (october.rectifications_open, october.rectifications_overdue) == (2, 1)
    november = figures.satisfaction_figures(contract, date(2026, 11, 1), date(2026, 11, 30))
    assert (november.rectifications_open, november.rectifications_overdue) == (1, 1)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-10-01"}, "end", "请填写日期"),
        ({"start": "2026/10/01", "end": "2026-10-31"}, "start", "YYYY-MM-DD"),
        ({"start": "2026-10-31", "end": "2026-10-01"}, "end", "结束日期不能早于开始日期"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "end", "最长 366 天"),
        ({"start": "1900-01-01", "end": "1900-01-02"}, "start", "日期超出范围"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(api, contract, desk, params, field, message):
    response = api.get(FIGURES, {"contract": contract.pk, **params})
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_a_leap_year_is_one_period(api, contract, desk):
    response = api.get(FIGURES, {"contract": contract.pk, "start": "2028-01-01", "end": "2028-12-31"})
    assert response.status_code == 200


@pytest.mark.parametrize("contract_param", ["", "abc", "99999999999999999999999"])
def test_the_contract_must_be_named_by_its_number(api, desk, contract_param):
    response = api.get(FIGURES, {"contract": contract_param, "start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 400 and "contract" in response.json()


def test_figures_are_for_members_of_the_contract_only(api, contract, rated, outsider, api_client_for, make_member):
    rated(1, date(2026, 10, 15))
    params = f"?contract={contract.pk}&start=2026-10-01&end=2026-10-31"
    response = api_client_for(outsider).get(FIGURES + params)
    assert response.status_code == 404 and "contract" in response.json()
    assert_isolated(api_client_for(outsider), [FIGURES + params], secrets=['"ratings"', contract.number])
    auditor = make_member(contract, "auditor")
    assert api_client_for(auditor).get(FIGURES + params).status_code == 403


def test_the_figures_endpoint_is_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/feedback/figures/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"contract", "start", "end"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][body]["properties"]
    assert properties["satisfaction_rate"]["type"] == "string" and properties["levels"]["type"] == "array"


# -- the page ---------------------------------------------------------------------------


def test_quick_periods_are_whole_calendar_periods():
    periods = {p.key: (p.start, p.end) for p in figures.quick_periods(date(2026, 1, 20))}
    assert periods == {
        "month": (date(2026, 1, 1), date(2026, 1, 31)),
        "last_month": (date(2025, 12, 1), date(2025, 12, 31)),
        "quarter": (date(2026, 1, 1), date(2026, 3, 31)),
        "year": (date(2026, 1, 1), date(2026, 12, 31)),
    }
    periods = {p.key: (p.start, p.end) for p in figures.quick_periods(date(2026, 11, 24))}
    assert periods["quarter"] == (date(2026, 10, 1), date(2026, 12, 31))
    assert periods["last_month"] == (date(2026, 10, 1), date(2026, 10, 31))


def test_parse_period_names_each_bad_field():
    with pytest.raises(ValidationError) as refused:
        figures.parse_period("x", "")
    assert set(refused.value.message_dict) == {"start", "end"}


def test_the_page_shows_the_period_chosen(pm, client_for, rated, clock):
    rated(2, date(2026, 10, 15))
    web = client_for(pm)
    page = web.get("/feedback/", {"period": "last_month"}).content.decode()
    assert "2026-10-01 至 2026-10-31" in page
    assert 'href="?period=quarter&amp;status=open"' in page
    page = web.get("/feedback/", {"start": "2026-11-01", "end": "2026-11-24"}).content.decode()
    assert "2026-11-01 至 2026-11-24" in page
    assert "2026-11-01 至 2026-11-30" in web.get("/feedback/").content.decode()  # this month by default


def test_the_page_refuses_a_bad_period_naming_the_field(pm, client_for, desk):
    response = client_for(pm).get("/feedback/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "结束日期不能早于开始日期" in page and 'id="end-error"' in page


def test_the_figures_export_as_csv_and_the_export_is_audited(pm, client_for, rated, contract, clock):
    rated(5, date(2026, 10, 15))
    rated(2, date(2026, 10, 16))
    response = client_for(pm).get("/feedback/", {"start": "2026-10-01", "end": "2026-10-31", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "feedback-20261001-20261031" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "评价数,2" in text and "非常满意,1" in text and "满意率,50.0%" in text and "非常不满意,0" in text
    record = AuditRecord.objects.get(action="feedback.figures.export")
    assert record.actor == pm and record.contract_id == contract.pk
    assert record.detail == {"format": "csv", "start": "2026-10-01", "end": "2026-10-31"}


def test_the_page_and_its_export_show_an_outsider_nothing_of_the_contract(rated, outsider, client_for, contract):
    rated(1, date(2026, 10, 15))
    comment_ticket = Rating.objects.get().ticket
    assert_isolated(
        client_for(outsider),
        ["/feedback/?start=2026-10-01&end=2026-10-31", "/feedback/?start=2026-10-01&end=2026-10-31&export=csv"],
        secrets=[contract.number, comment_ticket.number, "评价数,1"],
    )
