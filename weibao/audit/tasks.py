"""Background jobs of the audit trail."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.core.db_retry import retry_when_locked

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def seal_pending_records() -> int:
    """Every minute: seal records whose writer stopped between its commit and the seal."""
    from weibao.audit.services import seal_pending

    return seal_pending()


@db_periodic_task(crontab(minute="7"))
def write_audit_anchor() -> int | None:
    """Every hour: a signed checkpoint of the chain head outside the database (decision
    0011), so a cut tail or a re-chained past is found by ``weibao audit_verify``."""
    from weibao.audit import anchors

    try:
        anchor, _ = anchors.write()
    except anchors.BadAnchor as exc:
        log.error("audit anchor not written: %s", exc)
        return None
    return anchor.seq
