"""The payload formats alerts arrive in, each read into one shape (``NormalAlert``).

Pure: no database, no Django models. A malformed payload raises ``BadPayload`` with one
line per problem, naming where it is (``alerts[2].startsAt``), so the sender's operator
can fix the template; the view answers it with a 400 and keeps the body for inspection.

Formats:
- Prometheus Alertmanager webhook, version "4" (``version``, ``groupKey``, ``status``,
  ``receiver``, ``groupLabels``, ``commonLabels``, ``commonAnnotations``, ``externalURL``,
  ``alerts[]`` with ``status``, ``labels``, ``annotations``, ``startsAt``, ``endsAt``,
  ``generatorURL``, ``fingerprint``).
- Grafana alerting's webhook contact point: the same alert objects (Grafana 8+ unified
  alerting copies Alertmanager's), with its own ``version`` ("1") and extra keys.
- Zabbix, through the webhook media type script in docs/decisions/0019 (one event per
  request: ``event_id``, ``event_value`` 1 problem / 0 recovery, ``event_date`` +
  ``event_time`` in Beijing time as Zabbix prints them, ``host``, ``trigger``,
  ``severity``, ``url``, ``tags``).
- Weibao's generic JSON: ``{"alerts": [{"fingerprint", "status": "firing"|"resolved",
  "summary", "labels": {}, "starts_at": ISO 8601, "ends_at": ISO 8601 or null, "url"}]}``.
- An alert e-mail, as the mail channel hands it over (``mail_document``): one alert per
  message, read from its subject (docs/decisions/0027-alerts-by-email.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MAX_ALERTS = 5000
# Go's zero time: Alertmanager's endsAt of an alert with no end yet.
_ZERO_YEAR = 1
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


class BadPayload(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class NormalAlert:
    fingerprint: str
    status: str  # "firing" or "resolved"
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    labels: dict = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)
    summary: str = ""
    url: str = ""


@dataclass
class Payload:
    alerts: list[NormalAlert]
    group_key: str = ""


def parse_time(value, where: str, problems: list[str], *, naive_tz=dt.UTC) -> dt.datetime | None:
    """An RFC 3339 time (Go's nanoseconds cut to microseconds); None for Go's zero time."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        problems.append(f"{where}: " + _("应为 RFC 3339 时间字符串。"))
        return None
    text = _FRACTION.sub(r"\1", value.strip()).replace("z", "Z")
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        problems.append(f"{where}: " + _("不是有效的时间：%(value)s") % {"value": value[:40]})
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_tz)
    if moment.year <= _ZERO_YEAR:
        return None
    if not 2000 <= moment.year <= 2100:
        problems.append(f"{where}: " + _("时间超出范围：%(value)s") % {"value": value[:40]})
        return None
    return moment.astimezone(dt.UTC)


