"""The checks against real local servers on 127.0.0.1 (no network beyond the machine)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import aiohttp
import dns.rcode  # noqa: F401 - used by the local DNS server

from tests.monitoring import servers
from weibao.monitoring.probes import checks

NOW = dt.datetime.now(dt.UTC)


def _spec(kind, target, **config):
    return checks.Spec(id=1, kind=kind, target=target, config=config, timeout=2.0)


async def _http_results(specs):
    runner, port = await servers.start_http()
    try:
        async with aiohttp.ClientSession() as session:
            return [await checks.run(_spec("http", f"http://127.0.0.1:{port}{path}", **config), session, NOW)
                    for path, config in specs]
    finally:
        await runner.cleanup()


def test_http_status_keywords_json_path_redirects_and_latency():
    results = asyncio.run(_http_results([
        ("/ok", {}),
        ("/ok", {"keyword": "运行正常"}),
        ("/ok", {"keyword": "已停机"}),
        ("/ok", {"keyword_absent": "运行正常"}),
        ("/error", {}),
        ("/error", {"expected_status": [503]}),
        ("/status", {"json_path": "$.data.state", "json_equals": "green"}),
        ("/status", {"json_path": "$.data.items[0].id", "json_equals": 8}),
        ("/status", {"json_path": "$.data.missing"}),
        ("/redirect", {"keyword": "运行正常"}),
        ("/redirect", {"follow_redirects": False, "expected_status": 302}),
        ("/redirect", {"follow_redirects": False, "expected_status": 200}),
        ("/loop", {}),
        ("/slow?s=0.3", {"max_latency_ms": 100}),
        ("/slow?s=3", {}),
        ("/echo", {"method": "POST", "headers": {"X-Token": "s3cret"}, "body": "ping",
                   "json_path": "auth", "json_equals": "s3cret"}),
    ]))
    oks = [r.ok for r in results]
    assert oks == [True, True, False, False, False, True, True, False, False, True, True, False, False,
                   False, False, True]
    assert "已停机" in results[2].error
    assert results[4].status == 503 and "维护中" in results[4].excerpt  # evidence: the response excerpt
    assert "= 7" in results[7].error
    assert "重定向" in results[12].error
    assert "超过 100 毫秒" in results[13].error
    assert "超时" in results[14].error and results[14].status is None


def test_http_refused_connection_is_a_failure_with_its_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def go():
        async with aiohttp.ClientSession() as session:
            return await checks.run(_spec("http", f"http://127.0.0.1:{port}/"), session, NOW)

    result = asyncio.run(go())
    assert not result.ok and result.error


def test_tcp_open_and_closed_ports():
    async def go():
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        open_result = await checks.run(_spec("tcp", f"127.0.0.1:{port}"), None, NOW)
        server.close()
        await server.wait_closed()
        closed_result = await checks.run(_spec("tcp", f"127.0.0.1:{port}"), None, NOW)
        return open_result, closed_result

    opened, closed = asyncio.run(go())
    assert opened.ok and opened.latency_ms is not None
    assert not closed.ok and "Connection" in closed.error or "Errno" in closed.error


def _tls(days_valid, **config):
    cert, key = servers.self_signed(days_valid)

    async def go():
        server, port = await servers.start_tls(cert, key)
        try:
            return await checks.run(_spec("tls", f"127.0.0.1:{port}", server_name="localhost",
                                          **{k: (cert if v == "CERT" else v) for k, v in config.items()}), None, NOW)
        finally:
            server.close()

    return asyncio.run(go())


def test_tls_certificate_expiry_and_chain():
    trusted_far = _tls(200, ca_file="CERT", warn_days=14)
    assert trusted_far.ok, trusted_far.error
    assert "notAfter=" in trusted_far.excerpt
    soon = _tls(5, ca_file="CERT", warn_days=14)
    assert not soon.ok and "到期" in soon.error and "剩 4 天" in soon.error or "剩 5 天" in soon.error
    untrusted = _tls(200)  # self-signed, not in the system's roots
    assert not untrusted.ok and "证书链无效" in untrusted.error


def test_dns_expected_answer():
    async def go():
        transport, port = await servers.start_dns({"portal.example.gov.cn": ["10.1.2.3", "10.1.2.4"]})
        try:
            ns = f"127.0.0.1:{port}"
            return [
                await checks.run(_spec("dns", "portal.example.gov.cn", nameserver=ns, expected=["10.1.2.3"]), None, NOW),
                await checks.run(_spec("dns", "portal.example.gov.cn", nameserver=ns, expected="10.9.9.9"), None, NOW),
                await checks.run(_spec("dns", "missing.example.gov.cn", nameserver=ns), None, NOW),
            ]
        finally:
            transport.close()

    good, wrong, missing = asyncio.run(go())
    assert good.ok and "10.1.2.4" in good.excerpt
    assert not wrong.ok and "10.9.9.9" in wrong.error
    assert not missing.ok and "NXDOMAIN" in missing.error


def test_heartbeat_within_period_plus_grace():
    spec = checks.Spec(id=1, kind="heartbeat", target="", interval=3600, grace=600,
                       last_ping_at=NOW - dt.timedelta(minutes=65))
    assert checks.check_heartbeat(spec, NOW).ok  # 65 min < 60 + 10
    spec.last_ping_at = NOW - dt.timedelta(minutes=71)
    late = checks.check_heartbeat(spec, NOW)
    assert not late.ok and "心跳超时" in late.error
    spec.last_ping_at, spec.last_ping_failed = NOW, True
    assert not checks.check_heartbeat(spec, NOW).ok
    never = checks.Spec(id=1, kind="heartbeat", target="", interval=60, grace=60,
                        created_at=NOW - dt.timedelta(minutes=5))
    assert "从未" in checks.check_heartbeat(never, NOW).error


def test_json_path():
    doc = {"a": {"b": [{"c": 1}]}}
    assert checks.json_path(doc, "$.a.b[0].c") == 1
    assert checks.json_path(doc, "a.b") == [{"c": 1}]
