"""Local servers on 127.0.0.1 for the checks' tests and the benchmark."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile

import dns.message
import dns.rrset
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def http_app() -> web.Application:
    async def ok(request):
        return web.Response(text="<html>政务服务网 运行正常</html>", content_type="text/html")

    async def status(request):
        return web.json_response({"data": {"state": "green", "items": [{"id": 7}]}})

    async def error(request):
        return web.Response(status=503, text="Service Unavailable: 维护中")

    async def redirect(request):
        raise web.HTTPFound("/ok")

    async def loop(request):
        raise web.HTTPFound("/loop")

    async def slow(request):
        await asyncio.sleep(float(request.query.get("s", "0.3")))
        return web.Response(text="slow")

    async def echo(request):
        body = await request.text()
        return web.json_response({"method": request.method, "auth": request.headers.get("X-Token", ""),
                                  "body": body})

    app = web.Application()
    app.router.add_route("*", "/ok", ok)
    app.router.add_get("/status", status)
    app.router.add_get("/error", error)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", loop)
    app.router.add_get("/slow", slow)
    app.router.add_route("*", "/echo", echo)
    return app


async def start_http(app=None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app or http_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def self_signed(days_valid: int, name: str = "localhost") -> tuple[str, str]:
    """A self-signed certificate valid ``days_valid`` more days: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=days_valid))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False)
    cert_file.write(cert.public_bytes(serialization.Encoding.PEM))
    cert_file.close()
    key_file = tempfile.NamedTemporaryFile("wb", suffix=".key", delete=False)
    key_file.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    key_file.close()
    return cert_file.name, key_file.name


async def start_tls(cert: str, key: str):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def handle(reader, writer):
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    return server, server.sockets[0].getsockname()[1]


class _Dns(asyncio.DatagramProtocol):
    def __init__(self, records: dict[str, list[str]]):
        self.records = records

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text().rstrip(".")
        if name in self.records:
            response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", "A", self.records[name]))
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
        self.transport.sendto(response.to_wire(), addr)


async def start_dns(records):
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _Dns(records), local_addr=("127.0.0.1", 0))
    return transport, transport.get_extra_info("sockname")[1]


__all__ = ["json", "start_http", "self_signed", "start_tls", "start_dns"]
