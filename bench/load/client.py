"""A small keep-alive JSON client on http.client (standard library only), one per thread."""

from __future__ import annotations

import http.client
import json
import select
import time
from dataclasses import dataclass, field


@dataclass
class Reply:
    method: str
    path: str
    status: int  # 0: no HTTP answer (connection refused/reset, timeout)
    ms: float
    data: object = None
    text: str = ""
    error: str = ""
    request_id: str = ""
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Client:
    def __init__(self, host: str, port: int, token: str = "", timeout: float = 30.0,
                 keepalive: bool = True, user_agent: str = "weibao-load-test/1"):
        self.host, self.port, self.timeout, self.keepalive = host, port, timeout, keepalive
        self.headers = {
            "Accept": "application/json",
            "Accept-Language": "zh-hans",
            "User-Agent": user_agent,
        }
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if not keepalive:
            self.headers["Connection"] = "close"
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and conn.sock is not None:
            # A readable idle socket means the server closed it (keep-alive timeout):
            # reconnect instead of failing the next request on a dead connection.
            try:
                readable, _, _ = select.select([conn.sock], [], [], 0)
            except (OSError, ValueError):
                readable = [conn.sock]
            if readable:
                conn.close()
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body: object = None) -> Reply:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            ms = (time.perf_counter() - started) * 1000
            if response.will_close or not self.keepalive:
                self.close()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - started) * 1000
            self.close()
            return Reply(method, path, 0, ms, error=f"{type(exc).__name__}: {exc}")
        text = raw.decode("utf-8", errors="replace")
        data = None
        if "json" in (response.getheader("Content-Type") or ""):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
        return Reply(
            method, path, response.status, ms, data=data, text=text,
            request_id=response.getheader("X-Request-ID") or "",
            headers={k.lower(): v for k, v in response.getheaders()},
        )
