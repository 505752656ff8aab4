"""The IMAP poller verifies the server's certificate and host name: a man in the middle with a
self-signed certificate gets no password. An internal CA is trusted only when the project
manager gives its certificate; STARTTLS on 143 upgrades before LOGIN.

A small IMAP-speaking server runs on 127.0.0.1 in a thread, with a certificate made in the
test; it answers LOGIN with NO, so a poll that got as far as LOGIN reports a login failure
and one refused at the handshake reports the certificate."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from weibao.mailchannel.forms import MailboxForm
from weibao.mailchannel.models import Mailbox
from weibao.mailchannel.services import imap

LOGIN_FAILED = "IMAP 登录失败，请检查用户名和密码。"


def _certificate(tmp_path, names=("localhost",)):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Weibao test internal CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return pem.decode(), context


class TinyImapServer:
    """Greets, lists capabilities, upgrades on STARTTLS, refuses every LOGIN."""

    def __init__(self, context: ssl.SSLContext, *, implicit_tls: bool):
        self.context, self.implicit_tls = context, implicit_tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.logins: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        try:
            if self.implicit_tls:
                conn = self.context.wrap_socket(conn, server_side=True)
            tls = self.implicit_tls
            reader = conn.makefile("rb")
            conn.sendall(b"* OK IMAP4rev1 ready\r\n")
            while line := reader.readline():
                tag, command = line.split()[0], line.split()[1].upper()
                if command == b"CAPABILITY":
                    caps = b"IMAP4rev1" + (b"" if tls else b" STARTTLS")
                    conn.sendall(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
                elif command == b"STARTTLS":
                    conn.sendall(tag + b" OK begin TLS\r\n")
                    conn = self.context.wrap_socket(conn, server_side=True)
                    reader, tls = conn.makefile("rb"), True
                elif command == b"LOGIN":
                    self.logins.append("tls" if tls else "plain")
                    conn.sendall(tag + b" NO [AUTHENTICATIONFAILED] no\r\n")
                elif command == b"LOGOUT":
                    conn.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                    return
                else:
                    conn.sendall(tag + b" BAD unknown\r\n")
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def tls_peer(tmp_path, settings):
    pem, context = _certificate(tmp_path)
    servers = []

    def start(*, implicit_tls: bool):
        server = TinyImapServer(context, implicit_tls=implicit_tls)
        servers.append(server)
        settings.WEIBAO_IMAP_ALLOWED_PORTS = [server.port]
        return server

    yield pem, start
    for server in servers:
        server.close()


def _aim(mailbox, server, **fields) -> Mailbox:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="localhost", imap_port=server.port, imap_user="desk", imap_password="secret", **fields
    )
    mailbox.refresh_from_db()
    return mailbox


def test_a_self_signed_certificate_is_refused_and_no_password_is_sent(mailbox, tls_peer, clock):
    _, start = tls_peer
    server = start(implicit_tls=True)
    imap.poll(_aim(mailbox, server, imap_security="tls"))
    mailbox.refresh_from_db()
    assert server.logins == []
    assert "证书" in mailbox.last_poll_error


def test_the_internal_ca_given_on_the_mailbox_is_trusted(mailbox, tls_peer, clock):
    pem, start = tls_peer
    server = start(implicit_tls=True)
    imap.poll(_aim(mailbox, server, imap_security="tls", imap_ca_bundle=pem))
    mailbox.refresh_from_db()
    assert server.logins == ["tls"] and mailbox.last_poll_error == LOGIN_FAILED


def test_a_certificate_for_another_host_name_is_refused(mailbox, tls_peer, clock):
    pem, start = tls_peer
    server = start(implicit_tls=True)
    _aim(mailbox, server, imap_security="tls", imap_ca_bundle=pem)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="127.0.0.1")  # the cert names localhost only
    mailbox.refresh_from_db()
    imap.poll(mailbox)
    mailbox.refresh_from_db()
    assert server.logins == [] and "证书" in mailbox.last_poll_error


def test_starttls_upgrades_before_the_password_is_sent(mailbox, tls_peer, clock):
    pem, start = tls_peer
    server = start(implicit_tls=False)
    imap.poll(_aim(mailbox, server, imap_security="starttls", imap_ca_bundle=pem))
    mailbox.refresh_from_db()
    assert server.logins == ["tls"] and mailbox.last_poll_error == LOGIN_FAILED


def test_starttls_with_an_untrusted_certificate_sends_no_password(mailbox, tls_peer, clock):
    _, start = tls_peer
    server = start(implicit_tls=False)
    imap.poll(_aim(mailbox, server, imap_security="starttls"))
    mailbox.refresh_from_db()
    assert server.logins == [] and "证书" in mailbox.last_poll_error


def test_plaintext_is_refused_where_the_platform_does_not_allow_it(mailbox, tls_peer, settings, clock):
    _, start = tls_peer
    server = start(implicit_tls=False)
    settings.WEIBAO_IMAP_ALLOW_PLAINTEXT = False
    imap.poll(_aim(mailbox, server, imap_security="plain"))
    mailbox.refresh_from_db()
    assert server.logins == [] and "TLS" in mailbox.last_poll_error


def _form(mailbox, **fields):
    data = {
        "address": mailbox.address, "sender_name": "", "sender_address": "", "default_type": "consultation",
        "default_priority": "p3", "active": "on", "imap_host": "imap.shilong.test", "imap_port": "993",
        "imap_security": "tls", "imap_user": "desk", "imap_password": "", "imap_folder": "INBOX",
        "imap_ca_bundle": "",
    }
    data.update(fields)
    return MailboxForm(data, instance=mailbox)


def test_the_ca_bundle_must_be_pem_certificates(mailbox, tmp_path):
    pem, _ = _certificate(tmp_path)
    assert _form(mailbox, imap_ca_bundle=pem).is_valid()
    key = (tmp_path / "key.pem").read_text()
    for bad in ["not a certificate", key, pem + key, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]:
        form = _form(mailbox, imap_ca_bundle=bad)
        assert not form.is_valid() and "imap_ca_bundle" in form.errors


def test_the_mailbox_page_says_how_the_poller_connects(mailbox, pm, client_for, tmp_path):
    pem, _ = _certificate(tmp_path)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="imap.shilong.test", imap_user="desk", imap_security="starttls", imap_ca_bundle=pem
    )
    page = client_for(pm).get("/mail/mailboxes/").content.decode()
    assert "STARTTLS" in page and "内部 CA" in page
