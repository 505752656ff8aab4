"""Posting a 10,000-character value to a page's form: a refusal naming the field (a 400,
or the flash of an action that goes back), never a 500. PostgreSQL refuses an over-long
value for a column with a DataError; run these against it (DATABASE_URL)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

LONG = "长" * 10_000


def assert_refused(response, field: str) -> None:
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        told = [str(m) for m in get_messages(response.wsgi_request)]
    else:
        told = [response.content.decode()]
    assert any(field in t and "内容过长" in t for t in told), (field, [t[:300] for t in told])


def post_long_value(client_for, users: dict, forms: dict, form: str, field: str) -> None:
    """Post ``field`` = LONG to ``forms[form]`` (who, url, the other values) as that user."""
    who, url, data = forms[form]
    if not url:
        pytest.skip("the demo data has no record for this form")
    assert_refused(client_for(users[who]).post(url, {**data, field: LONG}), field)
