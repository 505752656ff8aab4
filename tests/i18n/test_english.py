"""English is a real second language: Chinese stays the default, the language switch and
Accept-Language give English pages and API errors, and the catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CJK = re.compile(r"[\u4e00-\u9fff]")
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
CATALOGUE = LC_MESSAGES / "django.po"
COMPILED = LC_MESSAGES / "django.mo"

# Navigation words of the logged-in page, in both languages.
CHINESE_NAV = ("工作台", "工单", "知识库", "合同", "通知", "账号安全", "退出")
ENGLISH_NAV = ("Home", "Ticket", "Knowledge base", "Contract", "Notifications",
               "Account security", "Sign out")


def _visible_text(html: str) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _frame(html: str) -> str:
    """The text of the page frame (header with the navigation, footer): no user data."""
    blocks = re.finditer(r"<(header|footer)\b.*?</\1>", html, flags=re.S)
    return " ".join(_visible_text(block.group(0)) for block in blocks)


def _switch_to_english(client: Client, next_url: str = "/") -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- the default -------------------------------------------------------------------------

def test_chinese_is_the_default_on_the_login_page(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-CN">' in body
    assert "登录维保" in body and "用户名" in body and "跳到正文" in body
    assert "Sign in to Weibao" not in body and "Username" not in body


def test_chinese_is_the_default_on_the_home_page(pm, client_for):
    body = client_for(pm).get("/").content.decode()
    assert '<html lang="zh-CN">' in body
    for word in CHINESE_NAV:
        assert word in body, word
    assert "Sign out" not in body and "Knowledge base" not in body


def test_the_api_speaks_chinese_by_default(pm):
    api = Client()
    response = api.get("/api/v1/contracts/")
    assert response.status_code in (401, 403)
    assert CJK.search(response.json()["detail"])
    response = api.post("/api/v1/auth/token/", {}, content_type="application/json")
    assert response.status_code == 400
    assert CJK.search(str(response.json()))


# --- the language switch -----------------------------------------------------------------

def test_the_switch_gives_an_english_login_page(client, db):
    _switch_to_english(client, "/accounts/login/")
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    for word in ("Sign in to Weibao", "Username", "Password", "Skip to content", "中文"):
        assert word in body, word
    for word in ("登录维保", "用户名", "密码", "跳到正文"):
        assert word not in body, word


def test_the_switch_gives_an_english_home_page(pm, client_for):
    web = client_for(pm)
    _switch_to_english(web)
    body = web.get("/").content.decode()
    assert '<html lang="en">' in body
    for word in ENGLISH_NAV:
        assert word in body, word
    assert "Project manager" in body
    for word in CHINESE_NAV + ("项目经理", "跳到正文", "主导航"):
        assert word not in body, word
    # The header and footer carry no Chinese at all, apart from the "中文" switch back,
    # the user's own name and the contract's own name in the contract switcher.
    frame = _frame(body).replace("中文", "").replace(str(pm), "")
    for contract_name in re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', body):
        frame = frame.replace(contract_name.strip(), "")
    assert not CJK.search(frame), frame


def test_the_choice_sticks_and_can_be_undone(pm, client_for):
    web = client_for(pm)
    _switch_to_english(web)
    assert "Sign out" in web.get("/contracts/").content.decode()
    web.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = web.get("/").content.decode()
    assert "退出" in body and "Sign out" not in body


def test_accept_language_also_gives_english_pages(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in to Weibao" in body and "登录维保" not in body


# --- the API -----------------------------------------------------------------------------

def test_an_unauthenticated_api_call_is_refused_in_english(db):
    response = Client().get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (401, 403)
    detail = response.json()["detail"]
    assert re.search(r"[A-Za-z]{4,}", detail) and not CJK.search(detail), detail


def test_token_field_errors_are_in_english(db):
    response = Client().post(
        "/api/v1/auth/token/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    errors = response.json()
    assert "username" in errors and "password" in errors
    text = str(errors)
    assert "required" in text.lower() and not CJK.search(text), text


# --- the catalogue -----------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
_ENTRY_LINE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+({_STRING})\s*$")
_CONTINUATION = re.compile(rf"^({_STRING})\s*$")


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _parse_po(path: Path) -> list[dict]:
    """A tiny .po reader: one dict per live entry (msgid, msgid_plural, msgstr, msgstr[n],
    flags); obsolete (#~) entries are skipped, the header entry is kept with msgid ''."""
    entries: list[dict] = []
    current: dict = {"flags": set()}
    key = None

    def flush():
        nonlocal current, key
        if "msgid" in current:
            entries.append(current)
        current, key = {"flags": set()}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if key is not None and key.startswith("msgstr"):
                flush()
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = _ENTRY_LINE.match(line)
        if match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in current):
                flush()
                key = match.group(1)
            current[key] = _unquote(match.group(2))
            continue
        match = _CONTINUATION.match(line)
        assert match and key, f"unreadable line in {path.name}: {raw!r}"
        current[key] += _unquote(match.group(1))
    flush()
    return entries


