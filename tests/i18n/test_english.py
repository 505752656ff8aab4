"""English is a real second language: the switch, Accept-Language on the API, and a
complete catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

import weibao

CATALOGUE = Path(weibao.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_chinese_is_the_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "登录维保" in body and "Sign in to Weibao" not in body


def test_the_language_switch_gives_english_pages(pm, client_for):
    web = client_for(pm)
    web.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = web.get("/").content.decode()
    assert "Home" in body and "Sign out" in body
    assert "工作台" not in body and "退出" not in body


def test_the_api_speaks_the_callers_language(db):
    api = Client()
    response = api.post("/api/v1/auth/token/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    text = str(response.json())
    assert re.search(r"[A-Za-z]{4,}", text) and not re.search(r"[\u4e00-\u9fff]", text)
    response = api.get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (401, 403)
    assert not re.search(r"[\u4e00-\u9fff]", response.json()["detail"])


def test_every_message_is_translated():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = re.split(r"\n\n+", text)[1:]
    missing = [
        entry for entry in entries
        if not entry.startswith("#~")
        and (re.search(r'\nmsgstr ""\s*$', entry) or re.search(r'msgstr\[\d\] ""\s*$', entry))
    ]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:2]}"
