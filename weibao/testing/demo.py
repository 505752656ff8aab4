"""The demo data for tests that need a whole contract's worth of records."""

from __future__ import annotations

from django.db import transaction

from weibao.demo import load_all
from weibao.testing.snapshots import DatabaseCopy, DemoSnapshot

#: Built once per test process (each xdist worker has its own database), for the demo
#: modules and the browser journeys alike.
_DEMO = DemoSnapshot()


def demo_snapshot() -> DemoSnapshot:
    """This process's demo data: ``load()`` builds it the first time, restores it after."""
    return _DEMO


def demo_loaded(django_db_blocker):
    """The demo data (``weibao.demo.load_all``) for a module or package: committed, so each
    test's own transaction rolls back to it as usual; what the database held before is put
    back afterwards. Built once per process and restored from a copy after that (a build
    costs 15–30 s; a restore well under one)."""
    with django_db_blocker.unblock():
        before = DatabaseCopy.take()
        if before is None:
            yield from _in_rolled_back_transaction()
            return
        try:
            _DEMO.load()
            yield
        finally:
            before.put_back()
            before.close()


def _in_rolled_back_transaction():
    """Where the database cannot be copied: built inside an outer transaction rolled back
    at the end (each test's transaction is a savepoint inside it)."""
    outer = transaction.atomic()
    outer.__enter__()
    try:
        load_all()
        yield
    finally:
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
