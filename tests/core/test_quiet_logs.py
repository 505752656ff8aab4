"""The demo's terminal stays readable (issue 13, item 7): a refused request is one line,
not a traceback, and an outgoing mail is one line, not the whole message."""

from __future__ import annotations

import logging

import pytest
from django.core.mail import EmailMessage

from weibao.core.logging import ClientErrorsOnOneLine
from weibao.core.mail_backends import OneLineConsoleBackend


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        import sys

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s",
                                   ("/x",), sys.exc_info())
    record.status_code = status
    return record


@pytest.mark.parametrize("status", [400, 403, 404, 429])
def test_a_refused_request_is_logged_without_its_traceback(status):
    record = _record(status)
    assert ClientErrorsOnOneLine().filter(record)
    assert record.exc_info is None
    assert "\n" not in logging.Formatter("%(levelname)s %(message)s").format(record)


def test_a_server_error_keeps_its_traceback():
    record = _record(500)
    ClientErrorsOnOneLine().filter(record)
    assert record.exc_info is not None


def test_a_denied_page_logs_one_line(client_for, make_member, contract, caplog):
    viewer = make_member(contract, "bureau_viewer")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for(viewer).get("/tickets/sla/").status_code == 403
    lines = [r for r in caplog.records if r.name == "django.request"]
    assert lines
    for record in lines:
        ClientErrorsOnOneLine().filter(record)
        assert record.exc_info is None


def test_an_outgoing_mail_is_one_log_line(caplog):
    message = EmailMessage("您的工单已受理", "正文" * 500, "desk@shilong.weibao.test", ["citizen@example.cn"])
    with caplog.at_level(logging.INFO, logger="weibao.mail"):
        assert OneLineConsoleBackend().send_messages([message]) == 1
    (line,) = [r.getMessage() for r in caplog.records if r.name == "weibao.mail"]
    assert "citizen@example.cn" in line and "您的工单已受理" in line and "正文正文" not in line
