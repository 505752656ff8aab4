"""Events this app acts on (registered when the app is ready). Each is idempotent: the
dispatcher may run it again after a crash.

- ``monitor.down`` / ``monitor.up`` (monitoring app): payload ``{"monitor": id,
  "component": id or null, "name", "evidence"}``. A monitor going down is an alert keyed
  ``monitor:<id>``; it opens an incident or joins the open one of its component.
- ``escalation.acknowledged`` (escalations app): the paged person acknowledged.
- ``escalation.step``: each step of a policy, recorded on the incident's timeline.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock, events
from weibao.core.params import parse_id
from weibao.incidents import services
from weibao.incidents.ingest import resolve_quiet_incidents
from weibao.incidents.models import Alert, Category, Incident, Level, Silence, TimelineEntry
from weibao.servicedesk.models import ServiceComponent

MONITOR_SOURCE = "monitor"
INCIDENT_TYPE = "incidents.incident"


def _monitor(event) -> tuple[int | None, ServiceComponent | None, str]:
    payload = event.payload or {}
    monitor_id = parse_id(payload.get("monitor"))
    component_id = parse_id(payload.get("component"))
    component = (
        ServiceComponent.objects.filter(contract_id=event.contract_id, pk=component_id).first() if component_id else None
    )
    return monitor_id, component, str(payload.get("name") or "")[:200]


def on_monitor_down(event) -> None:
    monitor_id, component, name = _monitor(event)
    if monitor_id is None or event.contract_id is None:
        return
    fingerprint = f"monitor:{monitor_id}"
    if Alert.objects.filter(source_key=MONITOR_SOURCE, fingerprint=fingerprint, status=Alert.Status.FIRING).exists():
        return  # still down (or this event ran already)
    contract = event.contract
    now = clock.now()
    labels = {"monitor": name, "component": component.code if component else ""}
    silenced = any(
        s.matches(labels, now) for s in Silence.objects.filter(contract=contract, starts_at__lte=now, ends_at__gt=now)
    )
    group_key = f"component:{component.pk}" if component else fingerprint
    incident = (
        Incident.objects.filter(contract=contract, group_key=group_key).unresolved().order_by("opened_at").first()
    )
    summary = _("%(name)s 不可用") % {"name": name or fingerprint}
    if incident is None:
        incident = services.open_incident(
            contract, title=summary, level=Level.IV, category=Category.EQUIPMENT, component=component,
            source=Incident.Source.MONITOR, group_key=group_key, page=not silenced, at=now,
        )
    elif not silenced:
        services.page_now(incident)
    evidence = (event.payload or {}).get("evidence") or {}
    Alert.objects.get_or_create(
        source_key=MONITOR_SOURCE, fingerprint=fingerprint, starts_at=event.created_at,
        defaults={
            "contract": contract, "status": Alert.Status.FIRING, "summary": summary, "labels": labels,
            "annotations": {k: str(v)[:2000] for k, v in evidence.items()} if isinstance(evidence, dict) else {},
            "silenced": silenced, "incident": incident, "received_at": now,
        },
    )
    detail = "; ".join(f"{k}: {v}" for k, v in list(evidence.items())[:5]) if isinstance(evidence, dict) else ""
    services.note_on_timeline(
        incident, TimelineEntry.Kind.ALERT, summary + (f"（{detail}）" if detail else ""), event_id=event.pk
    )


def on_monitor_up(event) -> None:
    monitor_id, _component, name = _monitor(event)
    if monitor_id is None:
        return
    touched = set()
    for alert in Alert.objects.filter(
        source_key=MONITOR_SOURCE, fingerprint=f"monitor:{monitor_id}", status=Alert.Status.FIRING,
        contract_id=event.contract_id,
    ):
        alert.status, alert.ends_at = Alert.Status.RESOLVED, event.created_at
        alert.save(update_fields=["status", "ends_at"])
        if alert.incident_id:
            touched.add(alert.incident_id)
            services.note_on_timeline(
                alert.incident, TimelineEntry.Kind.ALERT, _("%(name)s 已恢复") % {"name": name or alert.fingerprint},
                event_id=event.pk,
            )
    resolve_quiet_incidents(touched)


def _incident_of(event) -> Incident | None:
    payload = event.payload or {}
    if payload.get("object_type", event.object_type) != INCIDENT_TYPE:
        return None
    pk = parse_id(payload.get("object_id", event.object_id))
    return Incident.objects.filter(pk=pk, contract_id=event.contract_id).first() if pk else None


def on_escalation_acknowledged(event) -> None:
    incident = _incident_of(event)
    if incident is None:
        return
    user_id = parse_id((event.payload or {}).get("user"))
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is not None and not can(user, incident.contract_id, Capability.WORK_INCIDENTS):
        user = None  # not (or no longer) on the vendor team: acknowledged, by nobody we can name
    services.acknowledge(incident, by=user, event_id=event.pk)


def on_escalation_step(event) -> None:
    incident = _incident_of(event)
    if incident is None:
        return
    payload = event.payload or {}
    body = payload.get("description") or _("升级步骤 %(step)s：通知 %(who)s（%(channel)s）") % {
        "step": payload.get("step", "?"), "who": payload.get("target", "—"), "channel": payload.get("channel", "—"),
    }
    services.note_on_timeline(incident, TimelineEntry.Kind.ESCALATION, str(body)[:2000], event_id=event.pk)


events.subscribe("monitor.down")(on_monitor_down)
events.subscribe("monitor.up")(on_monitor_up)
events.subscribe("escalation.acknowledged")(on_escalation_acknowledged)
events.subscribe("escalation.step")(on_escalation_step)
