"""Alert ingestion: keep the body first, then turn it into alerts and incidents.

``receive`` stores the raw body (unique per integration and digest: a sender's retry of
the same body finds it and changes nothing), then processes it in a savepoint; if the
processing fails the body stays ``failed`` and the worker's sweep retries it, so the
sender's 2xx always means "stored". A malformed body is stored as ``rejected`` with the
problems, for inspection, and answered with a 400 listing them.

Grouping: alerts of one integration whose grouping labels agree join the open incident
of that group key; with no grouping labels configured, Alertmanager's own ``groupKey``
is the key. Processing takes a lock on the integration row, so two deliveries for the
same group cannot both open an incident.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from weibao.core import clock
from weibao.incidents import services
from weibao.incidents.formats import PARSERS, BadPayload, NormalAlert, Payload
from weibao.incidents.models import (
    LEVEL_RANK,
    Alert,
    Delivery,
    Incident,
    Integration,
    Level,
    Silence,
    TimelineEntry,
)
from weibao.servicedesk.models import ServiceComponent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


@dataclass
class Receipt:
    delivery: Delivery
    duplicate: bool = False
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def inline_limit() -> int:
    """Bodies with up to this many alerts are processed in the request (cheap); larger
    ones by the worker, right after the commit that stored them."""
    return getattr(settings, "WEIBAO_ALERTS_INLINE_MAX", 20)


def receive(integration: Integration, body: bytes) -> Receipt:
    """Store ``body`` for ``integration`` and process it (now, or by the worker). Never
    raises for bad input."""
    digest = hashlib.sha256(body).hexdigest()
    text = body.decode("utf-8", errors="replace")
    problems = None
    parsed = None
    try:
        parsed = PARSERS[integration.kind](text)
    except BadPayload as error:
        problems = error.problems
    state = Delivery.State.REJECTED if problems else Delivery.State.PENDING
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            integration=integration, digest=digest,
            defaults={
                "contract_id": integration.contract_id, "body": text, "state": state,
                "error": "\n".join(problems or [])[:4000],
            },
        )
    if not created:
        return Receipt(delivery, duplicate=True, problems=problems)
    if problems is None:
        if len(parsed.alerts) <= inline_limit():
            process_safely(delivery)
            delivery.refresh_from_db(fields=["state"])
        else:
            transaction.on_commit(lambda: enqueue(delivery.pk))
    return Receipt(delivery, problems=problems)


def enqueue(delivery_id: int) -> None:
    try:
        process_delivery(delivery_id)
    except Exception:  # noqa: BLE001 - stored; the sweep (tasks.retry_alert_deliveries) picks it up
        log.warning("alert delivery %s not queued now; the sweep will process it", delivery_id, exc_info=True)


@db_task(retries=3, retry_delay=10)
def process_delivery(delivery_id: int) -> None:
    """The worker's half of a large delivery (its sweep is tasks.retry_alert_deliveries)."""
    delivery = Delivery.objects.filter(pk=delivery_id, state__in=[Delivery.State.PENDING, Delivery.State.FAILED]).first()
    if delivery is not None:
        process_safely(delivery)


def process_safely(delivery: Delivery) -> bool:
    """Process in a savepoint; a failure leaves the delivery for the sweep to retry."""
    try:
        with transaction.atomic():
            process(delivery)
        return True
    except Exception as error:  # noqa: BLE001 - the body is stored; the sweep retries it
        log.exception("alert delivery %s not processed", delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, error=str(error)[:4000], attempts=delivery.attempts + 1
        )
        return False


def process(delivery: Delivery) -> None:
    integration = Integration.objects.select_for_update().get(pk=delivery.integration_id)
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.state == Delivery.State.PROCESSED:
        return
    payload = PARSERS[integration.kind](locked.body)
    if integration.kind == Integration.Kind.EMAIL:
        payload = follow_mail_alerts(integration, payload)
    count = apply_alerts(integration, payload)
    locked.state, locked.processed_at, locked.alerts_count = Delivery.State.PROCESSED, clock.now(), count
    locked.attempts += 1
    locked.error = ""
    locked.save(update_fields=["state", "processed_at", "alerts_count", "attempts", "error"])


def follow_mail_alerts(integration: Integration, payload: Payload) -> Payload:
    """An e-mail carries no start of its alert, only its own date: a mail about an alert
    of this fingerprint still firing is that alert (a reminder changes nothing; a recovery
    resolves it, ending at the mail's date). A recovery with nothing firing matches the
    last alert it could end, so a recovery mail read again changes nothing either."""
    source_key = f"integration:{integration.pk}"
    for alert in payload.alerts:
        rows = Alert.objects.filter(source_key=source_key, fingerprint=alert.fingerprint).order_by("-starts_at")
        target = rows.filter(status=Alert.Status.FIRING).first()
        if target is None and alert.status == Alert.Status.RESOLVED:
            target = rows.filter(starts_at__lte=alert.starts_at).first()
        if alert.status == Alert.Status.RESOLVED:
            alert.ends_at = alert.starts_at
        if target is not None:
            alert.starts_at = target.starts_at
    return payload


def group_key_of(integration: Integration, alert: NormalAlert, payload: Payload) -> str:
    labels = integration.group_by or []
    if labels:
        return "|".join(f"{name}={alert.labels.get(name, '')}" for name in labels)[:400]
    if payload.group_key:
        return payload.group_key[:400]
    return f"alertname={alert.labels.get('alertname') or alert.summary}"[:400]


