"""One Weibao installation for all fault tests: its own database (a temporary SQLite file,
or a fresh PostgreSQL database weibao_faults_<pid> when the suite runs on PostgreSQL),
migrated and seeded by `weibao` subprocesses; a private redis-server when the suite runs
with Redis; a fake SMTP server. Each test starts the processes it needs; they are all
killed after it, whatever happened."""

from __future__ import annotations

import os

import pytest

from weibao.testing import migrated

from . import support
from .support import ON_POSTGRES, WITH_REDIS, Deployment, FakeSmtp


@pytest.fixture(scope="package")
def smtp():
    server = FakeSmtp()
    yield server
    server.close()


@pytest.fixture(scope="package")
def deployment(tmp_path_factory, smtp):
    from django.db import connections

    tmp = tmp_path_factory.mktemp("weibao")
    name = f"weibao_faults_{os.getpid()}"
    deploy = Deployment(tmp=tmp, email_port=smtp.port)
    try:
        # A copy of the suite's migrated template when there is one (weibao.testing.migrated):
        # then the real `migrate` below has nothing to apply but still checks that.
        if ON_POSTGRES:
            deploy.database_url = support.create_database(name, template=migrated.postgres_template_name())
        else:
            migrated.copy_into_sqlite_file(deploy.sqlite_path)
        if WITH_REDIS:
            port = support.free_port()
            deploy.redis_proc = support.start_redis(port, tmp)
            deploy.redis_url = f"redis://127.0.0.1:{port}/0"
        deploy.manage("migrate", "--no-input", timeout=300)
        deploy.manage("collectstatic", "--no-input", "--verbosity", "0")
        deploy.seed = deploy.python(support.SEED)
        yield deploy
    finally:
        deploy.stop_all()
        support.kill(deploy.redis_proc)
        if ON_POSTGRES:
            support.ensure_postgres_running()
            support.drop_database(name)
            connections.close_all()


@pytest.fixture(autouse=True)
def _kill_processes_after_each_test(request):
    yield
    if "deployment" in request.fixturenames:
        request.getfixturevalue("deployment").stop_all()
