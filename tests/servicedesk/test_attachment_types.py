"""Attachments are accepted by what they contain: Chinese text files from the field
(UTF-8 cut mid-character at the sniffing limit, GBK/GB18030 logs) are text; binaries
dressed up as text are not."""

from __future__ import annotations

import pytest

from weibao.servicedesk.services import attachments

LOG = "2026-11-24 09:15:02 统一身份认证平台：法人用户登录失败，证书（U盾）校验超时。\r\n" * 60


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_chinese_text_is_text_whatever_its_encoding_and_wherever_the_cut(encoding):
    data = LOG.encode(encoding)
    for cut in range(2040, 2049):  # the first 2,048 bytes end inside a character or not
        assert attachments.sniff(data[:cut]) == "text/plain", (encoding, cut)


def test_csv_with_a_byte_order_mark_is_text():
    assert attachments.sniff("\ufeff事项编码,事项名称\r\n1,营业执照变更\r\n".encode()) == "text/plain"


@pytest.mark.parametrize("blob", [
    b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4,  # a Windows program
    bytes(range(1, 32)) * 60,  # control bytes, no NUL
    b"\x7fELF\x02\x01\x01" + b"\x01\x02\x03" * 500,
])
def test_binaries_are_not_text(blob):
    assert attachments.sniff(blob[:2048]) is None
