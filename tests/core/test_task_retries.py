"""Every background task that sweeps or reminds runs its work again when SQLite refuses a
write with "database is locked" (core.db_retry), instead of failing until its next run:
a daily reminder or the monthly snapshot would otherwise wait a day or a month."""

from __future__ import annotations

import importlib

import pytest
from django.db import OperationalError

from weibao.core import db_retry

# (task module, task, where the task finds its work, the work's name, arguments)
TASKS = [
    ("weibao.audit.tasks", "seal_pending_records", "weibao.audit.services", "seal_pending", ()),
    ("weibao.changes.tasks", "remind_overdue_retro_approvals", "weibao.changes.services",
     "remind_overdue_retro_approvals", ()),
    ("weibao.escalations.tasks", "advance_escalations", "weibao.escalations.services.engine", "advance_due", ()),
    ("weibao.incidents.tasks", "retry_alert_deliveries", "weibao.incidents.ingest", "retry_pending", ()),
    ("weibao.incidents.tasks", "remind_reporting_duties", "weibao.incidents.tasks", "send_reporting_reminders", ()),
    ("weibao.ledger.tasks", "accrue_overdue_payments", "weibao.ledger.services.payments", "sweep_overdue", ()),
    ("weibao.ledger.tasks", "remind_deadlines", "weibao.ledger.services.notices", "send_reminders", ()),
    ("weibao.ledger.tasks", "seal_last_month", "weibao.ledger.services.snapshots", "snapshot_last_month", ()),
    ("weibao.notifications.tasks", "retry_pending_deliveries", "weibao.notifications.services", "retry_due", ()),
    ("weibao.oncall.tasks", "warn_coverage_gaps", "weibao.oncall.coverage", "warn_managers", ()),
    ("weibao.people.tasks", "remind_expiries", "weibao.people.services", "send_expiry_reminders", ()),
    ("weibao.servicedesk.tasks", "scan_sla_clocks", "weibao.servicedesk.services.sla", "scan", ()),
    ("weibao.servicedesk.tasks", "recompute_deadlines", "weibao.servicedesk.services.sla", "recompute_contract",
     ("contract",)),
    ("weibao.servicedesk.tasks", "anonymise_expired_requesters", "weibao.servicedesk.services.retention",
     "anonymise", ()),
]
ANSWERS = {"warn_managers": 1, "anonymise": [], "scan": (0, 0)}


# Outside a transaction, as a task runs: inside one a refused statement spoils it, and the
# helper leaves the retry to the transaction's owner.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("module", "task", "home", "work", "args"), TASKS, ids=[t[1] for t in TASKS])
def test_a_task_refused_by_a_locked_database_runs_its_work_again(
    contract, monkeypatch, module, task, home, work, args
):
    calls = []

    def locked_once(*given, **kwargs):
        calls.append(given)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return ANSWERS.get(work, 2)

    monkeypatch.setattr(importlib.import_module(home), work, locked_once)
    monkeypatch.setattr(db_retry, "FIRST_PAUSE", 0.001)
    before = dict(db_retry.stats)
    answer = getattr(importlib.import_module(module), task).call_local(
        *(contract.pk if a == "contract" else a for a in args))
    assert len(calls) == 2
    assert answer == {"anonymise": 0, "scan": (0, 0)}.get(work, ANSWERS.get(work, 2))
    assert db_retry.stats["retried"] == before["retried"] + 1


@pytest.mark.django_db(transaction=True)
def test_another_database_error_is_not_retried(monkeypatch):
    from weibao.ledger import tasks

    calls = []

    def broken(*given):
        calls.append(given)
        raise OperationalError("no such table: ledger_paymentmilestone")

    monkeypatch.setattr("weibao.ledger.services.payments.sweep_overdue", broken)
    with pytest.raises(OperationalError):
        tasks.accrue_overdue_payments.call_local()
    assert len(calls) == 1
