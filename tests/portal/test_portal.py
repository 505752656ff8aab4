"""The public portal: submit without an account (challenge, rate limit, attachments),
follow with number + phone, read public replies, rate once; 督办 by the bureau."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from weibao.feedback.models import Rating, Rectification
from weibao.knowledge.services.articles import create_article
from weibao.notifications.models import Notification
from weibao.portal.models import PortalSite
from weibao.portal.services import CHALLENGE_KEY
from weibao.servicedesk.models import Ticket


@pytest.fixture
def site(contract, desk):
    return PortalSite.objects.create(contract=contract, slug="shilong", title="石龙区运维服务门户")


@pytest.fixture
def citizen(site):
    return Client()


def _answer(client) -> str:
    return str(client.session[CHALLENGE_KEY])


def submit(client, **fields):
    client.get("/portal/shilong/")
    data = {"type": "fault", "name": "王五", "phone": "139-1234-5678", "subject": "营业执照网上变更提交失败",
            "description": "点击提交后无反应", "challenge": _answer(client)}
    data.update(fields)
    return client.post("/portal/shilong/", data)


def test_submit_without_an_account_gives_a_ticket_number(citizen, contract):
    response = submit(citizen)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == "portal" and ticket.requester_phone == "13912345678"
    assert ticket.number in response.content.decode()
    assert ticket.clocks.exists()


def test_wrong_challenge_is_refused(citizen):
    response = submit(citizen, challenge="999")
    assert "验证答案不正确" in response.content.decode()
    assert not Ticket.objects.exists()


def test_missing_fields_are_named(citizen):
    response = submit(citizen, phone="12", subject="")
    body = response.content.decode()
    assert "请填写有效的联系电话" in body and "请填写标题" in body
    assert not Ticket.objects.exists()


def test_submissions_are_rate_limited_per_address(citizen):
    for _ in range(5):
        assert submit(citizen).status_code == 200
    response = submit(citizen)
    assert response.status_code == 429
    assert Ticket.objects.count() == 5


def test_a_client_cannot_escape_the_limit_by_sending_its_own_x_real_ip(citizen, settings):
    settings.WEIBAO_TRUST_X_REAL_IP = False  # clients reach gunicorn directly
    statuses = []
    for n in range(6):
        citizen.defaults["HTTP_X_REAL_IP"] = f"10.0.0.{n}"
        statuses.append(submit(citizen).status_code)
    assert statuses == [200] * 5 + [429]


def test_behind_our_proxy_each_real_address_has_its_own_limit(citizen, settings):
    settings.WEIBAO_TRUST_X_REAL_IP = True  # nginx overwrites X-Real-IP with the peer
    for n in range(6):
        citizen.defaults["HTTP_X_REAL_IP"] = f"10.0.0.{n}"
        assert submit(citizen).status_code == 200


def test_attachments_are_checked_by_content(citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shot = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    shot.name = "截图.png"
    submit(citizen, files=[shot])
    assert Ticket.objects.get().attachments.get().content_type == "image/png"
    fake = io.BytesIO(b"MZ\x90\x00" + bytes(range(200)))
    fake.name = "报告.pdf"
    response = submit(citizen, files=[fake])
    assert "不支持的文件类型" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_follow_with_number_and_phone_then_rate(citizen, site, api, engineer):
    submit(citizen)
    ticket = Ticket.objects.get()
    stranger = Client()
    assert stranger.get(f"/portal/shilong/t/{ticket.number}/").status_code == 302  # not followed yet
    response = stranger.post("/portal/shilong/track/", {"number": ticket.number.lower(), "phone": "13900000000"})
    assert "没有找到该工单" in response.content.decode()
    response = stranger.post("/portal/shilong/track/", {"number": ticket.number, "phone": "139 1234 5678"})
    assert response.status_code == 302
    url = f"/portal/shilong/t/{ticket.number}/"
    api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "assigned", "assignee": engineer.pk}, format="json")
    api.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "请清除浏览器缓存后重试"}, format="json")
    api.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "内部：疑似接口超时", "public": False}, format="json")
    page = stranger.get(url).content.decode()
    assert "请清除浏览器缓存后重试" in page and "疑似接口超时" not in page
    assert "rating-form" not in page  # not resolved yet
    api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "in_progress"}, format="json")
    api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "resolved", "comment": "已修复"}, format="json")
    assert "rating-form" in stranger.get(url).content.decode()
    stranger.post(url, {"level": "1", "comment": "太慢了"})
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.level, rating.source) == (1, "portal")
    assert Rectification.objects.filter(ticket=ticket).exists()
    response = stranger.post(url, {"level": "5"}, follow=True)
    assert "不能重复评价" in response.content.decode()


def test_public_knowledge_search_shows_only_public_articles(citizen, contract, pm):
    public = create_article(contract, title="个人用户忘记密码怎么办", body="点击忘记密码。", tags=["密码"],
                            visibility="public", publish=True, by=pm)
    create_article(contract, title="内部：密码重置后台操作手册", body="后台。", tags=["密码"],
                   visibility="internal", publish=True, by=pm)
    page = citizen.get("/portal/shilong/", {"q": "忘记密码"}).content.decode()
    assert "个人用户忘记密码怎么办" in page and "后台操作手册" not in page
    assert citizen.get(f"/portal/shilong/kb/{public.pk}/").status_code == 200


def test_a_reader_says_whether_an_article_helped_once_per_visit(citizen, contract, pm):
    public = create_article(contract, title="个人用户忘记密码怎么办", body="点击忘记密码。", tags=["密码"],
                            visibility="public", publish=True, by=pm)
    url = f"/portal/shilong/kb/{public.pk}/"
    page = citizen.get(url).content.decode()
    assert "这篇文章有帮助吗" in page and 'id="kb-vote"' in page
    vote = f"/portal/shilong/kb/{public.pk}/vote/"
    citizen.post(vote, {"helpful": "1"})
    citizen.post(vote, {"helpful": "1"})  # the same visitor again: still one vote
    public.refresh_from_db()
    assert (public.helpful_count, public.not_helpful_count) == (1, 0)
    citizen.post(vote, {"helpful": "0"})  # changes their mind
    public.refresh_from_db()
    assert (public.helpful_count, public.not_helpful_count) == (0, 1)


def test_a_citizens_helpful_after_a_search_teaches_the_search_and_misses_are_logged(citizen, contract, pm):
    from weibao.knowledge.models import SearchLog, SearchUse

    public = create_article(contract, title="个人用户忘记密码怎么办", body="点击忘记密码。", tags=["密码"],
                            visibility="public", publish=True, by=pm)
    page = citizen.get("/portal/shilong/", {"q": "密码忘了"}).content.decode()
    assert f"/portal/shilong/kb/{public.pk}/?q=" in page and "匹配：" in page
    article_page = citizen.get(f"/portal/shilong/kb/{public.pk}/", {"q": "密码忘了"}).content.decode()
    assert 'name="q" value="密码忘了"' in article_page
    citizen.post(f"/portal/shilong/kb/{public.pk}/vote/", {"helpful": "1", "q": "密码忘了"})
    use = SearchUse.objects.get()
    assert (use.contract_id, use.article_id, use.action, use.query) == (contract.pk, public.pk, "helpful", "密码忘了")
    assert use.actor.startswith("s")
    citizen.get("/portal/shilong/", {"q": "养犬登记在哪办"})
    assert SearchLog.objects.filter(contract=contract, hits=0, source="portal").count() == 1


def test_the_requester_may_replace_a_rating_the_desk_relayed_from_a_call(citizen, site, api, engineer, pm):
    from weibao.feedback.services import ratings

    submit(citizen)
    ticket = Ticket.objects.get()
    citizen.post("/portal/shilong/track/", {"number": ticket.number, "phone": "13912345678"})
    for step in ({"to": "assigned", "assignee": engineer.pk}, {"to": "in_progress"},
                 {"to": "resolved", "comment": "已修复"}):
        api.post(f"/api/v1/tickets/{ticket.pk}/transition/", step, format="json")
    ticket.refresh_from_db()
    ratings.rate(ticket, 5, "电话里说满意", by=pm, source=Rating.Source.WEB)
    url = f"/portal/shilong/t/{ticket.number}/"
    page = citizen.get(url).content.decode()
    assert "服务台电话回访记录的评价" in page and "rating-form" in page
    citizen.post(url, {"level": "2", "comment": "其实没解决"})
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.level, rating.source) == (2, "portal")
    assert Rectification.objects.filter(ticket=ticket).exists()
    page = citizen.get(url).content.decode()
    assert "rating-form" not in page and "您的评价" in page


def test_unknown_or_disabled_portals_are_404(citizen, site):
    assert citizen.get("/portal/nowhere/").status_code == 404
    site.enabled = False
    site.save()
    assert citizen.get("/portal/shilong/").status_code == 404


def test_portal_of_another_contract_never_shows_this_one(citizen, site, other_contract, desk):
    PortalSite.objects.create(contract=other_contract, slug="other", title="另一个门户")
    submit(citizen)
    ticket = Ticket.objects.get()
    other = Client()
    response = other.post("/portal/other/track/", {"number": ticket.number, "phone": "13912345678"})
    assert "没有找到该工单" in response.content.decode()
    assert other.get(f"/portal/other/t/{ticket.number}/").status_code == 302


def test_bureau_urges_an_open_ticket(
    new_ticket, liaison, client_for, pm, engineer, contract, make_member
):
    departed_pm = make_member(contract, "project_manager", username="departed_pm", is_active=False)
    ticket = new_ticket(assignee=engineer.pk)
    web = client_for(liaison)
    web.post(f"/tickets/{ticket['id']}/urge/", {"comment": "群众反映强烈，请加快"})
    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.urged_count == 1
    assert stored.entries.filter(kind="urge").exists()
    assert Notification.objects.filter(recipient=engineer, kind="ticket.urged").exists()
    assert Notification.objects.filter(recipient=pm, kind="ticket.urged").exists()
    assert not Notification.objects.filter(recipient=departed_pm).exists()
    assert "已督办 1 次" in web.get(f"/tickets/{ticket['id']}/").content.decode()
    vendor = client_for(engineer)
    vendor.post(f"/tickets/{ticket['id']}/urge/")
    assert Ticket.objects.get(pk=ticket["id"]).urged_count == 1  # only the bureau urges


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_tracking_is_rate_limited_in_any_language(site, language):
    guesser = Client(HTTP_ACCEPT_LANGUAGE=language)
    guesser.cookies["django_language"] = language
    answers = [
        guesser.post("/portal/shilong/track/", {"number": f"SL-2026-{n:06d}", "phone": "13900000000"})
        for n in range(21)
    ]
    assert [r.status_code for r in answers[:20]] == [200] * 20
    assert answers[20].status_code == 429
    assert ("频繁" if language == "zh-hans" else "too many") in answers[20].content.decode().lower()


# -- who rates on the portal: a signed-in vendor member is not the requester --------------


def _resolved_and_followed(citizen, api, engineer):
    submit(citizen)
    ticket = Ticket.objects.get()
    citizen.post("/portal/shilong/track/", {"number": ticket.number, "phone": "13912345678"})
    for step in ({"to": "assigned", "assignee": engineer.pk}, {"to": "in_progress"},
                 {"to": "resolved", "comment": "已修复"}):
        api.post(f"/api/v1/tickets/{ticket.pk}/transition/", step, format="json")
    ticket.refresh_from_db()
    return ticket


def test_a_signed_in_pm_rating_on_the_portal_is_recorded_as_a_phone_relay(site, api, engineer, pm, client_for):
    browser = client_for(pm)  # the PM knows the number and the phone, in the same browser
    ticket = _resolved_and_followed(browser, api, engineer)
    browser.post(f"/portal/shilong/t/{ticket.number}/", {"level": "5", "comment": "满意"})
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.source, rating.recorded_by) == ("phone", pm)


def test_a_signed_in_pm_cannot_replace_the_relayed_rating_as_the_requester(
    site, api, engineer, pm, client_for, contract, make_member
):
    from weibao.feedback.services import ratings

    agent = make_member(contract, "hotline_agent", username="agent")
    browser = client_for(pm)
    ticket = _resolved_and_followed(browser, api, engineer)
    ratings.rate(ticket, 1, "电话里说没解决", by=agent, source=Rating.Source.WEB)
    url = f"/portal/shilong/t/{ticket.number}/"
    assert "rating-form" not in browser.get(url).content.decode()
    response = browser.post(url, {"level": "5", "comment": "其实很满意"}, follow=True)
    assert "不能重复评价" in response.content.decode()
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.level, rating.source, rating.recorded_by, rating.superseded_at) == (1, "phone", agent, None)


def test_a_signed_in_engineer_cannot_rate_on_the_portal(site, api, engineer, client_for):
    browser = client_for(engineer)
    ticket = _resolved_and_followed(browser, api, engineer)
    response = browser.post(f"/portal/shilong/t/{ticket.number}/", {"level": "5"}, follow=True)
    assert "您的账号不能为该工单评价" in response.content.decode()
    assert not Rating.objects.filter(ticket=ticket).exists()


def test_a_signed_in_member_of_another_contract_rates_as_the_requester(
    site, api, engineer, other_contract, make_member, client_for
):
    stranger = make_member(other_contract, "project_manager", username="other_pm")
    browser = client_for(stranger)
    ticket = _resolved_and_followed(browser, api, engineer)
    browser.post(f"/portal/shilong/t/{ticket.number}/", {"level": "4"})
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.source, rating.recorded_by) == ("portal", None)


# -- the heading says whose rating the portal shows ------------------------------------------


def _heading(page: str) -> str:
    return page.split('<section class="card" id="rating"><h2>', 1)[1].split("</h2>", 1)[0]


def test_a_relayed_rating_is_not_called_the_requesters_own_once_the_ticket_is_reopened(
    citizen, site, api, engineer, pm
):
    from weibao.feedback.services import ratings

    ticket = _resolved_and_followed(citizen, api, engineer)
    ratings.rate(ticket, 5, "电话里说满意", by=pm, source=Rating.Source.WEB)
    api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "in_progress"}, format="json")
    page = citizen.get(f"/portal/shilong/t/{ticket.number}/").content.decode()
    assert "rating-form" not in page
    assert _heading(page) == "服务台电话回访记录的评价"


def test_the_bureau_liaisons_rating_is_headed_as_the_bureaus(citizen, site, api, engineer, liaison):
    from weibao.feedback.services import ratings

    ticket = _resolved_and_followed(citizen, api, engineer)
    ratings.rate(ticket, 4, "甲方认可", by=liaison, source=Rating.Source.WEB)
    page = citizen.get(f"/portal/shilong/t/{ticket.number}/").content.decode()
    assert _heading(page) == "甲方评价"


def test_the_requesters_own_rating_is_headed_as_theirs(citizen, site, api, engineer):
    ticket = _resolved_and_followed(citizen, api, engineer)
    url = f"/portal/shilong/t/{ticket.number}/"
    citizen.post(url, {"level": "5", "comment": "很好"})
    assert _heading(citizen.get(url).content.decode()) == "您的评价"


def test_executable_attachments_are_refused_on_the_portal_too(citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for name in ("invoice.pdf.exe", "page.hta", "run.bat"):
        evil = io.BytesIO(b"%PDF-1.4\n" + b"0" * 100)
        evil.name = name
        response = submit(citizen, files=[evil])
        assert name in response.content.decode()  # the refusal names the file
    assert not Ticket.objects.exists()


def test_a_portal_attachment_is_named_by_its_content(citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shot = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    shot.name = "照片.jpg"
    submit(citizen, files=[shot])
    assert Ticket.objects.get().attachments.get().name == "照片.png"
