"""API fuzzing: schemathesis generates requests from /api/v1/schema/ and checks that no
endpoint answers 500 and that responses match the schema. Bounded examples per
operation so the suite stays fast; raise WEIBAO_FUZZ_EXAMPLES locally for a deeper run.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from weibao.wsgi import application

EXAMPLES = int(os.environ.get("WEIBAO_FUZZ_EXAMPLES", "15"))


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly fires request_finished, whose close_old_connections
    would close the test's connection (and with it the test transaction on PostgreSQL).
    Django's own test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    """A project manager of the seed contract, with a token (the demo data gives content)."""
    from weibao.accounts.models import User
    from weibao.api.models import ApiToken
    from weibao.demo import load_all

    load_all()
    _, raw = ApiToken.issue(User.objects.get(username="pm"))
    return {"Authorization": f"Bearer {raw}"}


def _load_schema():
    """The same document /api/v1/schema/ serves, generated without a request (collection
    time has no database, and every request runs in a transaction)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application
    loaded.location = "/api/v1/schema/"
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_answers_500_and_matches_its_schema(case, bearer):
    # Business rules (a date outside the supported years, a contract the caller is not
    # on) may refuse schema-valid input with a 400 naming the field; that is intended.
    case.call_and_validate(
        headers=bearer, excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
