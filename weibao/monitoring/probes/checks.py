"""The checks themselves, asynchronous and free of Django: HTTP(S), TCP, TLS certificate,
DNS and heartbeat. Each takes a ``Spec`` (a snapshot of the monitor) and answers a
``Result``; none raises — a failure is a result with its error."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import ssl
import time
from dataclasses import dataclass, field

import aiohttp
import dns.asyncresolver
import dns.exception
import dns.resolver
from cryptography import x509

EXCERPT = 300  # characters of a failing response kept as evidence
MAX_BODY = 1024 * 1024  # bytes of a response searched for keywords
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Spec:
    id: int
    kind: str
    target: str
    config: dict = field(default_factory=dict)
    timeout: float = 10.0
    interval: int = 60
    grace: int = 300
    last_ping_at: dt.datetime | None = None
    last_ping_failed: bool = False
    created_at: dt.datetime | None = None
    due: float = 0.0  # loop time the check is scheduled for


@dataclass
class Result:
    ok: bool
    latency_ms: int | None = None
    status: int | None = None
    error: str = ""
    excerpt: str = ""

    def evidence(self) -> dict:
        return {"status": self.status, "latency_ms": self.latency_ms, "error": self.error, "excerpt": self.excerpt}


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def json_path(document, path: str):
    """The value at a dotted path (``$.data.items[0].state``); KeyError when absent."""
    node = document
    for name, index in _PATH_PART.findall(path.removeprefix("$").lstrip(".")):
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                raise KeyError(path)
            node = node[int(index)]
        else:
            if not isinstance(node, dict) or name not in node:
                raise KeyError(path)
            node = node[name]
    return node


def _host_port(target: str, default_port: int) -> tuple[str, int]:
    host, _, port = target.rpartition(":") if target.count(":") == 1 or target.startswith("[") else (target, "", "")
    if not host:
        return target.strip("[]"), default_port
    return host.strip("[]"), int(port)


_SSL_CONTEXTS: dict[tuple, ssl.SSLContext | bool] = {}


def _ssl_for(config: dict) -> ssl.SSLContext | bool:
    key = (config.get("verify_tls", True), config.get("ca_file", ""), config.get("client_cert", ""),
           config.get("client_key", ""))
    if key not in _SSL_CONTEXTS:
        verify, ca_file, cert, cert_key = key
        context = ssl.create_default_context(cafile=ca_file or None)
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cert:
            context.load_cert_chain(cert, cert_key or None)
        _SSL_CONTEXTS[key] = context
    return _SSL_CONTEXTS[key]


def _status_expected(status: int, expected) -> bool:
    if not expected:
        return 200 <= status < 400
    if isinstance(expected, int | str):
        expected = [expected]
    return status in {int(e) for e in expected}


async def check_http(spec: Spec, session: aiohttp.ClientSession) -> Result:
    config = spec.config
    started = time.perf_counter()
    try:
        async with session.request(
            config.get("method", "GET"), spec.target, headers=config.get("headers") or None,
            data=config.get("body") or None, allow_redirects=config.get("follow_redirects", True),
            max_redirects=int(config.get("max_redirects", 5)),
            ssl=_ssl_for(config) if spec.target.startswith("https") else None,
            timeout=aiohttp.ClientTimeout(total=spec.timeout),
        ) as response:
            status = response.status
            # The body is read when a rule needs it, or as evidence of an unexpected status.
            wants_body = (config.get("keyword") or config.get("keyword_absent") or config.get("json_path")
                          or not _status_expected(status, config.get("expected_status")))
            body = (await response.content.read(MAX_BODY)).decode(response.charset or "utf-8", "replace") if wants_body else ""
    except TimeoutError:
        return Result(False, _ms(started), None, f"超时（{spec.timeout:g} 秒）")
    except aiohttp.TooManyRedirects:
        return Result(False, _ms(started), None, "重定向次数过多")
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return Result(False, _ms(started), None, f"{type(exc).__name__}: {exc}"[:200])
    latency = _ms(started)
    if not _status_expected(status, config.get("expected_status")):
        return Result(False, latency, status, f"状态码 {status} 不符合预期", body[:EXCERPT])
    if config.get("keyword") and config["keyword"] not in body:
        return Result(False, latency, status, f"未找到关键字“{config['keyword']}”", body[:EXCERPT])
    if config.get("keyword_absent") and config["keyword_absent"] in body:
        return Result(False, latency, status, f"出现了不应出现的关键字“{config['keyword_absent']}”", body[:EXCERPT])
    if config.get("json_path"):
        try:
            value = json_path(json.loads(body), config["json_path"])
        except (ValueError, KeyError):
            return Result(False, latency, status, f"JSON 路径 {config['json_path']} 不存在", body[:EXCERPT])
        if "json_equals" in config and value != config["json_equals"]:
            return Result(False, latency, status,
                          f"{config['json_path']} = {json.dumps(value, ensure_ascii=False)[:60]}，应为 "
                          f"{json.dumps(config['json_equals'], ensure_ascii=False)[:60]}", body[:EXCERPT])
    if config.get("max_latency_ms") and latency > int(config["max_latency_ms"]):
        return Result(False, latency, status, f"响应 {latency} 毫秒，超过 {config['max_latency_ms']} 毫秒")
    return Result(True, latency, status)


async def check_tcp(spec: Spec) -> Result:
    started = time.perf_counter()
    try:
        host, port = _host_port(spec.target, 0)
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), spec.timeout)
    except TimeoutError:
        return Result(False, _ms(started), None, f"连接超时（{spec.timeout:g} 秒）")
    except (OSError, ValueError) as exc:
        return Result(False, _ms(started), None, f"{type(exc).__name__}: {exc}"[:200])
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return Result(True, _ms(started))


async def _peer_certificate(host: str, port: int, context: ssl.SSLContext, server_name: str,
                            timeout: float) -> bytes:
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, server_hostname=server_name), timeout
    )
    try:
        return writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()


async def check_tls(spec: Spec, now: dt.datetime) -> Result:
    """The certificate's chain must verify (against ``ca_file`` or the system's roots) and
    it must not expire within ``warn_days`` (default 14)."""
    config = spec.config
    started = time.perf_counter()
    try:
        host, port = _host_port(spec.target, 443)
        server_name = config.get("server_name") or host
        chain_error = ""
        try:
            der = await _peer_certificate(host, port, _ssl_for({"ca_file": config.get("ca_file", "")}),
                                          server_name, spec.timeout)
        except ssl.SSLCertVerificationError as exc:
            chain_error = f"证书链无效：{exc.verify_message or exc}"[:200]
            der = await _peer_certificate(host, port, _ssl_for({"verify_tls": False}), server_name, spec.timeout)
    except TimeoutError:
        return Result(False, _ms(started), None, f"连接超时（{spec.timeout:g} 秒）")
    except (OSError, ValueError, ssl.SSLError) as exc:
        return Result(False, _ms(started), None, f"{type(exc).__name__}: {exc}"[:200])
    latency = _ms(started)
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    days_left = (expires - now).total_seconds() / 86400
    excerpt = f"notAfter={expires.isoformat()}"
    if days_left < 0:
        return Result(False, latency, None, f"证书已于 {expires:%Y-%m-%d} 过期", excerpt)
    if chain_error:
        return Result(False, latency, None, chain_error, excerpt)
    warn_days = int(config.get("warn_days", 14))
    if days_left < warn_days:
        return Result(False, latency, None, f"证书将于 {expires:%Y-%m-%d} 到期（剩 {int(days_left)} 天）", excerpt)
    return Result(True, latency, None, "", excerpt)


async def check_dns(spec: Spec) -> Result:
    """The name resolves (record type ``record_type``, default A) and, when ``expected``
    is given, the answers include every expected value."""
    config = spec.config
    started = time.perf_counter()
    resolver = dns.asyncresolver.Resolver(configure=not config.get("nameserver"))
    if config.get("nameserver"):
        server, port = _host_port(config["nameserver"], 53)
        resolver.nameservers = [server]
        resolver.port = port
    resolver.lifetime = spec.timeout
    try:
        answer = await resolver.resolve(spec.target, config.get("record_type", "A"))
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return Result(False, _ms(started), None, f"{type(exc).__name__}: {exc}"[:200])
    found = sorted(r.to_text().rstrip(".") for r in answer)
    expected = config.get("expected") or []
    if isinstance(expected, str):
        expected = [expected]
    missing = [e for e in expected if e.rstrip(".") not in found]
    if missing:
        return Result(False, _ms(started), None, f"解析结果缺少 {', '.join(missing)}", ", ".join(found)[:EXCERPT])
    return Result(True, _ms(started), None, "", ", ".join(found)[:EXCERPT])


def check_heartbeat(spec: Spec, now: dt.datetime) -> Result:
    """Up while the last ping came within period (the interval) + grace and was no /fail."""
    deadline = dt.timedelta(seconds=spec.interval + spec.grace)
    since = spec.last_ping_at or spec.created_at
    if spec.last_ping_failed:
        return Result(False, None, None, "任务报告失败（/fail）")
    if since is not None and now - since > deadline:
        when = f"{spec.last_ping_at:%Y-%m-%d %H:%M:%S} UTC" if spec.last_ping_at else "从未"
        return Result(False, None, None, f"心跳超时：最近一次 {when}")
    return Result(True)


async def run(spec: Spec, session: aiohttp.ClientSession, now: dt.datetime) -> Result:
    """Run ``spec``'s check; never raises."""
    try:
        if spec.kind == "http":
            return await check_http(spec, session)
        if spec.kind == "tcp":
            return await check_tcp(spec)
        if spec.kind == "tls":
            return await check_tls(spec, now)
        if spec.kind == "dns":
            return await check_dns(spec)
        if spec.kind == "heartbeat":
            return check_heartbeat(spec, now)
        return Result(False, error=f"unknown kind {spec.kind}")
    except Exception as exc:  # noqa: BLE001 - a check's bug must not stop the runner
        return Result(False, error=f"{type(exc).__name__}: {exc}"[:200])
