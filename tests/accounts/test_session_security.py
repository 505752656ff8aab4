"""What a session and a token may do before and after each login step (issue 11: second
factor under /accounts/, OTP switched off with the password alone, idle API sessions,
token lifetime and revocation, the Django admin's own login and password pages)."""

from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from rest_framework.test import APIClient

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.passwords import set_password
from weibao.accounts.services.roles import grant_admin_role
from weibao.api.models import ApiToken
from weibao.audit.models import AuditRecord
from weibao.contracts.models import Membership
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Weibao@2026"


def _login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def enrolled_secadmin(settings):
    """A security administrator with TOTP enrolled, production second-factor rule."""
    settings.WEIBAO_DEMO_RELAX_2FA = False
    admin = UserFactory(username="sec")
    grant_admin_role(admin, AdminRole.SECURITY_ADMIN, by=None)
    admin.totp_secret = pyotp.random_base32()
    admin.totp_enabled = True
    admin.save()
    return admin


@pytest.fixture
def otp_pending(client, enrolled_secadmin):
    """A browser session that has the password but not yet the second factor."""
    assert _login(client, "sec")["Location"].endswith("/accounts/otp/")
    return client


def _code(user, clock, steps: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(clock.now() + timedelta(seconds=30 * steps))


# --- 1. the second factor under /accounts/ -------------------------------------------------

def test_a_pending_second_factor_cannot_grant_roles(otp_pending, contract):
    victim = UserFactory(username="someone")
    response = otp_pending.post(
        f"/accounts/users/{victim.pk}/memberships/", {"contract": contract.pk, "role": "project_manager"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/accounts/otp/")
    assert not Membership.objects.filter(user=victim).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/users/",
        "/accounts/users/{pk}/",
        "/accounts/security/",
        "/accounts/password/",
    ],
)
def test_a_pending_second_factor_reaches_no_account_page(otp_pending, enrolled_secadmin, path):
    url = path.format(pk=enrolled_secadmin.pk)
    assert otp_pending.get(url)["Location"].endswith("/accounts/otp/")


def test_a_pending_second_factor_cannot_unlock_or_switch_off_the_factor(otp_pending, enrolled_secadmin):
    from weibao.accounts.models import LoginThrottle
    from weibao.core import clock as core_clock

    locked = UserFactory(username="lockedout")
    LoginThrottle.objects.create(
        username="lockedout", failures=5, locked_until=core_clock.now() + timedelta(minutes=10)
    )
    assert otp_pending.post(f"/accounts/users/{locked.pk}/unlock/").status_code == 302
    assert LoginThrottle.objects.get(username="lockedout").locked_until is not None
    otp_pending.post("/accounts/security/", {"action": "disable_otp"})
    enrolled_secadmin.refresh_from_db()
    assert enrolled_secadmin.totp_enabled


def test_a_pending_second_factor_cannot_use_the_api(otp_pending):
    assert otp_pending.get("/api/v1/me/").status_code in (401, 403)
    assert otp_pending.get("/api/v1/tickets/").status_code in (401, 403)


def test_login_logout_and_otp_pages_stay_reachable_while_pending(otp_pending, enrolled_secadmin, clock):
    assert otp_pending.get("/accounts/otp/").status_code == 200
    response = otp_pending.post("/accounts/otp/", {"code": _code(enrolled_secadmin, clock)})
    assert response.status_code == 302
    assert otp_pending.get("/accounts/users/").status_code == 200
    assert otp_pending.post("/accounts/logout/").status_code == 302


def test_an_expired_password_reaches_only_the_change_page(client_for, pm, clock, settings):
    settings.WEIBAO_PASSWORD_MAX_AGE_DAYS = 90
    settings.WEIBAO_IDLE_TIMEOUT_MINUTES = 200 * 24 * 60
    set_password(pm, PASSWORD)
    client = client_for(pm)
    clock.advance(timedelta(days=91))
    assert client.get("/accounts/security/")["Location"].endswith("/accounts/password/")
    assert client.get("/accounts/password/").status_code == 200
    # The API does not take the session either.
    assert client.get("/api/v1/me/").status_code in (401, 403)


# --- 3. switching the second factor off or replacing it needs a current code ---------------

def test_switching_the_second_factor_off_needs_a_current_code(client_for, pm, clock):
    pm.totp_secret = pyotp.random_base32()
    pm.totp_enabled = True
    pm.save()
    client = client_for(pm)
    refused = client.post("/accounts/security/", {"action": "disable_otp"}, follow=True)
    assert "双因素认证未关闭" in refused.content.decode()
    pm.refresh_from_db()
    assert pm.totp_enabled
    assert AuditRecord.objects.filter(action="mfa.disable_failed", actor=pm, outcome="failure").exists()
    client.post("/accounts/security/", {"action": "disable_otp", "code": _code(pm, clock)})
    pm.refresh_from_db()
    assert not pm.totp_enabled
    assert AuditRecord.objects.filter(action="mfa.disabled", actor=pm).exists()


def test_replacing_the_authenticator_needs_a_code_of_the_current_one(client_for, pm, clock):
    old_secret = pyotp.random_base32()
    pm.totp_secret, pm.totp_enabled = old_secret, True
    pm.save()
    client = client_for(pm)
    assert client.get("/accounts/otp/setup/").status_code == 200
    new_secret = client.session["weibao_pending_totp_secret"]
    new_code = pyotp.TOTP(new_secret).at(clock.now())
    refused = client.post("/accounts/otp/setup/", {"code": new_code})
    assert refused.status_code == 200
    pm.refresh_from_db()
    assert pm.totp_secret == old_secret
    clock.advance(timedelta(seconds=30))
    accepted = client.post(
        "/accounts/otp/setup/",
        {"code": pyotp.TOTP(new_secret).at(clock.now()), "current_code": pyotp.TOTP(old_secret).at(clock.now())},
    )
    assert accepted.status_code == 302
    pm.refresh_from_db()
    assert pm.totp_secret == new_secret


# --- 5. the idle timeout covers API calls made with the session -----------------------------

def test_an_idle_session_cannot_read_or_write_through_the_api(client_for, pm, contract, clock):
    client = client_for(pm)
    assert client.get("/tickets/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    clock.advance(timedelta(minutes=11))
    assert client.get("/api/v1/me/").status_code in (401, 403)
    created = client.post(
        "/api/v1/tickets/",
        {"contract": contract.pk, "subject": "空闲后", "description": "x"},
        content_type="application/json",
    )
    assert created.status_code in (401, 403)
    assert AuditRecord.objects.filter(action="session.idle_timeout", actor=pm).exists()
    # The page logged out too: one session, one rule.
    assert client.get("/tickets/")["Location"].startswith("/accounts/login/")


def test_api_calls_with_the_session_keep_it_alive(client_for, pm, clock):
    client = client_for(pm)
    assert client.get("/tickets/").status_code == 200
    for _ in range(3):
        clock.advance(timedelta(minutes=8))
        assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/tickets/").status_code == 200


# --- 7. token lifetime and revocation ------------------------------------------------------

def _token(username="pm", password=PASSWORD):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _bearer(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_a_token_expires_after_its_lifetime(pm, clock, settings):
    settings.WEIBAO_API_TOKEN_LIFETIME_DAYS = 30
    body = _token()
    assert body["expires_at"].startswith("2026-12-24")  # 2026-11-24 + 30 days
    api = _bearer(body["token"])
    clock.advance(timedelta(days=29))
    assert api.get("/api/v1/me/").status_code == 200
    clock.advance(timedelta(days=2))
    assert api.get("/api/v1/me/").status_code == 401


def test_a_password_change_revokes_every_token(client_for, pm, clock):
    raw = _token()["token"]
    client = client_for(pm)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Xq#7vLp!29wz", "new_password2": "Xq#7vLp!29wz"},
    )
    assert response.status_code == 302
    assert _bearer(raw).get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.get(user=pm).revoked_at is not None
    record = AuditRecord.objects.get(action="api_token.revoked_all", object_id=str(pm.pk))
    assert record.detail["reason"] == "password_changed"


def test_an_expired_password_refuses_the_token(pm, clock, settings):
    settings.WEIBAO_PASSWORD_MAX_AGE_DAYS = 90
    settings.WEIBAO_API_TOKEN_LIFETIME_DAYS = 365
    set_password(pm, PASSWORD)
    raw = _token()["token"]
    clock.advance(timedelta(days=85))
    assert _bearer(raw).get("/api/v1/me/").status_code == 200
    clock.advance(timedelta(days=6))
    refused = _bearer(raw).get("/api/v1/me/")
    assert refused.status_code == 401 and "密码已过期" in refused.json()["detail"]


def test_the_token_list_shows_expiry(client_for, pm, clock):
    _token()
    body = client_for(pm).get("/accounts/security/").content.decode()
    assert "到期时间" in body and "2027-02-22" in body  # 90 days after 2026-11-24


# --- 11. the Django admin's own login and password change -----------------------------------

def test_the_admin_login_page_sends_to_the_product_login(client, settings):
    admin = UserFactory(username="sys")
    grant_admin_role(admin, AdminRole.SYSTEM_ADMIN, by=None)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # Posting credentials there logs nobody in and is no second password check.
    posted = client.post("/admin/login/", {"username": "sys", "password": PASSWORD})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")


def test_the_admin_password_change_is_the_product_one(client_for):
    admin = UserFactory(username="sys")
    grant_admin_role(admin, AdminRole.SYSTEM_ADMIN, by=None)
    client = client_for(admin)
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/")
    assert client.get("/admin/password_change/done/")["Location"].endswith("/accounts/security/")


# --- 12. only the security admin turns administrators' accounts on or off ---------------------

@pytest.fixture
def admins(db):
    made = {}
    for username, role in (("sys", AdminRole.SYSTEM_ADMIN), ("sec", AdminRole.SECURITY_ADMIN),
                           ("aud", AdminRole.AUDITOR)):
        made[username] = UserFactory(username=username)
        grant_admin_role(made[username], role, by=None)
    return made


@pytest.mark.parametrize("target", ["sec", "aud"])
def test_the_system_admin_cannot_deactivate_the_other_administrators(client_for, admins, target):
    person = admins[target]
    client = client_for(admins["sys"])
    page = client.get(f"/admin/accounts/user/{person.pk}/change/")
    assert page.status_code == 200 and 'name="is_active"' not in page.content.decode()
    client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {"display_name": "x", "email": "", "phone": "", "organisation": "", "must_change_password": ""},
    )
    person.refresh_from_db()
    assert person.is_active
    assert client.post(f"/accounts/users/{person.pk}/active/", {"active": "0"}).status_code == 403


def test_the_security_admin_deactivates_an_administrator_and_its_tokens_die(client_for, admins):
    auditor = admins["aud"]
    _, raw = ApiToken.issue(auditor)
    client = client_for(admins["sec"])
    client.post(f"/accounts/users/{auditor.pk}/active/", {"active": "0"})
    auditor.refresh_from_db()
    assert not auditor.is_active
    assert AuditRecord.objects.filter(action="account.deactivated", actor=admins["sec"]).exists()
    assert _bearer(raw).get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.get(user=auditor).revoked_at is not None
    # Nobody switches their own account off.
    client.post(f"/accounts/users/{admins['sec'].pk}/active/", {"active": "0"})
    admins["sec"].refresh_from_db()
    assert admins["sec"].is_active


def test_the_system_admin_deactivating_an_ordinary_account_is_a_named_audited_action(
    client_for, admins, pm
):
    _, raw = ApiToken.issue(pm)
    client = client_for(admins["sys"])
    response = client.post(
        f"/admin/accounts/user/{pm.pk}/change/",
        {"display_name": pm.display_name, "email": pm.email or "", "phone": pm.phone or "",
         "organisation": pm.organisation or "", "must_change_password": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pm.refresh_from_db()
    assert not pm.is_active
    assert AuditRecord.objects.filter(action="account.deactivated", actor=admins["sys"]).exists()
    assert _bearer(raw).get("/api/v1/me/").status_code == 401


def test_a_deactivated_browser_session_stops_at_once(client_for, admins, pm):
    client = client_for(pm)
    assert client.get("/tickets/").status_code == 200
    client_for(admins["sec"]).post(f"/accounts/users/{pm.pk}/active/", {"active": "0"})
    assert client.get("/tickets/")["Location"].startswith("/accounts/login/")
    assert Client().get("/tickets/")["Location"].startswith("/accounts/login/")


def test_a_limited_token_request_is_told_when_to_come_back(pm, clock, settings):
    settings.WEIBAO_TOKEN_REQUESTS_PER_MINUTE = 2
    api = APIClient()
    ask = lambda: api.post("/api/v1/auth/token/", {"username": "pm", "password": PASSWORD}, format="json")  # noqa: E731
    ask()
    clock.advance(timedelta(seconds=40))
    ask()
    refused = ask()
    assert refused.status_code == 429
    # The first request leaves the sliding window 20 s from now, not at the next minute.
    assert refused["Retry-After"] == "20"
    clock.advance(timedelta(seconds=21))
    assert ask().status_code == 201


def test_a_token_is_revoked_from_the_security_page_and_only_its_owner_may(client_for, pm, outsider):
    token, raw = ApiToken.issue(pm)
    assert client_for(outsider).post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404
    assert _bearer(raw).get("/api/v1/me/").status_code == 200
    page = client_for(pm)
    assert f"/accounts/security/tokens/{token.pk}/revoke/" in page.get("/accounts/security/").content.decode()
    assert page.post(f"/accounts/security/tokens/{token.pk}/revoke/")["Location"].endswith("/accounts/security/")
    assert _bearer(raw).get("/api/v1/me/").status_code == 401
    assert AuditRecord.objects.filter(action="api_token.revoked", actor=pm).exists()


def test_an_htmx_fetch_that_finds_the_session_idle_sends_the_whole_page_to_login(
    client_for, contract, make_member, clock
):
    client = client_for(make_member(contract, "hotline_agent", username="agent"))
    assert client.get("/hotline/").status_code == 200
    clock.advance(timedelta(minutes=11))
    fetched = client.get("/hotline/suggest/", {"question": "社保卡"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_CURRENT_URL="http://testserver/hotline/?x=1")
    assert fetched.status_code == 200 and fetched.content == b""  # no login form in the fragment
    assert fetched["HX-Redirect"] == "/accounts/login/?next=/hotline/%3Fx%3D1"
    login_page = client.get(fetched["HX-Redirect"])
    assert "自动退出" in login_page.content.decode()


def test_an_api_call_that_finds_the_session_idle_leaves_the_reason_for_the_next_page(client_for, pm, clock):
    client = client_for(pm)
    assert client.get("/tickets/").status_code == 200
    clock.advance(timedelta(minutes=11))
    assert client.get("/api/v1/me/").status_code in (401, 403)
    response = client.get("/tickets/", follow=True)
    assert "自动退出" in response.content.decode()


@pytest.mark.parametrize("current", [
    "http://evil.example//evil.example/phish", "javascript:alert(1)", "", "²", "http://testserver/\x00x",
])
def test_the_page_an_idle_htmx_fetch_returns_to_is_a_path_on_this_site(client_for, contract, make_member, clock,
                                                                       current):
    client = client_for(make_member(contract, "hotline_agent", username="agent"))
    assert client.get("/hotline/").status_code == 200
    clock.advance(timedelta(minutes=11))
    fetched = client.get("/hotline/suggest/", {"question": "社保卡"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_CURRENT_URL=current)
    assert fetched.status_code == 200
    target = fetched["HX-Redirect"]
    assert target.startswith("/accounts/login/?next=/") and "evil" not in target and "%2F%2F" not in target
