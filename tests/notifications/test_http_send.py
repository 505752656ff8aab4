"""The one HTTP sender of the channels: a redirect is an answer, not followed to a host the
operator did not allow; a broken address or answer is a failure to retry, not a crash."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from weibao.notifications.channels.base import HttpRequest, SendFailed, http_send


def _server(host: str, handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


def test_a_redirect_to_another_host_is_not_followed(settings):
    hits = []

    class Elsewhere(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

    elsewhere = _server("127.0.0.2", Elsewhere)

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{elsewhere.server_address[1]}/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()

    allowed = _server("127.0.0.1", Redirecting)
    settings.WEIBAO_NOTIFY_HOSTS = ["127.0.0.1"]
    settings.WEIBAO_NOTIFY_TIMEOUT = 2
    try:
        answer = http_send(HttpRequest(f"http://127.0.0.1:{allowed.server_address[1]}/send", b"{}", {}))
        assert answer.status == 302 and hits == []
    finally:
        allowed.shutdown()
        elsewhere.shutdown()


@pytest.mark.parametrize("url", ["https://gw.example.cn:abc/sms", "http://gw.example.cn:99999/sms"])
def test_an_unusable_address_is_a_failure_to_retry(settings, url):
    settings.WEIBAO_NOTIFY_HOSTS = ["*"]
    with pytest.raises(SendFailed):
        http_send(HttpRequest(url, b"{}", {}))
