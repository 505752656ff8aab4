"""A generated client must install: generators derive its package name from the title."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_title_is_plain_ascii_with_chinese_in_the_description(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    info = response.json()["info"]
    assert re.fullmatch(r"[A-Za-z0-9 ]+", info["title"]), info["title"]
    assert "维保" in info["description"]
