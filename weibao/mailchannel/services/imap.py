"""Polling a contract's IMAP mailbox.

New messages are found by UID (above the last one stored, per UIDVALIDITY) and fetched
with ``BODY.PEEK[]``, so the mailbox is untouched while the message is stored. Once it is
stored the mailbox's choice applies (``Mailbox.imap_after_store``): leave it as it is,
mark it seen, or move it to a processed folder. That action is recorded in the
transaction that stores the message (``ImapPendingAction``) and done after: a poller that
dies in between finishes it on the next poll, and never fetches the message again.
Errors are kept on the mailbox and shown to the project manager, never raised: in
words of our own, with the details in the server log only, so a poller aimed somewhere
tells its project manager no more than that it could not connect or log in.

Each write is a short transaction of its own, retried when SQLite says "database is
locked" (the worker processing mail writes at the same time).
"""

from __future__ import annotations

import base64
import imaplib
import logging
import re
import ssl
from contextlib import contextmanager
from datetime import date, timedelta

from cryptography import x509
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.core.db_retry import retry_when_locked
from weibao.core.stored_secrets import (
    UnreadableSecret,
    is_allowed_env_reference,
    is_env_reference,
    reveal,
)
from weibao.mailchannel.models import (
    AfterStore,
    ImapPendingAction,
    ImapSecurity,
    InboundMail,
    Mailbox,
)
from weibao.mailchannel.services.inbound import receive

log = logging.getLogger(__name__)

BATCH = 200
TIMEOUT = 30
#: How long a poll may hold its mailbox without renewing (it renews with every message).
LEASE = timedelta(minutes=5)


def password_of(mailbox: Mailbox) -> str:
    # "env:NAME" keeps the secret out of the database (recommended in production).
    return reveal(mailbox.imap_password)


def host_allowed(host: str) -> bool:
    """Whether WEIBAO_IMAP_HOSTS lets the poller connect to ``host``: a name listed, a
    subdomain of a ``*.domain`` entry, or anything under ``*`` (not in production)."""
    host = host.strip().lower().rstrip(".")
    for pattern in settings.WEIBAO_IMAP_HOSTS:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def connection_problems(*, host: str, port: int | None, security: str, password: str = "") -> dict[str, str]:
    """Why the poller must not log in this way, by form field (empty: it may).

    A project manager chooses where the poller connects and what password it sends, so
    neither may be turned against the platform: only allow-listed hosts, IMAP ports, TLS
    in production, and ``env:`` references only to WEIBAO_IMAP_PASSWORD_* variables."""
    problems = {}
    if not host_allowed(host):
        problems["imap_host"] = _("IMAP 服务器只能是平台允许的主机（由 WEIBAO_IMAP_HOSTS 配置）：%(hosts)s。") % {
            "hosts": ", ".join(settings.WEIBAO_IMAP_HOSTS) or "—"
        }
    allowed = settings.WEIBAO_IMAP_ALLOWED_PORTS
    if port is not None and port not in allowed:
        problems["imap_port"] = _("IMAP 端口只能是 %(ports)s（由 WEIBAO_IMAP_ALLOWED_PORTS 配置）。") % {
            "ports": ", ".join(str(p) for p in allowed)
        }
    if security == ImapSecurity.PLAIN and not settings.WEIBAO_IMAP_ALLOW_PLAINTEXT:
        problems["imap_security"] = _("生产环境中 IMAP 必须使用 SSL/TLS，密码不能明文传输。")
    if is_env_reference(password) and not is_allowed_env_reference(password):
        problems["imap_password"] = _("env: 只能引用以 WEIBAO_IMAP_PASSWORD_ 开头的环境变量，例如 env:WEIBAO_IMAP_PASSWORD_DESK。")
    return problems


class PollInProgress(Exception):
    """Another poll of this mailbox holds its lease; this one did nothing."""


