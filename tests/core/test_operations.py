"""Operations: health, readiness, metrics, settings refusals, JSON logs, clean 503s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import OperationalError

from weibao.core import health


def test_healthz_is_alive_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_queue(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_readyz_is_503_when_the_database_is_down(client, db):
    with mock.patch.object(health, "database_ok", return_value=(False, "OperationalError")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "OperationalError"


def test_readyz_is_503_when_the_queue_is_down(client, db):
    with mock.patch("huey.contrib.djhuey.HUEY.storage.queue_size", side_effect=ConnectionError("redis")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["queue"] == "ConnectionError"


def test_metrics_in_prometheus_text_format(client, db):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    body = response.content.decode()
    assert "weibao_http_requests_total" in body or "http_requests" in body
    assert "# TYPE" in body


def test_a_database_outage_in_a_view_is_a_friendly_503(pm, client_for, api_client_for):
    from weibao.contracts import views as contract_views

    web = client_for(pm)
    with mock.patch.object(contract_views, "render", side_effect=OperationalError("connection refused")):
        response = web.get("/contracts/")
    assert response.status_code == 503
    assert "数据库暂时不可用" in response.content.decode()
    assert response["Retry-After"] == "5"


def _settings_subprocess(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEIBAO_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
         " 'weibao.settings'); django.setup(); from django.conf import settings;"
         " print(settings.DEBUG, settings.ALLOWED_HOSTS)"],
        capture_output=True, text=True, env=clean, timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings_subprocess({"WEIBAO_MODE": "production", "WEIBAO_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "WEIBAO_SECRET_KEY" in result.stderr


def test_production_takes_its_settings_from_the_environment(tmp_path):
    result = _settings_subprocess({
        "WEIBAO_MODE": "production", "WEIBAO_SECRET_KEY": "x" * 60, "WEIBAO_VAR_DIR": str(tmp_path),
        "WEIBAO_AUDIT_KEY": "a" * 40, "WEIBAO_DATA_KEY": "d" * 40,
        "WEIBAO_ALLOWED_HOSTS": "weibao.example.gov.cn,10.0.0.5",
    })
    assert result.returncode == 0, result.stderr
    assert "False ['weibao.example.gov.cn', '10.0.0.5']" in result.stdout


def test_production_refuses_to_start_without_the_audit_key(tmp_path):
    result = _settings_subprocess({"WEIBAO_MODE": "production", "WEIBAO_SECRET_KEY": "x" * 60,
                                   "WEIBAO_VAR_DIR": str(tmp_path), "WEIBAO_ALLOWED_HOSTS": "x.example"})
    assert result.returncode != 0
    assert "WEIBAO_AUDIT_KEY" in result.stderr


def test_demo_mode_generates_and_keeps_a_secret_key(tmp_path):
    env = {"WEIBAO_MODE": "demo", "WEIBAO_VAR_DIR": str(tmp_path)}
    assert _settings_subprocess(env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    assert _settings_subprocess(env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_json_log_lines(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEIBAO_", "DJANGO_"))}
    clean.update({"WEIBAO_MODE": "demo", "WEIBAO_VAR_DIR": str(tmp_path), "WEIBAO_LOG_FORMAT": "json",
                  "DJANGO_SETTINGS_MODULE": "weibao.settings"})
    result = subprocess.run(
        [sys.executable, "-c", "import django, logging; django.setup();"
         " logging.getLogger('weibao.test').warning('登录失败 %s', 'pm')"],
        capture_output=True, text=True, env=clean, timeout=60,
    )
    line = (result.stdout + result.stderr).strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "登录失败 pm"
    assert record["level"] in ("WARNING", "warning")


@pytest.mark.parametrize("command", ["load_demo"])
def test_demo_loader_refuses_in_production(command, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEIBAO_", "DJANGO_"))}
    clean.update({"WEIBAO_MODE": "production", "WEIBAO_SECRET_KEY": "x" * 60, "WEIBAO_AUDIT_KEY": "a" * 40,
                  "WEIBAO_DATA_KEY": "d" * 40, "WEIBAO_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    result = subprocess.run(
        [sys.executable, "-m", "weibao.manage", command], capture_output=True, text=True, env=clean, timeout=120
    )
    assert result.returncode != 0
    assert "production" in (result.stdout + result.stderr).lower()


def _documented_production_env(tmp_path) -> dict[str, str]:
    """docs/deploy/weibao.env.example as an operator would use it, with this machine's
    paths and a real key."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "weibao.env.example"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEIBAO_", "DJANGO_"))}
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env.update({
        "WEIBAO_SECRET_KEY": "k" * 20 + "-Prod-Key-9f8e7d6c5b4a3210zyxwvu",
        "WEIBAO_AUDIT_KEY": "a" * 20 + "-Audit-Key-0123456789abcdefghij",
        "WEIBAO_DATA_KEY": "d" * 20 + "-Data-Key-0123456789abcdefghijk", "WEIBAO_AUDIT_ANCHOR_DIR": str(tmp_path / "anchors"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "WEIBAO_VAR_DIR": str(tmp_path), "WEIBAO_MEDIA_ROOT": str(tmp_path / "media"),
        "WEIBAO_STATIC_ROOT": str(tmp_path / "static"), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    })
    (tmp_path / "metrics").mkdir()
    return env


@pytest.mark.own_database
def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "weibao.manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=_documented_production_env(tmp_path), timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_RESPONSE = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="weibao.example.gov.cn")
plain = Client(HTTP_HOST="weibao.example.gov.cn").get("/accounts/login/")
page = client.get("/accounts/login/")
csrf = page.cookies["csrftoken"]
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "status": page.status_code, "headers": dict(page.headers),
    "csrf": {"secure": bool(csrf["secure"]), "samesite": csrf["samesite"]},
    "session_httponly": __import__("django.conf").conf.settings.SESSION_COOKIE_HTTPONLY,
    "session_secure": __import__("django.conf").conf.settings.SESSION_COOKIE_SECURE,
}))
"""


@pytest.mark.own_database
def test_production_pages_carry_the_security_headers_and_secure_cookies(tmp_path):
    """Also the suite's one `migrate` of an empty database under the production settings
    (the fault tests' installation starts from the migrated template): not a copy."""
    env = _documented_production_env(tmp_path)
    # Side by side: `migrate` writes only the database, `collectstatic` only STATIC_ROOT,
    # and the first takes ~20 s, the second ~5 s.
    commands = (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"])
    running = [subprocess.Popen([sys.executable, "-m", "weibao.manage", *command], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for command in commands]
    try:
        for command, process in zip(commands, running, strict=True):
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, f"{command[0]}: {out}{err}"
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    result = subprocess.run(
        [sys.executable, "-m", "weibao.manage", "shell", "-c", PRODUCTION_RESPONSE],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is sent to HTTPS; over TLS the page carries every protective header.
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert seen["status"] == 200
    headers = seen["headers"]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"] or headers["X-Frame-Options"] == "DENY"
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in headers["Cache-Control"]
    assert seen["csrf"]["secure"] and seen["csrf"]["samesite"] == "Lax"
    assert seen["session_httponly"] and seen["session_secure"]