def _strings(value, where: str, problems: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: " + _("应为字符串键值对象。"))
        return {}
    out = {}
    for key, item in value.items():
        if not isinstance(item, (str, int, float, bool)):
            problems.append(f"{where}.{key}: " + _("应为字符串。"))
            continue
        out[str(key)[:100]] = str(item)[:2000]
    return out


def _fingerprint_of(labels: dict) -> str:
    canonical = json.dumps(labels, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _load(body: bytes | str) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadPayload([_("请求体不是有效的 JSON：%(error)s") % {"error": str(error)[:200]}]) from None


def _status(value, where: str, problems: list[str]) -> str:
    if value not in ("firing", "resolved"):
        problems.append(f"{where}: " + _("应为 firing 或 resolved。"))
        return "firing"
    return value


def _prometheus_alerts(data: dict, problems: list[str]) -> list[NormalAlert]:
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        problems.append("alerts: " + _("缺少告警列表（应为数组）。"))
        return []
    if len(alerts) > MAX_ALERTS:
        problems.append("alerts: " + _("一次最多 %(max)d 条告警。") % {"max": MAX_ALERTS})
        return []
    result = []
    for index, raw in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: " + _("应为对象。"))
            continue
        before = len(problems)
        status = _status(raw.get("status"), f"{where}.status", problems)
        labels = _strings(raw.get("labels"), f"{where}.labels", problems)
        annotations = _strings(raw.get("annotations"), f"{where}.annotations", problems)
        known = len(problems)
        starts_at = parse_time(raw.get("startsAt"), f"{where}.startsAt", problems)
        if starts_at is None and len(problems) == known:
            problems.append(f"{where}.startsAt: " + _("缺少告警开始时间。"))
        ends_at = parse_time(raw.get("endsAt"), f"{where}.endsAt", problems)
        fingerprint = raw.get("fingerprint") or _fingerprint_of(labels)
        if not isinstance(fingerprint, str) or len(fingerprint) > 200:
            problems.append(f"{where}.fingerprint: " + _("应为不超过 200 个字符的字符串。"))
            continue
        url = raw.get("generatorURL") or ""
        if not isinstance(url, str):
            problems.append(f"{where}.generatorURL: " + _("应为字符串。"))
            url = ""
        if len(problems) > before:
            continue
        result.append(NormalAlert(
            fingerprint=fingerprint, status=status, starts_at=starts_at, ends_at=ends_at,
            labels=labels, annotations=annotations, url=url[:1000],
            summary=(annotations.get("summary") or annotations.get("description") or labels.get("alertname", ""))[:500],
        ))
    return result


def _object(data, problems: list[str]) -> dict:
    if not isinstance(data, dict):
        raise BadPayload([_("请求体应为 JSON 对象。")])
    return data


def parse_alertmanager(body) -> Payload:
    data = _object(_load(body), [])
    problems: list[str] = []
    if str(data.get("version", "")) != "4":
        problems.append("version: " + _("只支持 Alertmanager webhook 第 4 版（version \"4\"）。"))
    group_key = data.get("groupKey", "")
    if not isinstance(group_key, str):
        problems.append("groupKey: " + _("应为字符串。"))
        group_key = ""
    if data.get("status") not in ("firing", "resolved"):
        problems.append("status: " + _("应为 firing 或 resolved。"))
    alerts = _prometheus_alerts(data, problems)
    if problems:
        raise BadPayload(problems)
    return Payload(alerts=alerts, group_key=group_key[:400])


def parse_grafana(body) -> Payload:
    data = _object(_load(body), [])
    problems: list[str] = []
    alerts = _prometheus_alerts(data, problems)
    if problems:
        raise BadPayload(problems)
    group_key = data.get("groupKey") if isinstance(data.get("groupKey"), str) else ""
    return Payload(alerts=alerts, group_key=group_key[:400])


def parse_zabbix(body) -> Payload:
    data = _object(_load(body), [])
    problems: list[str] = []
    event_id = str(data.get("event_id", "")).strip()
    if not event_id or not event_id.isascii() or not event_id.isdigit():
        problems.append("event_id: " + _("应为 Zabbix 事件编号 {EVENT.ID}。"))
    value = str(data.get("event_value", "")).strip()
    if value not in ("0", "1"):
        problems.append("event_value: " + _("应为 1（问题）或 0（恢复），即 {EVENT.VALUE}。"))
    started = _zabbix_time(data.get("event_date"), data.get("event_time"), "event_date", problems)
    ended = None
    if value == "0":
        ended = _zabbix_time(data.get("recovery_date"), data.get("recovery_time"), "recovery_date", problems)
    tags = {}
    raw_tags = data.get("tags", "")
    if isinstance(raw_tags, str):
        for part in raw_tags.split(","):
            name, _sep, tag_value = part.partition(":")
            if name.strip():
                tags[name.strip()[:100]] = tag_value.strip()[:500]
    labels = {
        "alertname": str(data.get("trigger", ""))[:300],
        "host": str(data.get("host", ""))[:200],
        "severity": str(data.get("severity", ""))[:50],
    } | tags
    if problems:
        raise BadPayload(problems)
    url = data.get("url") if isinstance(data.get("url"), str) else ""
    return Payload(alerts=[NormalAlert(
        fingerprint=f"zabbix:{event_id}", status="firing" if value == "1" else "resolved",
        starts_at=started, ends_at=ended, labels=labels, annotations={},
        summary=f"{labels['host']}: {labels['alertname']}"[:500], url=url[:1000],
    )])


def _zabbix_time(day, time, where: str, problems: list[str]) -> dt.datetime | None:
    # Zabbix prints {EVENT.DATE} as 2026.12.06 and {EVENT.TIME} as 14:05:09, server-local.
    text = f"{str(day or '').replace('.', '-')} {time or ''}".strip()
    found = parse_time(text, where, problems, naive_tz=SHANGHAI) if text else None
    if found is None and not any(p.startswith(where) for p in problems):
        problems.append(f"{where}: " + _("缺少时间（{EVENT.DATE} 与 {EVENT.TIME}）。"))
    return found


def parse_generic(body) -> Payload:
    data = _object(_load(body), [])
    problems: list[str] = []
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise BadPayload(["alerts: " + _("缺少告警列表（应为数组）。")])
    if len(alerts) > MAX_ALERTS:
        raise BadPayload(["alerts: " + _("一次最多 %(max)d 条告警。") % {"max": MAX_ALERTS}])
    result = []
    for index, raw in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: " + _("应为对象。"))
            continue
        before = len(problems)
        fingerprint = raw.get("fingerprint")
        if not isinstance(fingerprint, str) or not fingerprint.strip() or len(fingerprint) > 200:
            problems.append(f"{where}.fingerprint: " + _("必填，不超过 200 个字符的字符串。"))
        status = _status(raw.get("status"), f"{where}.status", problems)
        labels = _strings(raw.get("labels"), f"{where}.labels", problems)
        known = len(problems)
        starts_at = parse_time(raw.get("starts_at"), f"{where}.starts_at", problems)
        if starts_at is None and len(problems) == known:
            problems.append(f"{where}.starts_at: " + _("必填，ISO 8601 时间。"))
        ends_at = parse_time(raw.get("ends_at"), f"{where}.ends_at", problems)
        summary = raw.get("summary", "")
        if not isinstance(summary, str):
            problems.append(f"{where}.summary: " + _("应为字符串。"))
        if len(problems) > before:
            continue
        url = raw.get("url") if isinstance(raw.get("url"), str) else ""
        result.append(NormalAlert(
            fingerprint=fingerprint.strip(), status=status, starts_at=starts_at, ends_at=ends_at,
            labels=labels, summary=(summary or labels.get("alertname", ""))[:500], url=url[:1000],
        ))
    if problems:
        raise BadPayload(problems)
    return Payload(alerts=result)


# -- alerts by e-mail (decision 0027) --------------------------------------------------------

# What a subject starts with, once leading "*", brackets and blanks are passed over:
# Alertmanager and Grafana "[FIRING:2]" / "[RESOLVED]", Zabbix "Problem:" / "Resolved in
# 5m 3s:", Nagios "** PROBLEM" / "** RECOVERY", and the Chinese words of domestic systems.
_RESOLVED_WORDS = ("resolved", "recovery", "recovered", "ok")
_FIRING_WORDS = ("firing", "problem", "alert", "alarm")
_RESOLVED_ZH = ("告警恢复", "故障恢复", "已恢复", "恢复", "已解除", "解除")
_FIRING_ZH = ("告警", "报警", "故障", "问题")
_STATUS_PREFIX = re.compile(
    r"^[\s*]*[\[【(（]?\s*(?:(?P<en>{})(?![a-z])(?::\s*\d+|\s+in\s+[^:：\]】)）]{{0,40}})?|(?P<zh>{}))"
    r"\s*[\]】)）]?[\s:：*\-–—]*".format("|".join(_RESOLVED_WORDS + _FIRING_WORDS), "|".join(_RESOLVED_ZH + _FIRING_ZH)),
    re.IGNORECASE,
)
# "[component=portal]" or "【level=II】" anywhere in the subject: labels set by the sender.
_SUBJECT_LABEL = re.compile(r"[\[【]\s*([A-Za-z_][A-Za-z0-9_]{0,99})\s*[=＝]\s*([^\]】]{0,300}?)\s*[\]】]")
MAIL_STATUS_HEADER = "X-Weibao-Alert-Status"
MAIL_FINGERPRINT_HEADER = "X-Weibao-Alert-Fingerprint"


def read_subject(subject: str) -> tuple[str, str | None, dict]:
    """(the subject without its status word and labels, "firing"/"resolved"/None when it
    names no status, the labels written in it)."""
    labels = {name: value for name, value in _SUBJECT_LABEL.findall(subject)}
    rest = " ".join(_SUBJECT_LABEL.sub(" ", subject).split())
    status = None
    found = _STATUS_PREFIX.match(rest)
    if found and found.end() > 0:
        word = (found.group("en") or found.group("zh") or "").lower()
        status = "resolved" if word in _RESOLVED_WORDS or word in _RESOLVED_ZH else "firing"
        rest = rest[found.end():].strip()
    return rest, status, labels


def mail_document(*, message_id: str, sender: str, subject: str, date: dt.datetime, text: str,
                  headers: dict[str, str]) -> bytes:
    """An alert e-mail as the body of a ``Delivery``: canonical JSON, so the same message
    delivered twice (IMAP and SMTP, or a retry) is the same body and changes nothing."""
    wanted = {name: headers[name.lower()][:200] for name in (MAIL_STATUS_HEADER, MAIL_FINGERPRINT_HEADER)
              if headers.get(name.lower())}
    document = {
        "message_id": message_id[:500], "from": sender[:320].lower(), "subject": subject[:1000],
        "date": date.astimezone(dt.UTC).isoformat(), "text": text[:2000], "headers": wanted,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def parse_email(body) -> Payload:
    data = _object(_load(body), [])
    problems: list[str] = []
    sender = data.get("from") if isinstance(data.get("from"), str) else ""
    subject = data.get("subject") if isinstance(data.get("subject"), str) else ""
    summary, status, labels = read_subject(subject)
    if not summary:
        problems.append("subject: " + _("邮件主题（除状态词外）为空，无法作为告警摘要。"))
    headers = data.get("headers") if isinstance(data.get("headers"), dict) else {}
    stated = str(headers.get(MAIL_STATUS_HEADER, "")).strip().lower()
    if stated:
        if stated not in ("firing", "resolved"):
            problems.append(f"{MAIL_STATUS_HEADER}: " + _("应为 firing 或 resolved。"))
        status = stated
    starts_at = parse_time(data.get("date"), "date", problems)
    if starts_at is None and not any(p.startswith("date") for p in problems):
        problems.append("date: " + _("缺少邮件时间。"))
    if problems:
        raise BadPayload(problems)
    fingerprint = str(headers.get(MAIL_FINGERPRINT_HEADER, "")).strip()[:200]
    if not fingerprint:
        # The same sender and subject (status word aside) is the same alert: its recovery
        # mail finds it (ingest follows the alert of that fingerprint still firing).
        digest = hashlib.sha256(f"{sender.lower()}\n{summary.lower()}".encode()).hexdigest()[:16]
        fingerprint = f"mail:{digest}"
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    message_id = data.get("message_id") if isinstance(data.get("message_id"), str) else ""
    labels = {"alertname": summary[:300], "sender": sender[:320], **{k[:100]: v[:300] for k, v in labels.items()}}
    return Payload(alerts=[NormalAlert(
        fingerprint=fingerprint, status=status or "firing", starts_at=starts_at, ends_at=None,
        labels=labels, annotations={"description": text[:2000], "message_id": message_id[:500]},
        summary=summary[:500],
    )])


PARSERS = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "zabbix": parse_zabbix,
    "generic": parse_generic,
    "email": parse_email,
}