def _messages() -> list[dict]:
    return [entry for entry in _parse_po(CATALOGUE) if entry["msgid"]]


def _translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [value for key, value in sorted(entry.items()) if key.startswith("msgstr[")]
    return [entry.get("msgstr", "")]


def test_the_catalogue_is_there_and_not_tiny():
    assert CATALOGUE.exists(), f"{CATALOGUE} is missing: run makemessages -l en"
    assert len(_messages()) > 500


def test_every_message_is_translated():
    missing = [entry["msgid"] for entry in _messages() if not all(_translations(entry))]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_no_message_is_left_fuzzy():
    header = _parse_po(CATALOGUE)[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    fuzzy = [entry["msgid"] for entry in _messages() if "fuzzy" in entry["flags"]]
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_plural_messages_have_both_forms():
    plurals = [entry for entry in _messages() if "msgid_plural" in entry]
    for entry in plurals:
        assert set(k for k in entry if k.startswith("msgstr[")) == {"msgstr[0]", "msgstr[1]"}, entry


_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdfr]|%[sdf]|\{[A-Za-z_][A-Za-z0-9_]*\}|%%")


@pytest.mark.parametrize("kind", ["singular", "plural"])
def test_placeholders_are_kept(kind):
    broken = []
    for entry in _messages():
        if (kind == "plural") != ("msgid_plural" in entry):
            continue
        wanted = sorted(set(_PLACEHOLDER.findall(entry["msgid"])))
        for translation in _translations(entry):
            if sorted(set(_PLACEHOLDER.findall(translation))) != wanted:
                broken.append((entry["msgid"], translation))
    assert not broken, broken[:5]


def test_english_translations_are_english():
    """Chinese may stay only as an example of what citizens type (U盾, 社保卡, 休/班)."""
    allowed = re.compile(r"U盾(登不上)?|社保卡|社会保障卡|休|班")
    chinese = [
        (entry["msgid"], text) for entry in _messages() for text in _translations(entry)
        if CJK.search(allowed.sub("", text))
    ]
    assert not chinese, chinese[:5]


def test_the_compiled_catalogue_matches_the_po():
    """The committed .mo must be rebuilt after every change to the .po (compilemessages)."""
    assert COMPILED.exists(), f"{COMPILED} is missing: run compilemessages"
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages():
        if "msgid_plural" in entry:
            forms = _translations(entry)
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            if got != forms:
                stale.append(entry["msgid"])
        elif "msgctxt" in entry:
            if compiled.pgettext(entry["msgctxt"], entry["msgid"]) != entry["msgstr"]:
                stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert not stale, f"django.mo is out of date for {len(stale)} messages, e.g. {stale[:5]}"


def test_the_brand_is_named_once_in_english(pm, client_for):
    web = client_for(pm)
    _switch_to_english(web)
    body = web.get("/").content.decode()
    assert "Weibao Weibao" not in re.sub(r"<[^>]+>", " ", body).replace("  ", " ")
    assert '<a class="brand" href="/">Weibao</a>' in body