@retry_when_locked
def _take_lease(mailbox: Mailbox) -> None:
    now = clock.now()
    taken = Mailbox.objects.filter(pk=mailbox.pk).filter(
        Q(imap_polling_until__isnull=True) | Q(imap_polling_until__lte=now)
    ).update(imap_polling_until=now + LEASE)
    if not taken:
        raise PollInProgress(mailbox.address)
    # Where the previous poll stopped, not what this (maybe long-loaded) copy remembers.
    mailbox.refresh_from_db(fields=[
        "imap_host", "imap_port", "imap_security", "imap_ca_bundle", "imap_user", "imap_password", "imap_folder",
        "imap_uidvalidity", "imap_last_uid", "imap_position_of", "imap_after_store", "imap_processed_folder",
    ])


@retry_when_locked
def _release_lease(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_polling_until=None)


@retry_when_locked
def _record(mailbox: Mailbox, **changes) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(**changes)


class PollRefused(Exception):
    """A reason of our own words, fit to show the project manager as it is."""


def _shown(exc: Exception) -> str:
    """What the project manager reads about a failed poll: never the far side's answer
    or the socket error (which would make the poller a probe of hosts and ports)."""
    if isinstance(exc, PollRefused | UnreadableSecret):
        return str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return str(_("IMAP 服务器的证书未通过验证（签发机构不受信任或与主机名不符），未发送密码。"
                     "服务器使用内部 CA 时，请在邮箱设置中填写该 CA 的证书。"))
    if isinstance(exc, OSError):
        return str(_("无法连接 IMAP 服务器，详情见服务器日志。"))
    if isinstance(exc, ImapAnswer):
        return _("IMAP 服务器的应答无法处理（%(step)s），详情见服务器日志。") % {"step": exc.step}
    if isinstance(exc, imaplib.IMAP4.error):
        return str(_("IMAP 服务器的应答无法处理，详情见服务器日志。"))
    return str(_("收信出错，详情见服务器日志。"))


_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


def ca_bundle_valid(bundle: str) -> bool:
    """Whether ``bundle`` is one or more PEM certificates and nothing else (no private key
    pasted by mistake) that OpenSSL accepts as trust anchors."""
    labels = _PEM_LABEL.findall(bundle)
    if not labels or any(label != "CERTIFICATE" for label in labels):
        return False
    try:
        x509.load_pem_x509_certificates(bundle.encode("ascii"))
        ssl.create_default_context(cadata=bundle)
    except (ValueError, UnicodeEncodeError, ssl.SSLError):
        return False
    return True


def tls_context(mailbox: Mailbox) -> ssl.SSLContext:
    """Certificates and host names verified; against the mailbox's own CA when it gives one
    (an internal CA then is the only one trusted), else the system's."""
    return ssl.create_default_context(cadata=mailbox.imap_ca_bundle or None)


def open_connection(mailbox: Mailbox):
    if mailbox.imap_security == ImapSecurity.TLS:
        return imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port, ssl_context=tls_context(mailbox),
                                 timeout=TIMEOUT)
    client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
    if mailbox.imap_security == ImapSecurity.STARTTLS:
        try:
            # imaplib refuses when the server does not offer STARTTLS: never fall back to plain.
            client.starttls(ssl_context=tls_context(mailbox))
        except BaseException:
            try:
                client.shutdown()
            except OSError:
                pass  # the failed handshake already closed it
            raise
    return client


class ImapAnswer(imaplib.IMAP4.error):
    """The server refused or answered oddly at ``step`` (our label, e.g. "FETCH 3")."""

    def __init__(self, step: str, detail: str):
        super().__init__(f"{step}: {detail}")
        self.step = step


def _ok(response, what: str):
    status, data = response
    if status != "OK":
        raise ImapAnswer(what, f"{status} {data!r}")
    return data


def poll(mailbox: Mailbox, *, connect=None) -> int:
    """Fetch and store the new messages of one mailbox; returns how many were stored.

    Raises ``PollInProgress`` (and touches nothing) while another poll of the mailbox runs,
    here or on another machine: two polls would store every message twice."""
    _take_lease(mailbox)
    try:
        return _poll(mailbox, connect=connect)
    finally:
        _release_lease(mailbox)


