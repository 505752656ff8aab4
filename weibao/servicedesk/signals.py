"""A holiday edit moves the deadlines of the contract's open tickets."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from weibao.calendars.services import holidays_changed

log = logging.getLogger(__name__)


@receiver(holidays_changed)
def recompute_after_holiday_edit(sender, contract, **kwargs):
    def run():
        from weibao.servicedesk.services.sla import recompute_contract
        from weibao.servicedesk.tasks import recompute_deadlines

        try:
            recompute_deadlines(contract.pk)
        except Exception:  # noqa: BLE001 - queue down: do it now rather than lose it
            log.warning("queue unavailable; recomputing deadlines in-process", exc_info=True)
            try:
                recompute_contract(contract.pk)
            except Exception:  # noqa: BLE001 - the holiday edit is committed; do not fail its answer
                log.error("deadlines of contract %s not recomputed after a holiday edit; "
                          "saving the calendar again recomputes them", contract.pk, exc_info=True)

    transaction.on_commit(run)
