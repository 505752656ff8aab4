"""The password policy refuses what a guesser tries first, and says why in Chinese."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from weibao.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def _refusals(password: str, user=None) -> set[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as refused:
        return {error.code for error in refused.error_list}
    return set()


def _change(client, new: str):
    return client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )


def test_12345678Aa_is_refused_on_the_password_page_with_a_chinese_reason(client_for, pm):
    response = _change(client_for(pm), "12345678Aa")
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password1"]
    assert any("连续" in error for error in errors), errors
    pm.refresh_from_db()
    assert pm.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["Shilong#abcd9", "Xk#4321zz", "Qwer#2026x", "Zz!asdf97", "Mm#dcba#7", "Lp#7890xy", "Tt#1111xy", "Hy!@#$2k9"],
)
def test_runs_of_four_and_keyboard_rows_are_refused(password):
    assert "password_sequence" in _refusals(password)


@pytest.mark.parametrize(
    "password",
    ["Aa123456", "Qq123456", "Woaini@1314", "Zhongguo#520", "P@ssw0rd", "Password@2026", "5201314Aa!"],
)
def test_common_passwords_and_chinese_favourites_are_refused(password):
    assert "password_too_common" in _refusals(password)


@pytest.mark.parametrize("password", ["Wb#13907551986", "13907551986Wb!"])
def test_a_mobile_number_is_not_a_password(password):
    assert "password_phone_number" in _refusals(password)


@pytest.mark.parametrize("password", [TEST_PASSWORD, "Shilong#2026a", "Wb#pm-2027-Renewed", "Hx7$kq9Lm2"])
def test_ordinary_strong_passwords_still_pass(password):
    assert _refusals(password) == set()


def test_every_policy_message_and_help_text_is_chinese(client_for, pm):
    try:
        password_validation.validate_password("Ab1!x")
    except ValidationError as refused:
        messages = refused.messages
    assert messages and all(CJK.search(message) for message in messages), messages
    assert not any("password" in message.lower() for message in messages)
    for text in password_validation.password_validators_help_texts():
        assert CJK.search(text), text
    page = client_for(pm).get("/accounts/password/").content.decode()
    assert "This password" not in page and "Your password" not in page
