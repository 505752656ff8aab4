"""Signed checkpoints (anchors) of the chain head, kept outside the database (decision 0011).

An anchor says "the chain had N records and the N-th one's chain hash was H, sealed at T",
MACed with the audit key. Copies go to ``WEIBAO_AUDIT_ANCHOR_DIR`` (a file per anchor,
never rewritten; the web processes should not be able to write there), to the log
(journald/syslog), and to the auditor who downloads one. ``weibao audit_verify`` then
finds a cut tail (fewer records than an anchor saw) and a rewritten, re-chained past (the
head at an anchor's place differs), even by someone who holds the key but not the copies.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from weibao.audit import hashing, keys
from weibao.audit.models import AuditChainHead, AuditRecord
from weibao.audit.services import seal_pending
from weibao.core import clock

log = logging.getLogger("weibao.audit.anchor")

SIGNED_FIELDS = ("version", "seq", "head_hash", "sealed_at", "anchored_at", "algorithm", "key_id")


class BadAnchor(ValueError):
    """An anchor file that cannot be read or whose MAC is wrong."""


@dataclass(frozen=True)
class Anchor:
    version: int
    seq: int
    head_hash: str
    sealed_at: str
    anchored_at: str
    algorithm: str
    key_id: str
    mac: str = ""
    source: str = ""

    def as_json(self) -> str:
        data = {name: value for name, value in asdict(self).items() if name != "source"}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _signed_bytes(fields: dict) -> bytes:
    payload = {name: fields[name] for name in SIGNED_FIELDS}
    return b"anchor:" + json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def current() -> Anchor:
    """A signed checkpoint of the chain as it is now (pending records sealed first)."""
    seal_pending()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        newest = AuditRecord.objects.sealed().order_by("-seq").first()
        newest_seq = newest.seq if newest is not None else 0
        newest_hash = newest.chain_hash if newest is not None else hashing.GENESIS_HASH
        if (head.last_seq, head.last_hash) != (newest_seq, newest_hash):
            # Someone moved the head or the records under it: no checkpoint vouches for that.
            raise BadAnchor(f"chain head (#{head.last_seq}) does not match its newest record (#{newest_seq})")
    key_id, key = keys.current()
    fields = {
        "version": 1,
        "seq": newest_seq,
        "head_hash": newest_hash,
        "sealed_at": hashing.iso(newest.sealed_at) if newest is not None and newest.sealed_at else "",
        "anchored_at": hashing.iso(clock.now()),
        "algorithm": settings.WEIBAO_AUDIT_HASH,
        "key_id": key_id,
    }
    return Anchor(**fields, mac=hashing.mac(fields["algorithm"], key, _signed_bytes(fields)))


def write() -> tuple[Anchor, Path]:
    """Take a checkpoint, keep it as a new read-only file and in the log."""
    anchor = current()
    directory = Path(settings.WEIBAO_AUDIT_ANCHOR_DIR)
    directory.mkdir(mode=0o750, parents=True, exist_ok=True)
    stamp = anchor.anchored_at.replace("-", "").replace(":", "").split(".")[0]
    path = directory / f"anchor-{stamp}Z-{anchor.seq:012d}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(anchor.as_json())
    log.info("audit anchor %s", json.dumps({k: v for k, v in asdict(anchor).items() if k != "source"},
                                           sort_keys=True))
    return anchor, path


def parse(text: str, source: str = "") -> Anchor:
    """An anchor from its JSON, refused unless its MAC holds under a configured key."""
    try:
        data = json.loads(text)
        fields = {name: data[name] for name in SIGNED_FIELDS}
        given = str(data["mac"])
        if not isinstance(fields["seq"], int) or fields["seq"] < 0:
            raise ValueError("seq")
        key = keys.by_id(str(fields["key_id"]))
        expected = hashing.mac(str(fields["algorithm"]), key, _signed_bytes(fields))
    except keys.UnknownKey as exc:
        raise BadAnchor(f"{source}: signed with key {exc.args[0]}, which is not configured") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BadAnchor(f"{source}: not an audit anchor ({exc})") from exc
    if not hashing.same(expected, given):
        raise BadAnchor(f"{source}: its MAC does not match (not a genuine anchor)")
    return Anchor(**fields, mac=given, source=source)


def read_file(path: Path | str) -> Anchor:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadAnchor(f"{path}: cannot be read ({exc})") from exc
    return parse(text, str(path))


def kept() -> list[Anchor]:
    """Every anchor in the anchor directory, oldest first (none if there is no directory)."""
    directory = Path(settings.WEIBAO_AUDIT_ANCHOR_DIR)
    if not directory.is_dir():
        return []
    return sorted((read_file(path) for path in directory.glob("anchor-*.json")),
                  key=lambda anchor: (anchor.seq, anchor.anchored_at))