def _level_of(integration: Integration, alert: NormalAlert) -> str:
    level = alert.labels.get("level", "").upper()
    return level if level in Level.values else integration.default_level


def apply_alerts(integration: Integration, payload: Payload, *, source_key: str | None = None) -> int:
    """De-duplicate, record and group one payload's alerts; returns how many were new or changed."""
    contract = integration.contract
    source_key = source_key or f"integration:{integration.pk}"
    now = clock.now()
    unique: dict[tuple[str, object], NormalAlert] = {}
    for alert in payload.alerts:
        unique[(alert.fingerprint, alert.starts_at)] = alert  # the last word of the payload wins
    existing = {
        (a.fingerprint, a.starts_at): a
        for a in Alert.objects.filter(source_key=source_key, fingerprint__in={fp for fp, _s in unique})
    }
    silences = [s for s in Silence.objects.filter(contract=contract, starts_at__lte=now, ends_at__gt=now)]
    components = {c.code: c for c in ServiceComponent.objects.filter(contract=contract)}
    open_incidents: dict[str, Incident] = {}
    keys = {group_key_of(integration, a, payload) for a in unique.values()}
    for incident in Incident.objects.filter(contract=contract, integration=integration, group_key__in=keys).unresolved().order_by("opened_at"):
        open_incidents.setdefault(incident.group_key, incident)
    changed = 0
    touched: set[int] = set()
    entries: list[TimelineEntry] = []
    new_alerts: list[Alert] = []
    for (fingerprint, starts_at), alert in unique.items():
        found = existing.get((fingerprint, starts_at))
        if found is not None:
            if alert.status == Alert.Status.RESOLVED and found.status == Alert.Status.FIRING:
                found.status, found.ends_at = Alert.Status.RESOLVED, alert.ends_at or now
                found.save(update_fields=["status", "ends_at"])
                changed += 1
                if found.incident_id:
                    touched.add(found.incident_id)
                    entries.append(TimelineEntry(
                        incident_id=found.incident_id, kind=TimelineEntry.Kind.ALERT, at=now,
                        body=_("告警恢复：%(s)s") % {"s": found.summary},
                    ))
            continue
        key = group_key_of(integration, alert, payload)
        silenced = any(s.matches(alert.labels, now) for s in silences)
        incident = open_incidents.get(key)
        level = _level_of(integration, alert)
        if incident is None and alert.status == Alert.Status.FIRING:
            component = components.get(alert.labels.get("component", "")) or integration.component
            incident = services.open_incident(
                contract, title=alert.summary or alert.labels.get("alertname") or integration.name,
                level=level, category=integration.category, component=component, source=Incident.Source.ALERT,
                integration=integration, group_key=key, page=not silenced, at=now,
            )
            open_incidents[key] = incident
        elif incident is not None and alert.status == Alert.Status.FIRING:
            if not silenced and not incident.paged:
                services.page_now(incident)
            if LEVEL_RANK[level] < LEVEL_RANK[incident.level]:
                open_incidents[key] = incident = services.change_level(incident, level, by=None, reason=_("更严重的告警加入"))
        new_alerts.append(Alert(
            contract=contract, integration=integration if source_key.startswith("integration:") else None,
            source_key=source_key, fingerprint=fingerprint, starts_at=starts_at,
            ends_at=alert.ends_at if alert.status == Alert.Status.RESOLVED else None,
            status=alert.status, summary=alert.summary, labels=alert.labels, annotations=alert.annotations,
            source_url=alert.url, silenced=silenced, incident=incident, received_at=now,
        ))
        changed += 1
        if incident is not None:
            touched.add(incident.pk)
            body = _("告警：%(s)s") % {"s": alert.summary} if alert.status == Alert.Status.FIRING else _("告警（已恢复）：%(s)s") % {"s": alert.summary}
            if silenced:
                body += _("（静默中，不通知）")
            entries.append(TimelineEntry(incident=incident, kind=TimelineEntry.Kind.ALERT, at=now, body=body))
    # The integration's row lock (``process``) keeps other deliveries of this source out:
    # the alerts looked up above are all there are. ignore_conflicts only guards the rule.
    Alert.objects.bulk_create(new_alerts, batch_size=500, ignore_conflicts=True)
    TimelineEntry.objects.bulk_create(entries, batch_size=500)
    resolve_quiet_incidents(touched)
    return changed


def resolve_quiet_incidents(incident_ids) -> None:
    """Resolve the incidents opened by alerts whose alerts all report resolved."""
    for incident in Incident.objects.filter(pk__in=incident_ids).unresolved():
        if incident.source == Incident.Source.MANUAL:
            continue
        if not incident.alerts.filter(status=Alert.Status.FIRING).exists():
            services.resolve(incident, by=None)


def retry_pending(limit: int = 200) -> int:
    """The sweep: process deliveries stored but not processed (a crash, a failure)."""
    pending = Delivery.objects.filter(
        state__in=[Delivery.State.PENDING, Delivery.State.FAILED], attempts__lt=MAX_ATTEMPTS
    ).order_by("received_at")[:limit]
    done = 0
    for delivery in pending:
        done += process_safely(delivery)
    return done
