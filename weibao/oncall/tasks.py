"""Background jobs of the on-call app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.contracts.models import Contract
from weibao.core.db_retry import retry_when_locked


@db_periodic_task(crontab(minute="7"))
@retry_when_locked
def warn_coverage_gaps() -> int:
    """Hourly: each active contract's PMs hear of new coverage gaps (once per set of gaps)."""
    from weibao.oncall.coverage import warn_managers

    return sum(warn_managers(contract) for contract in Contract.objects.filter(status=Contract.Status.ACTIVE))