@contextmanager
def _selected(mailbox: Mailbox, connect=None):
    """A client logged in to the mailbox with its folder selected; logged out after."""
    problems = connection_problems(host=mailbox.imap_host, port=mailbox.imap_port, security=mailbox.imap_security,
                                   password=mailbox.imap_password)
    if problems:
        raise PollRefused(" ".join(problems.values()))
    password = password_of(mailbox)
    client = (connect or open_connection)(mailbox)
    try:
        try:
            _ok(client.login(mailbox.imap_user, password), "LOGIN")
        except imaplib.IMAP4.error as exc:
            raise PollRefused(_("IMAP 登录失败，请检查用户名和密码。")) from exc
        _ok(client.select(folder_name(mailbox.imap_folder or "INBOX")), "SELECT")
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the messages are stored; logout is a courtesy
            log.debug("IMAP logout from %s failed", mailbox.address, exc_info=True)


def _store(mailbox: Mailbox, client, uid: int, *, advance: bool) -> bool:
    """Fetch one message and keep it; ``advance`` moves the mailbox's position past it.
    Then mark or move it on the server as the mailbox says."""
    raw = _fetch(client, uid)
    if raw is None:
        return False
    _keep(mailbox, raw, uid, advance=advance)
    if mailbox.imap_after_store != AfterStore.LEAVE:
        try:
            _act(mailbox, client, ImapPendingAction.objects.filter(
                mailbox=mailbox, uid=uid, position=mailbox.imap_position, uidvalidity=mailbox.imap_uidvalidity,
            ))
        except ActionRefused:
            mailbox.imap_action_refused = True
    return True


@retry_when_locked
def _keep(mailbox: Mailbox, raw: bytes, uid: int, *, advance: bool) -> None:
    # One short transaction: on SQLite it holds the only write lock.
    with transaction.atomic():
        receive(mailbox, raw, source=InboundMail.Source.IMAP)
        changes = {"imap_polling_until": clock.now() + LEASE}
        if advance:
            changes.update(imap_last_uid=uid, imap_uidvalidity=mailbox.imap_uidvalidity)
        Mailbox.objects.filter(pk=mailbox.pk).update(**changes)
        if mailbox.imap_after_store != AfterStore.LEAVE:
            ImapPendingAction.objects.get_or_create(
                mailbox=mailbox, position=mailbox.imap_position, uidvalidity=mailbox.imap_uidvalidity, uid=uid,
                defaults={"action": mailbox.imap_after_store},
            )
    if advance:
        mailbox.imap_last_uid = uid


class ActionRefused(Exception):
    """The server refused to mark or move stored messages; they are tried again next poll."""


def _act(mailbox: Mailbox, client, pending) -> None:
    """Do the recorded after-store actions on the server, then forget them. Actions recorded
    for another folder or numbering are forgotten undone: their UIDs name other messages.

    A refusal (a folder that may not be created, a read-only mailbox) raises
    ``ActionRefused`` and keeps the actions for the next poll; the caller goes on storing
    new mail, which must not wait on housekeeping."""
    pending = list(pending[:BATCH * 5])
    stale = [p.pk for p in pending if (p.position, p.uidvalidity) != (mailbox.imap_position, mailbox.imap_uidvalidity)]
    if stale:
        log.info("IMAP %s: %d after-store action(s) for another folder dropped", mailbox.address, len(stale))
        retry_when_locked(_forget)(stale)
    for action in (AfterStore.SEEN, AfterStore.MOVE):
        uids = sorted(p.uid for p in pending if p.action == action and p.pk not in stale)
        if not uids:
            continue
        uid_set = ",".join(str(u) for u in uids)
        try:
            if action == AfterStore.SEEN:
                _ok(client.uid("STORE", uid_set, "+FLAGS", "(\\Seen)"), "STORE")
            else:
                _move(mailbox, client, uid_set)
        except imaplib.IMAP4.error as exc:
            if isinstance(exc, imaplib.IMAP4.abort):
                raise  # the connection is gone: the poll stops here
            log.warning("IMAP %s: %s of UIDs %s refused: %r", mailbox.address, action, uid_set, exc)
            raise ActionRefused(action) from exc
        retry_when_locked(_forget)([p.pk for p in pending if p.action == action and p.pk not in stale])


