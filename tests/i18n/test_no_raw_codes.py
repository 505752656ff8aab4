"""Pages speak the reader's language only: no stored codes (in_progress, p1, auto_reply), no
terse durations (3s, -16d 16:18:23), no English sentence on a Chinese page, and no Chinese
in the English page's frame. The main pages are rendered over the demo data in both languages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from weibao.servicedesk.models import Ticket, TicketEntry

CJK = re.compile(r"[\u4e00-\u9fff]")

# Codes stored in the database that a reader must never see. Plain English words (new,
# closed, work) are only codes on a Chinese page; codes with an underscore and p1..p4 are
# never words in either language.
CODES = ("new", "assigned", "in_progress", "waiting", "resolved", "closed", "cancelled",
         "p1", "p2", "p3", "p4", "rest", "work", "running", "paused", "met", "breached",
         "hotline_agent", "project_manager", "resident_engineer", "oncall_engineer", "auditor",
         "auto_reply", "bounce", "loop", "consultation", "fault", "service_request", "phone",
         "portal", "email", "onsite", "answered", "pending")
ALWAYS_CODES = re.compile(r"(?<![\w.@/-])(?:[a-z]+_[a-z_]+|p[1-4])(?![\w.@/-])")
CHINESE_PAGE_CODES = re.compile(r"(?<![\w.@/:-])(?:{})(?![\w.@/-])".format("|".join(CODES)))
TERSE_DURATION = re.compile(r"(?<![\w.:-])-?\d+(?:d|s|h|m|min)(?![\w.-])|-?\d+d \d\d:\d\d")
# Three English words in a row: a sentence left untranslated on a Chinese page.
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+[ :-]+[A-Za-z][a-z]+[ :-]+[A-Za-z][a-z]+\b")
# A history line: "<from> → <to>".
ARROW = re.compile(r"([^\s→：]+)\s*→\s*([^\s→]+)")


def _visible_text(html: str, literals: bool = True) -> str:
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    if not literals:  # header lines and addresses quoted as received
        html = re.sub(r"<code\b.*?</code>", " ", html, flags=re.S)
    html = re.sub(r"<(option)\b[^>]*>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _frame(html: str) -> str:
    blocks = re.finditer(r"<(header|footer)\b.*?</\1>", html, flags=re.S)
    return " ".join(_visible_text(block.group(0)) for block in blocks)


@pytest.fixture
def demo(demo_data, db, client):
    seed_ticket = (
        Ticket.objects.filter(contract__number="HTDZ202602135", entries__kind=TicketEntry.Kind.TRANSITION,
                              entries__from_status__gt="")
        .order_by("pk").first()
    )
    breached = (
        Ticket.objects.filter(contract__number="HTDZ202602135", clocks__state="breached")
        .order_by("pk").first()
    )
    return [t for t in (seed_ticket, breached) if t is not None]


def _pages(tickets) -> list[tuple[str, str]]:
    pages = [("pm", "/tickets/"), ("pm", "/"), ("agent", "/hotline/"), ("pm", "/mail/"),
             ("pm", "/visits/"), ("pm", "/feedback/")]
    pages += [("pm", f"/tickets/{ticket.pk}/") for ticket in tickets]
    from weibao.mailchannel.models import InboundMail

    pages += [("pm", f"/mail/{mail.pk}/") for mail in InboundMail.objects.exclude(reason="")[:3]]
    return pages


def _get(client, username: str, url: str, language: str) -> str:
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _problems_common(text: str) -> list[str]:
    found = [f"code {m.group(0)!r}" for m in ALWAYS_CODES.finditer(text)]
    found += [f"terse duration {m.group(0)!r}" for m in TERSE_DURATION.finditer(text)]
    for before, after in ARROW.findall(text):
        for side in (before, after):
            if side in CODES:
                found.append(f"history code {side!r}")
    return found


def _user_data() -> list[str]:
    """What people wrote (mail subjects in English among them): not the page's own words."""
    from weibao.mailchannel.models import InboundMail

    subjects = InboundMail.objects.values_list("subject", flat=True)
    return sorted({s for s in subjects if s}, key=len, reverse=True)


def test_chinese_pages_show_no_codes_and_no_english_sentences(demo, client):
    assert demo, "the demo data has tickets with a history and a breached clock"
    problems = []
    written = _user_data()
    for username, url in _pages(demo):
        html = _get(client, username, url, "zh-hans")
        text = _visible_text(html)
        found = _problems_common(text)
        found += [f"code {m.group(0)!r}" for m in CHINESE_PAGE_CODES.finditer(text)]
        prose = _visible_text(html, literals=False)
        for words in written:
            prose = prose.replace(words, " ").replace(words[:37], " ")
        found += [f"English {m.group(0)!r}" for m in ENGLISH_PHRASE.finditer(prose)]
        problems += [f"{url}: {p}" for p in found]
    assert not problems, "\n".join(problems)


def test_an_overdue_clock_reads_in_days_and_hours_without_a_script(demo, client):
    breached = demo[-1]
    text = _visible_text(_get(client, "pm", f"/tickets/{breached.pk}/", "zh-hans"))
    assert re.search(r"已超时 \d+ (天|小时|分钟|秒)", text), text


def test_english_pages_show_no_codes_and_an_english_frame(demo, client):
    problems = []
    for username, url in _pages(demo):
        html = _get(client, username, url, "en")
        found = _problems_common(_visible_text(html))
        frame = _frame(html).replace("中文", "")
        # The reader's own name and the contracts' names are data, not the frame's words.
        for name in re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html):
            frame = frame.replace(name.strip(), "")
        frame = frame.replace(str(get_user_model().objects.get(username=username)), "")
        found += [f"Chinese in the frame {m.group(0)!r}" for m in CJK.finditer(frame)][:1]
        problems += [f"{url}: {p}" for p in found]
    assert not problems, "\n".join(problems)
