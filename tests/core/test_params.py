"""The one parser for untrusted request values (core.params) and the request-wide refusal
of control characters and deep JSON (core.middleware): bad input answers a 400 naming
the field, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from weibao.api.models import ApiToken
from weibao.calendars.models import HolidayYear
from weibao.core import params
from weibao.core.params import BadParameter
from weibao.portal.models import PortalSite

ODD_NUMBERS = ["²", "２", "٣", "1e999", "99999999999999999999999", "-1", "1.5", " ", "0x10", "1_000"]


@pytest.mark.parametrize("raw", ["²", "２", "٣", "1e999", "99999999999999999999999", "-1", "0", "x"])
def test_an_id_is_ascii_digits_that_fit_a_database_column(raw):
    assert params.parse_id(raw) is None
    with pytest.raises(BadParameter) as refused:
        params.require_id(raw, "contract")
    assert refused.value.field == "contract"


def test_an_absent_id_is_none_and_a_good_one_its_number():
    assert params.require_id("", "contract") is None
    assert params.require_id(None, "contract") is None
    assert params.require_id(" 42 ", "contract") == 42


@pytest.mark.parametrize("raw", [r for r in ODD_NUMBERS if r.strip()])
def test_page_numbers_and_sizes_refuse_odd_digits_and_huge_numbers(raw):
    with pytest.raises(BadParameter):
        params.parse_page(raw)
    with pytest.raises(BadParameter):
        params.parse_positive_int(raw, "page_size", maximum=500)


def test_a_page_defaults_to_the_first_and_a_size_is_bounded():
    assert params.parse_page(None) == 1
    assert params.parse_page("3") == 3
    with pytest.raises(BadParameter, match="500"):
        params.parse_positive_int("501", "page_size", maximum=500)


@pytest.mark.parametrize(
    "raw", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "２０２６-01-01", "20260101", "2026-W01-1",
            "2026-02-30", "2026-01-01T00:00"]
)
def test_a_date_is_iso_and_between_2000_and_2100(raw):
    with pytest.raises(BadParameter) as refused:
        params.parse_date(raw, "date_from")
    assert refused.value.field == "date_from"


def test_a_good_date_a_datetime_in_beijing_time_and_a_year():
    assert params.parse_date("2026-11-24", "d") == dt.date(2026, 11, 24)
    moment = params.parse_datetime("2026-11-24T09:30", "start")
    assert moment.utcoffset() == dt.timedelta(hours=8) and moment.hour == 9
    assert params.parse_year("2030", first=2000, last=2045) == 2030
    for raw in ("1", "9999", "2046", "²⁰²⁶", "2026.0"):
        with pytest.raises(BadParameter):
            params.parse_year(raw, first=2000, last=2045)
    for raw in ("0001-01-01T00:00", "9999-12-31T23:59", "2026-11-24T09:30+08:00", "2026-11-24"):
        with pytest.raises(BadParameter):
            params.parse_datetime(raw, "start")


def test_a_choice_is_one_of_the_choices_exactly():
    assert params.parse_choice("open", "status", ["open", "closed"]) == "open"
    with pytest.raises(BadParameter):
        params.parse_choice("OPEN", "status", ["open", "closed"])


# --- Unauthenticated: deep JSON and NUL bytes are refused before any view ----------------


def test_deeply_nested_json_to_the_token_endpoint_is_a_400_not_a_500(db):
    body = '{"username": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in str(response.json())


def test_json_at_a_reasonable_depth_still_reaches_the_view(db):
    response = APIClient().post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code in (400, 401)


def test_a_nul_byte_in_a_json_value_is_refused_naming_the_field(db):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "a\x00b", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()


def test_a_nul_byte_in_an_anonymous_portal_form_is_a_400_naming_the_field(contract):
    PortalSite.objects.create(contract=contract, slug="shilong", title="门户")
    client = Client()
    client.get("/portal/shilong/")
    response = client.post("/portal/shilong/track/", {"number": "WB\x00", "phone": "139"})
    assert response.status_code == 400
    assert "number" in response.content.decode()


@pytest.mark.parametrize("where", ["query", "name"])
def test_control_characters_in_a_query_are_refused_in_json_for_json_callers(db, where):
    query = {"q": "a\x01b"} if where == "query" else {"q\x00": "x"}
    response = Client().get("/portal/shilong/", query, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_tabs_and_line_breaks_are_ordinary_text(contract):
    PortalSite.objects.create(contract=contract, slug="shilong", title="门户")
    response = Client().get("/portal/shilong/", {"q": "营业执照\t变更\r\n"})
    assert response.status_code == 200


def test_a_refused_form_post_still_needs_no_csrf_token_to_be_refused_and_changes_nothing(pm):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm)
    response = client.post("/contracts/switch/", {"contract": "\x00"})
    assert response.status_code == 400
    ok = client.post("/contracts/switch/", {"contract": str(pm.memberships.first().contract_id)})
    assert ok.status_code == 403  # the CSRF check still runs for everything else


# --- Authenticated: odd digits where the views used isdigit() + int() -------------------


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


def test_switching_to_a_contract_named_by_a_unicode_digit_is_not_found(web):
    assert web.post("/contracts/switch/", {"contract": "²"}).status_code == 404


def test_revoking_a_token_named_by_a_unicode_digit_revokes_nothing(pm, web):
    ApiToken.issue(pm)
    response = web.post("/accounts/security/", {"action": "revoke_token", "token": "²"})
    assert response.status_code < 500
    assert ApiToken.objects.filter(user=pm, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("contract_value", ["²", "1e999", "99999999999999999999999"])
def test_the_audit_filter_names_a_bad_contract(contract, make_member, client_for, contract_value):
    auditor = make_member(contract, "auditor")
    response = client_for(auditor).get("/audit/", {"contract": contract_value})
    assert response.status_code == 200
    assert "合同编号应为整数" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_audit_filter_names_a_date_out_of_range(contract, make_member, client_for, day):
    auditor = make_member(contract, "auditor")
    response = client_for(auditor).get("/audit/", {"date_from": day, "date_to": day})
    assert response.status_code == 200
    assert "日期超出范围" in response.content.decode()


@pytest.mark.parametrize("name", ["page", "page_size"])
@pytest.mark.parametrize("value", ["²", "٣", "1e999", "99999999999999999999999"])
def test_api_pages_and_page_sizes_are_named_when_odd(pm, api_client_for, name, value):
    api = api_client_for(pm)
    for url in ("/api/v1/tickets/", "/api/v1/contracts/"):
        response = api.get(url, {name: value})
        assert response.status_code == 400, (url, response.status_code)
        assert name in response.json()


def test_a_page_of_a_web_list_is_named_when_odd(web):
    response = web.get("/tickets/", {"page": "²"})
    assert response.status_code == 400
    assert "page" in response.content.decode()
    assert web.get("/tickets/", {"page_size": "1e999"}).status_code == 400


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "²⁰²⁶-01-01"])
def test_the_visit_week_is_named_when_out_of_range(web, week):
    response = web.get("/visits/", {"week": week})
    assert response.status_code == 400
    assert "week" in response.content.decode()


@pytest.mark.parametrize("start", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_planning_a_visit_at_year_1_or_9999_is_refused_in_the_form(web, start):
    response = web.post("/visits/new/", {"start": start, "end": "2026-11-24T10:00", "location": "x"})
    assert response.status_code == 200
    assert "日期超出范围" in response.content.decode()


@pytest.mark.parametrize("year", ["1", "9999", "٢٠٢٦"])
def test_the_calendar_web_form_refuses_years_the_api_refuses(contract, web, year):
    response = web.post("/calendars/holidays/import/", {"year": year, "text": f"{year}-01-01,rest"}, follow=True)
    assert response.status_code == 200
    assert not HolidayYear.objects.filter(contract=contract).exists()
    assert "年份应在" in response.content.decode()


@pytest.mark.parametrize("year", ["1", "9999", "²"])
def test_the_calendar_page_names_a_year_out_of_range(web, year):
    assert web.get("/calendars/", {"year": year}).status_code == 400


@pytest.mark.parametrize("target", ["²", "accounts:security", "//evil.example/", "https://evil.example/"])
def test_a_next_that_is_not_a_path_here_goes_home(contract, web, target):
    response = web.get("/accounts/login/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    response = web.post("/contracts/switch/", {"contract": contract.pk, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_query_parameter_named_like_a_method_the_list_template_calls_is_harmless(web):
    response = web.get("/tickets/", {"lists": "²", "status": "new"})
    assert response.status_code == 200
    assert '<option value="new" selected' in response.content.decode()


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:00+08:00", "1458-10-25T07:49:21+08:00"])
def test_an_api_time_outside_the_years_is_named_not_a_500(pm, api_client_for, at):
    api = api_client_for(pm)
    contract_id = pm.memberships.first().contract_id
    ticket = api.post("/api/v1/tickets/", {"contract": contract_id, "type": "fault", "subject": "登录失败",
                                           "requester_name": "张三", "needs_onsite": True}, format="json")
    assert ticket.status_code == 201, ticket.content
    response = api.post(f"/api/v1/tickets/{ticket.json()['id']}/arrival/", {"at": at}, format="json")
    assert response.status_code == 400
    assert "超出" in response.json()["at"][0]  # out of range (ours, or DRF's own for year 1)


def test_free_text_is_stripped_and_refused_past_its_limit_naming_the_field():
    assert params.parse_text("  值班表 ", "name", 100) == "值班表"
    assert params.parse_text(None, "name", 100) == ""
    assert params.parse_text("长" * 100, "name", 100) == "长" * 100
    with pytest.raises(BadParameter) as refused:
        params.parse_text("长" * 101, "name", 100)
    assert refused.value.field == "name" and "100" in refused.value.message
    with pytest.raises(BadParameter):
        params.parse_text("  ", "reason", 300, required=True)


@pytest.mark.parametrize(("written", "rate"), [
    ("0.0003", "0.0003"), ("万分之三", "0.0003"), ("0.3‰", "0.0003"), ("0.03%", "0.0003"), ("百分之三十", "0.3"),
    (" 1 ", "1"),
])
def test_a_rate_as_a_decimal_or_as_a_contract_writes_it(written, rate):
    from decimal import Decimal

    from weibao.core.params import parse_rate

    assert parse_rate(written, "rate") == Decimal(rate)


@pytest.mark.parametrize("written", ["", None, "abc", "万分之", "按万分之三计", "万分之三或万分之五", "１", "1e-4", "1e999", "千分之1.23456789",
                                     "0.000000001", "万分之三" * 20])
def test_anything_else_is_not_a_rate(written):
    from weibao.core.params import BadParameter, parse_rate

    with pytest.raises(BadParameter) as refused:
        parse_rate(written, "rate")
    assert refused.value.field == "rate"