def _forget(pks: list[int]) -> None:
    ImapPendingAction.objects.filter(pk__in=pks).delete()


def _capabilities(client) -> set[str]:
    # Asked after LOGIN: servers announce MOVE and UIDPLUS to authenticated clients only.
    data = _ok(client.capability(), "CAPABILITY")
    return {word.upper() for item in data if item for word in str(item, "ascii", "replace").split()}


def _move(mailbox: Mailbox, client, uid_set: str) -> None:
    """RFC 6851 MOVE where the server has it, else COPY, flag \\Deleted and expunge them
    (by UID where the server can, so nobody else's deleted mail is expunged with them)."""
    folder = folder_name(mailbox.imap_processed_folder or "已处理")
    _, listed = client.list('""', folder)
    if not any(listed or []):
        _ok(client.create(folder), "CREATE")
        client.subscribe(folder)  # so mail clients show it; a courtesy
    capabilities = _capabilities(client)
    if "MOVE" in capabilities:
        _ok(client.uid("MOVE", uid_set, folder), "MOVE")
        return
    _ok(client.uid("COPY", uid_set, folder), "COPY")
    _ok(client.uid("STORE", uid_set, "+FLAGS", "(\\Deleted)"), "STORE")
    if "UIDPLUS" in capabilities:
        _ok(client.uid("EXPUNGE", uid_set), "EXPUNGE")
    else:
        _ok(client.expunge(), "EXPUNGE")


def folder_name(name: str) -> str:
    """A folder name as IMAP wants it on the wire: modified UTF-7 (RFC 3501 5.1.3), quoted.
    Chinese names (收件箱/已处理) are common on Chinese mail services."""
    encoded, run = [], []

    def flush():
        if run:
            data = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii")
            encoded.append("&" + data.rstrip("=").replace("/", ",") + "-")
            run.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    text = "".join(encoded)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _poll(mailbox: Mailbox, *, connect=None) -> int:
    stored = 0
    mailbox.imap_action_refused = False
    try:
        with _selected(mailbox, connect) as client:
            validity = _uidvalidity(client)
            if mailbox.imap_position_of != mailbox.imap_position:
                # A new mailbox, or another account or folder: what is already there was
                # somebody's mail before this desk read it (read, archived, years old). Start
                # from now; the project manager may import it on purpose (import_existing).
                mailbox.imap_uidvalidity = validity
                mailbox.imap_last_uid = _uidnext(client) - 1
                mailbox.imap_position_of = mailbox.imap_position
            elif validity is not None and validity != mailbox.imap_uidvalidity:
                # The server renumbered the folder: start over (duplicates are recognised).
                mailbox.imap_uidvalidity = validity
                mailbox.imap_last_uid = 0
            # What an earlier poll stored but could not mark or move (it died, or the server
            # refused): finished now, before anything new.
            pending = ImapPendingAction.objects.filter(mailbox=mailbox).order_by("pk")
            if pending.exists():
                try:
                    _act(mailbox, client, pending)
                except ActionRefused:
                    mailbox.imap_action_refused = True
            data = _ok(client.uid("SEARCH", None, f"UID {mailbox.imap_last_uid + 1}:*"), "SEARCH")
            for uid in [u for u in _uids(data) if u > mailbox.imap_last_uid][:BATCH]:
                stored += _store(mailbox, client, uid, advance=True)
                mailbox.imap_last_uid = uid
    except Exception as exc:  # noqa: BLE001 - shown on the mailbox page, tried again next minute
        log.warning("IMAP poll of %s (%s:%s) failed: %r (cause: %r)", mailbox.address, mailbox.imap_host,
                    mailbox.imap_port, exc, exc.__cause__)
        _record(mailbox, last_polled_at=clock.now(), last_poll_error=_shown(exc)[:2000])
        return stored
    refused = _("邮件已保存，但邮件服务器拒绝了标记已读或移动（详情见服务器日志），下次收信时重试。")
    _record(
        mailbox, last_polled_at=clock.now(), imap_uidvalidity=mailbox.imap_uidvalidity,
        last_poll_error=str(refused) if getattr(mailbox, "imap_action_refused", False) else "",
        imap_last_uid=mailbox.imap_last_uid, imap_position_of=mailbox.imap_position_of,
    )
    return stored


