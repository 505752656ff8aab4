"""Reading an alert e-mail's subject and document (decision 0027): pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.incidents.formats import BadPayload, mail_document, parse_email, read_subject


@pytest.mark.parametrize("subject, summary, status", [
    ("[FIRING:2] InstanceDown (job=node)", "InstanceDown (job=node)", "firing"),
    ("[RESOLVED] InstanceDown (job=node)", "InstanceDown (job=node)", "resolved"),
    ("Problem: High CPU on web1", "High CPU on web1", "firing"),
    ("Resolved in 5m 3s: High CPU on web1", "High CPU on web1", "resolved"),
    ("** RECOVERY Service Alert: web1/http", "Service Alert: web1/http", "resolved"),
    ("【告警】门户无法访问", "门户无法访问", "firing"),
    ("告警恢复：数据库连接数过高", "数据库连接数过高", "resolved"),
    ("OK: disk usage back under 80%", "disk usage back under 80%", "resolved"),
    ("OKR review", "OKR review", None),
    ("Alerting rules changed", "Alerting rules changed", None),
])
def test_the_status_word_of_common_senders_is_read_and_removed(subject, summary, status):
    assert read_subject(subject)[:2] == (summary, status)


def test_labels_written_in_the_subject_are_read_and_removed():
    assert read_subject("【告警】门户无法访问 [component=portal]【level=II】") == (
        "门户无法访问", "firing", {"component": "portal", "level": "II"}
    )


def _document(**overrides) -> bytes:
    fields = {
        "message_id": "<m@ops>", "sender": "Zabbix@Ops.test", "subject": "Problem: High CPU",
        "date": dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "text": "CPU 98%", "headers": {},
    } | overrides
    return mail_document(**fields)


def test_the_same_mail_is_the_same_document_and_its_recovery_the_same_fingerprint():
    assert _document() == _document()
    firing = parse_email(_document()).alerts[0]
    resolved = parse_email(_document(subject="Resolved in 1m: High CPU", message_id="<n@ops>")).alerts[0]
    assert (firing.status, resolved.status) == ("firing", "resolved")
    assert firing.fingerprint == resolved.fingerprint and firing.fingerprint.startswith("mail:")
    assert firing.starts_at == dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    assert firing.labels == {"alertname": "High CPU", "sender": "zabbix@ops.test"}


def test_a_subject_with_nothing_but_a_status_word_is_malformed_naming_the_field():
    with pytest.raises(BadPayload) as error:
        parse_email(_document(subject="RESOLVED", headers={"x-weibao-alert-status": "maybe"}))
    assert [p.split(":")[0] for p in error.value.problems] == ["subject", "X-Weibao-Alert-Status"]
