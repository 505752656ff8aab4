"""Alert intake through the secret URLs: recorded Alertmanager payloads of the documented
version-4 format (firing, resolved, grouped, retried, malformed), Grafana, Zabbix and the
generic format; de-duplication, grouping, silences, an alert storm."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from weibao.core.models import Event
from weibao.incidents import ingest
from weibao.incidents.models import Alert, Delivery, Incident, Integration, Silence, TimelineEntry

pytestmark = pytest.mark.django_db


def test_a_firing_payload_opens_one_incident_with_its_alerts(alertmanager, post, payload, components, clock):
    response = post(alertmanager, payload("am_firing.json"))

    assert response.status_code == 200, response.content
    incident = Incident.objects.get()
    assert incident.title == "政务服务门户无法访问"
    assert incident.status == "open" and incident.source == "alert"
    assert incident.component == components["portal"]
    assert incident.alerts.count() == 2
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ALERT).count() == 2
    first = Alert.objects.get(fingerprint="a1b2c3d4e5f60001")
    assert first.starts_at == dt.datetime(2026, 11, 24, 1, 58, 30, 123456, tzinfo=dt.UTC)  # Go's nanoseconds cut
    assert first.ends_at is None and first.labels["instance"] == "https://zwfw.shilong.gov.test/"
    assert Event.objects.filter(type="incident.opened", object_id=str(incident.pk)).count() == 1
    assert Event.objects.get(type="incident.opened").payload == {"level": "IV", "title": incident.title, "component": components["portal"].pk}
    assert Delivery.objects.get().state == "processed"


def test_a_retried_delivery_of_the_same_payload_changes_nothing(alertmanager, post, payload, clock):
    post(alertmanager, payload("am_firing.json"))
    before = (Incident.objects.count(), Alert.objects.count(), TimelineEntry.objects.count(), Event.objects.count())

    again = post(alertmanager, payload("am_firing.json"))

    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert (Incident.objects.count(), Alert.objects.count(), TimelineEntry.objects.count(), Event.objects.count()) == before
    assert Delivery.objects.count() == 1


def test_alertmanager_resending_the_group_adds_no_duplicate_alerts(alertmanager, post, payload, clock):
    """Alertmanager repeats every alert of a group in each notification: a re-sent body
    that differs (another alert joined) de-duplicates the ones already known."""
    post(alertmanager, payload("am_firing.json"))
    body = json.loads(payload("am_firing.json"))
    extra = dict(body["alerts"][0], fingerprint="a1b2c3d4e5f60003", startsAt="2026-11-24T02:00:00Z")
    body["alerts"].append(extra)

    assert post(alertmanager, body).status_code == 200

    incident = Incident.objects.get()
    assert incident.alerts.count() == 3
    assert Alert.objects.filter(fingerprint="a1b2c3d4e5f60001").count() == 1


def test_the_incident_resolves_when_the_source_says_every_alert_resolved(alertmanager, post, payload, clock):
    post(alertmanager, payload("am_firing.json"))
    clock.set_now(clock.now() + dt.timedelta(minutes=10))
    post(alertmanager, payload("am_partly_resolved.json"))
    assert Incident.objects.get().status == "open"

    clock.set_now(clock.now() + dt.timedelta(minutes=10))
    post(alertmanager, payload("am_resolved.json"))

    incident = Incident.objects.get()
    assert incident.status == "resolved"
    assert incident.resolved_at == clock.now() and incident.resolved_by is None
    assert set(incident.alerts.values_list("status", flat=True)) == {"resolved"}
    assert Alert.objects.get(fingerprint="a1b2c3d4e5f60002").ends_at == dt.datetime(2026, 11, 24, 2, 20, tzinfo=dt.UTC)
    assert Event.objects.filter(type="incident.resolved").count() == 1


def test_groups_of_alertmanager_become_separate_incidents(alertmanager, post, payload, components, clock):
    post(alertmanager, payload("am_firing.json"))
    post(alertmanager, payload("am_grouped.json"))

    assert Incident.objects.count() == 2
    database = Incident.objects.get(component=components["data"])
    assert database.alerts.count() == 3 and database.title == "数据库主从复制延迟"


def test_configured_grouping_labels_join_alerts_of_other_groups(alertmanager, post, payload, clock):
    alertmanager.group_by = ["severity"]
    alertmanager.save()
    post(alertmanager, payload("am_firing.json"))
    grouped = json.loads(payload("am_grouped.json"))
    for alert in grouped["alerts"]:
        alert["labels"]["severity"] = "critical"
    post(alertmanager, grouped)

    incident = Incident.objects.get()
    assert incident.group_key == "severity=critical" and incident.alerts.count() == 5


def test_a_more_severe_alert_raises_the_incident_level(alertmanager, post, payload, clock):
    post(alertmanager, payload("am_firing.json"))
    body = json.loads(payload("am_firing.json"))
    body["alerts"] = [dict(body["alerts"][0], fingerprint="ff01", labels=dict(body["alerts"][0]["labels"], level="II"))]
    post(alertmanager, body)

    incident = Incident.objects.get()
    assert incident.level == "II"
    assert Event.objects.filter(type="incident.level_changed").count() == 1


def test_a_malformed_payload_is_refused_naming_what_is_wrong_and_kept(alertmanager, post, payload, clock):
    response = post(alertmanager, payload("am_malformed.json"))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.startswith("version:") for e in errors)
    assert any(e.startswith("alerts[0].status:") for e in errors)
    assert any(e.startswith("alerts[1].startsAt:") and "yesterday" in e for e in errors)
    stored = Delivery.objects.get()
    assert stored.state == "rejected" and "alerts[1].startsAt" in stored.error
    assert json.loads(stored.body)["version"] == "3"
    assert not Incident.objects.exists() and not Alert.objects.exists()


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"version": "4"}', "\u00ff".encode("latin-1")])
def test_bodies_that_are_not_a_payload_are_400s_never_500s(alertmanager, post, body, clock):
    response = post(alertmanager, body)

    assert response.status_code == 400
    assert response.json()["errors"]
    assert Delivery.objects.filter(state="rejected").count() == 1


def test_json_nested_past_any_payload_is_refused_at_the_door(alertmanager, post, clock):
    # core.middleware refuses it request-wide before the view (Python's parser recurses).
    assert post(alertmanager, b"[" * 5000).status_code == 400


def test_an_unknown_or_rotated_secret_is_not_found(alertmanager, post, payload, pm, clock):
    from weibao.incidents.integrations import rotate

    old = alertmanager.secret
    rotate(alertmanager, by=pm)
    stale = Integration(kind="alertmanager", secret=old)

    assert post(stale, payload("am_firing.json")).status_code == 404
    assert post(alertmanager, payload("am_firing.json"), kind="zabbix").status_code == 404
    assert post(alertmanager, payload("am_firing.json")).status_code == 200


def test_silenced_alerts_are_recorded_but_page_nobody(alertmanager, post, payload, contract, clock):
    Silence.objects.create(
        contract=contract, matchers={"alertname": "PortalDown"},
        starts_at=clock.now() - dt.timedelta(hours=1), ends_at=clock.now() + dt.timedelta(hours=1),
    )
    post(alertmanager, payload("am_firing.json"))

    incident = Incident.objects.get()
    assert incident.paged is False and incident.alerts.filter(silenced=True).count() == 2
    assert not Event.objects.filter(type="incident.opened").exists()


def test_an_unsilenced_alert_joining_a_silenced_incident_pages(alertmanager, post, payload, contract, clock):
    Silence.objects.create(
        contract=contract, matchers={"instance": "https://zwfw.shilong.gov.test/"},
        starts_at=clock.now(), ends_at=clock.now() + dt.timedelta(hours=1),
    )
    body = json.loads(payload("am_firing.json"))
    first, second = body["alerts"]
    post(alertmanager, dict(body, alerts=[first]))
    assert not Event.objects.filter(type="incident.opened").exists()

    post(alertmanager, dict(body, alerts=[first, second]))

    assert Incident.objects.get().paged is True
    assert Event.objects.filter(type="incident.opened").count() == 1


def test_an_alert_storm_becomes_a_handful_of_incidents(alertmanager, post, clock, django_capture_on_commit_callbacks):
    """600 alerts of 4 kinds on 150 instances, in 40 notifications that each repeat the
    group's alerts so far (as Alertmanager does), and each delivered twice. Bodies past
    the inline limit are processed by the worker after the commit."""
    names = ["PortalDown", "HighLatency", "DiskFull", "CertExpiring"]
    sent = {name: [] for name in names}
    for round_ in range(10):
        for name in names:
            for i in range(15):
                sent[name].append({
                    "status": "firing", "labels": {"alertname": name, "instance": f"host{round_}-{i}"},
                    "annotations": {"summary": name}, "startsAt": "2026-11-24T01:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": f"{name}-{round_}-{i}",
                })
            body = {
                "version": "4", "groupKey": f'{{}}:{{alertname="{name}"}}', "status": "firing", "receiver": "w",
                "groupLabels": {"alertname": name}, "commonLabels": {"alertname": name}, "commonAnnotations": {},
                "externalURL": "", "alerts": list(sent[name]),
            }
            with django_capture_on_commit_callbacks(execute=True):
                assert post(alertmanager, body).status_code == 200
            assert post(alertmanager, body).json()["status"] == "duplicate"

    assert Incident.objects.count() == 4
    assert Alert.objects.count() == 600
    assert sorted(Incident.objects.values_list("title", flat=True)) == sorted(names)
    assert Event.objects.filter(type="incident.opened").count() == 4


def test_grafana_alerting_webhook(contract, components, post, clock):
    grafana = Integration.objects.create(contract=contract, kind="grafana", name="Grafana")
    body = {
        "receiver": "weibao", "status": "firing", "orgId": 1, "version": "1", "groupKey": "{}:{alertname=\"UIA\"}",
        "title": "[FIRING:1] UIA", "state": "alerting", "message": "…", "truncatedAlerts": 0,
        "groupLabels": {"alertname": "UIA"}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://grafana/",
        "alerts": [{
            "status": "firing", "labels": {"alertname": "UIA", "component": "uia"},
            "annotations": {"summary": "统一身份认证登录失败率升高"}, "startsAt": "2026-11-24T01:50:00+08:00",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://grafana/alerting/1", "fingerprint": "9f0a",
            "silenceURL": "", "dashboardURL": "", "panelURL": "", "values": {"B": 0.31},
        }],
    }
    assert post(grafana, body).status_code == 200
    incident = Incident.objects.get()
    assert incident.component == components["uia"] and incident.title == "统一身份认证登录失败率升高"


def test_zabbix_problem_then_recovery(contract, post, clock):
    zabbix = Integration.objects.create(contract=contract, kind="zabbix", name="Zabbix")
    problem = {
        "event_id": "88213", "event_value": "1", "event_date": "2026.11.24", "event_time": "09:55:00",
        "host": "db-master", "trigger": "MySQL is down", "severity": "High", "url": "http://zabbix/tr_events.php",
        "tags": "component:data,service:mysql",
    }
    assert post(zabbix, problem).status_code == 200
    alert = Alert.objects.get()
    assert alert.starts_at == dt.datetime(2026, 11, 24, 1, 55, tzinfo=dt.UTC)  # Beijing time
    assert alert.labels["service"] == "mysql"

    recovery = dict(problem, event_value="0", recovery_date="2026.11.24", recovery_time="10:05:00")
    assert post(zabbix, recovery).status_code == 200
    assert Incident.objects.get().status == "resolved"
    assert Alert.objects.get().ends_at == dt.datetime(2026, 11, 24, 2, 5, tzinfo=dt.UTC)

    bad = post(zabbix, dict(problem, event_value="PROBLEM", event_id="{EVENT.ID}"))
    assert bad.status_code == 400
    assert {e.split(":")[0] for e in bad.json()["errors"]} == {"event_id", "event_value"}


def test_generic_json_webhook(contract, post, clock):
    generic = Integration.objects.create(contract=contract, kind="generic", name="备份脚本")
    body = {"alerts": [{"fingerprint": "backup-nightly", "status": "firing", "summary": "夜间备份失败",
                        "labels": {"alertname": "BackupFailed"}, "starts_at": "2026-11-24T01:00:00+08:00"}]}
    assert post(generic, body).status_code == 200
    assert Incident.objects.get().title == "夜间备份失败"

    missing = post(generic, {"alerts": [{"status": "firing"}]})
    assert missing.status_code == 400
    assert {e.split(":")[0] for e in missing.json()["errors"]} == {"alerts[0].fingerprint", "alerts[0].starts_at"}


def test_a_delivery_that_failed_to_process_is_kept_and_retried(alertmanager, payload, clock, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ingest, "apply_alerts", broken)
    receipt = ingest.receive(alertmanager, payload("am_firing.json"))
    assert receipt.ok and Delivery.objects.get().state == "failed"
    assert not Alert.objects.exists()

    monkeypatch.undo()
    assert ingest.retry_pending() == 1
    assert Delivery.objects.get().state == "processed" and Incident.objects.count() == 1
    assert ingest.retry_pending() == 0


def test_a_large_delivery_is_stored_in_the_request_and_processed_by_the_worker(
    alertmanager, post, payload, settings, clock, django_capture_on_commit_callbacks
):
    settings.WEIBAO_ALERTS_INLINE_MAX = 1
    body = payload("am_firing.json")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = post(alertmanager, body)
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    assert Delivery.objects.get().state == "pending" and not Alert.objects.exists()

    for callback in queued:
        callback()  # the worker (Huey is immediate in tests)
    assert Delivery.objects.get().state == "processed" and Alert.objects.count() == 2
