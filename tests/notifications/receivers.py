"""Local peers for the channel tests: an HTTP receiver on 127.0.0.1 that records every
request exactly as it arrived and answers from a script (200, 500, a hang past the
client's timeout, a platform JSON answer), and remembers idempotency keys as a careful
platform or gateway would."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Receiver:
    OK = (200, {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"})

    def __init__(self):
        self.requests: list[Received] = []
        self.script: list = []  # answers for the next requests, then OK
        self.hang_seconds = 2.0
        self.seen_keys: set[str] = set()
        self.handled = 0  # requests acted upon (a repeated Idempotency-Key is not)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                split = urlsplit(self.path)
                receiver.requests.append(Received(
                    "POST", split.path, parse_qs(split.query), dict(self.headers.items()), body
                ))
                answer = receiver.script.pop(0) if receiver.script else receiver.OK
                if answer == "hang":
                    time.sleep(receiver.hang_seconds)
                    answer = receiver.OK
                status, payload = answer
                if 200 <= status < 300:
                    key = self.headers.get("Idempotency-Key")
                    if not key or key not in receiver.seen_keys:
                        receiver.handled += 1
                    if key:
                        receiver.seen_keys.add(key)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        # A short poll: ``close()`` waits for the loop to notice, 0.5 s a test by default.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