class ImportFailed(Exception):
    """Why existing mail could not be listed or imported, in words fit for the project manager."""


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _existing(mailbox: Mailbox, client, since: date) -> list[int]:
    # RFC 3501 date: English month names whatever the locale.
    criterion = f"SINCE {since.day:02d}-{_MONTHS[since.month - 1]}-{since.year}"
    data = _ok(client.uid("SEARCH", None, criterion), "SEARCH")
    # Only what the desk started after: newer mail is the poll's.
    return [u for u in _uids(data) if u <= mailbox.imap_last_uid]


def _with_lease(mailbox: Mailbox, work):
    _take_lease(mailbox)
    try:
        if mailbox.imap_position_of != mailbox.imap_position:
            raise ImportFailed(_("请先收一次信（立即收信），确定从何处开始后再导入已有邮件。"))
        with _selected(mailbox) as client:
            return work(client)
    except (ImportFailed, PollInProgress):
        raise
    except Exception as exc:
        log.warning("IMAP import for %s failed: %r (cause: %r)", mailbox.address, exc, exc.__cause__)
        raise ImportFailed(_shown(exc)) from exc
    finally:
        _release_lease(mailbox)


def count_existing(mailbox: Mailbox, since: date) -> int:
    """How many messages received since ``since`` were already in the folder when the desk
    started reading it (the preview of ``import_existing``)."""
    return _with_lease(mailbox, lambda client: len(_existing(mailbox, client, since)))


def import_existing(mailbox: Mailbox, since: date) -> int:
    """Store the messages ``count_existing`` counts, as if they had just arrived (they make
    tickets and notices). Copies already stored are recognised as duplicates."""
    def work(client):
        return sum(_store(mailbox, client, uid, advance=False) for uid in _existing(mailbox, client, since)[:BATCH * 5])
    return _with_lease(mailbox, work)


def _uids(data) -> list[int]:
    return sorted(int(u) for u in b" ".join(d for d in data if d).split() if u.isdigit())


def _uidnext(client) -> int:
    """The UID the next message will get (from SELECT), else one past the highest there."""
    _, data = client.response("UIDNEXT")
    for item in data or []:
        if item and str(item, "ascii", "replace").strip().isdigit():
            return int(item)
    return max(_uids(_ok(client.uid("SEARCH", None, "ALL"), "SEARCH")), default=0) + 1


def _uidvalidity(client) -> int | None:
    _, data = client.response("UIDVALIDITY")
    for item in data or []:
        if item and str(item, "ascii", "replace").strip().isdigit():
            return int(item)
    return None


def _fetch(client, uid: int) -> bytes | None:
    """The message's bytes; None only when the server has nothing under that UID (it was
    expunged after the SEARCH). Any other answer raises, so the poll stops before this
    UID and tries again next time instead of moving past a message it never stored."""
    data = _ok(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and re.search(rb"BODY\[\]", item[0]):
            return bytes(item[1])
    if not any(data):
        return None
    raise ImapAnswer(f"FETCH {uid}", f"no message body in {data!r:.200}")


def poll_all() -> int:
    stored = 0
    for mailbox in Mailbox.objects.all():
        if mailbox.polls_imap:
            try:
                stored += poll(mailbox)
            except PollInProgress:
                log.info("IMAP poll of %s skipped: another poll is running", mailbox.address)
    return stored
