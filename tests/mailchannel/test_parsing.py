"""Real-world mail shapes parse into readable text; none raises, nothing is dropped."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.mailchannel.parsing import decode_header_value, parse, reply_text
from weibao.mailchannel.screening import screen

from .conftest import SAMPLES

OURS = {"support@weibao.test", "noreply@weibao.test"}


def test_foxmail_labelled_gb2312_with_gbk_only_characters(sample):
    mail = parse(sample("foxmail_gbk.eml"))
    assert mail.subject == "社保查询页面打不开，朱镕基路办事大厅急"  # 镕 is not in GB2312
    assert (mail.from_name, mail.from_address) == ("张三", "zhangsan@shilong.gov.cn")
    assert "王珺同志" in mail.text and "\r" not in mail.text
    assert not mail.html_only  # the plain alternative wins over the HTML one
    assert mail.message_id == "<202611230911585302150@shilong.gov.cn>"


def test_raw_8bit_gbk_headers_from_old_clients(sample):
    mail = parse(sample("raw_gbk_headers.eml"))
    assert mail.subject == "电子证照无法下载"
    assert mail.from_name == "李四"
    assert mail.text == "营业执照电子证照点下载没有反应，换了浏览器也一样。"


def test_gb18030_four_byte_characters_and_encoded_words_split_mid_character(sample):
    mail = parse(sample("gb18030_qp.eml"))
    assert mail.subject == "关于𠀀字姓名无法录入的问题"
    assert "生僻字“𠀀”" in mail.text
    assert mail.from_name == "王五"


def test_html_only_outlook_mail_becomes_plain_text(sample):
    mail = parse(sample("outlook_html_only.eml"))
    assert mail.html_only
    assert "“一件事一次办”专区在 IE 模式下样式错乱 & 按钮无法点击。" in mail.text
    assert "alert" not in mail.text and "MsoNormal" not in mail.text and "ignored" not in mail.text
    assert mail.text.startswith("各位好")


def test_inline_image_is_kept_with_its_content_id_and_chinese_name(sample):
    mail = parse(sample("inline_image.eml"))
    assert mail.text == "提交材料时报错，截图如下。"
    [image] = mail.attachments
    assert (image.name, image.content_type, image.inline, image.content_id) == ("截图.png", "image/png", True, "shot001")
    assert image.content.startswith(b"\x89PNG")


def test_forwarded_chain_keeps_the_original_mail_its_text_and_its_attachments(sample):
    mail = parse(sample("forwarded_chain.eml"))
    assert mail.forwarded == 1
    assert mail.text.startswith("请协助核查，原邮件见附件。")
    assert "我在网上提交的公积金提取申请已经十天了" in mail.text
    assert "孙八" in mail.text
    names = [a.name for a in mail.attachments]
    assert names == ["公积金提取申请一直审核中.eml", "申请表.pdf"]  # RFC 2231 filename decoded


def test_broken_mail_does_not_raise_and_keeps_what_can_be_read(sample):
    mail = parse(sample("broken.eml"))
    assert mail.from_address == "broken@example.cn"
    assert mail.message_id == "<broken.1@example.cn>"
    assert mail.text  # something readable, whatever the charset label said
    assert "\x00" not in mail.text + mail.subject + mail.from_name  # PostgreSQL refuses NUL in text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_raising(data):
    mail = parse(data)
    assert "\x00" not in mail.text + mail.subject + mail.from_name + mail.from_address + mail.message_id


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_corrupted_real_mail_parses_without_raising(data):
    raws = [p.read_bytes() for p in sorted(SAMPLES.glob("*.eml"))]
    raw = bytearray(data.draw(st.sampled_from(raws)))
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(rng.randint(1, 20)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    parse(bytes(raw[: rng.randint(1, len(raw))]))


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("qq_autoreply.eml", "auto_reply"),
        ("exchange_oof.eml", "auto_reply"),
        ("precedence_bulk.eml", "auto_reply"),
        ("x_autoreply.eml", "auto_reply"),
        ("bounce_postfix.eml", "bounce"),
    ],
)
def test_automatic_mail_is_recognised(sample, name, outcome):
    verdict = screen(parse(sample(name)), own_addresses=OURS)
    assert verdict is not None and verdict.outcome == outcome


@pytest.mark.parametrize(
    "name",
    ["foxmail_gbk.eml", "raw_gbk_headers.eml", "gb18030_qp.eml", "outlook_html_only.eml",
     "inline_image.eml", "forwarded_chain.eml", "reply_quoted.eml"],
)
def test_mail_written_by_people_passes_the_screen(sample, name):
    assert screen(parse(sample(name)), own_addresses=OURS) is None


def test_our_own_address_or_loop_header_is_a_loop(sample):
    raw = sample("foxmail_gbk.eml").replace(b"zhangsan@shilong.gov.cn", b"noreply@weibao.test")
    assert screen(parse(raw), own_addresses=OURS).outcome == "loop"
    raw = b"X-Weibao-Loop: 1\r\n" + sample("foxmail_gbk.eml")
    assert screen(parse(raw), own_addresses=OURS).outcome == "loop"


def test_reply_text_keeps_only_the_new_part(sample):
    mail = parse(sample("reply_quoted.eml", ref="x@y"))
    assert reply_text(mail.text) == "好的，已经清除缓存再试，还是打不开。"
    assert reply_text("只有一行\n> 引用\n> 引用") == "只有一行"
    assert reply_text("On Mon, 23 Nov 2026 Zhang wrote:\n> old") == "On Mon, 23 Nov 2026 Zhang wrote:\n> old"


def test_header_decoding_edge_cases():
    assert decode_header_value("=?gb2312?B?1tC5+g==?=") == "中国"
    assert decode_header_value("=?GBK?Q?=D6=D0?= =?GBK?Q?=B9=FA?=") == "中国"
    assert decode_header_value("=?bogus-charset?B?5Lit5Zu9?=") == "中国"  # unknown label: UTF-8 guess
    assert decode_header_value(None) == ""


def test_without_a_from_header_the_envelope_sender_is_the_requester():
    mail = parse(b"Return-Path: <lisi@example.cn>\r\nSubject: hi\r\n\r\nbody\r\n")
    assert mail.from_address == "lisi@example.cn"
    bounce = parse(b"Return-Path: <>\r\nSubject: hi\r\n\r\nbody\r\n")
    assert bounce.from_address == ""
