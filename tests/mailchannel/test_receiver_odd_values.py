"""Odd values on the wire get an SMTP answer, not a dropped session."""

from __future__ import annotations

import smtplib

from .test_transport import _receiver, run_receiver  # noqa: F401 - the fixture


def test_a_size_parameter_of_non_ascii_digits_is_ignored_and_the_mail_accepted(run_receiver):  # noqa: F811
    stored = []
    port = run_receiver(_receiver(stored, lmtp=False))
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("mx.example.cn")
        client.send("MAIL FROM:<x@example.cn> SIZE=²３٣\r\n".encode())  # smtplib would refuse to encode it
        assert client.getreply()[0] == 250
        assert client.docmd("RCPT TO:<a@weibao.test>")[0] == 250
        assert client.data(b"Subject: hi\r\n\r\nhi\r\n")[0] == 250
    assert len(stored) == 1
