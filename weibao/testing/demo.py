"""The demo data for tests that need a whole contract's worth of records."""

from __future__ import annotations

from django.db import transaction

from weibao.demo import load_all


def demo_loaded(django_db_blocker):
    """The demo data (``weibao.demo.load_all``) inside an outer transaction rolled back
    at the end: each test's own transaction is a savepoint inside it, so what a test
    writes is undone as usual."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_all()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
