"""One-click acknowledgement links: a phone without a password acknowledges a page.

The token is 32 random bytes sent once; only its SHA-256 is stored. It is bound to one
person and one run, expires, and works once. Opening it shows a confirmation page and
only the button (a POST) acknowledges, because chat apps fetch links to preview them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.escalations.models import AckLink, Escalation

LIFETIME = timedelta(hours=getattr(settings, "WEIBAO_ACK_LINK_HOURS", 24))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(escalation: Escalation, user) -> str:
    """A new link for ``user`` to acknowledge ``escalation``: the absolute URL."""
    token = secrets.token_urlsafe(32)
    AckLink.objects.create(
        escalation=escalation, user=user, token_hash=_hash(token), expires_at=clock.now() + LIFETIME
    )
    path = reverse("escalations:ack_link", args=[token])
    return f"{settings.WEIBAO_BASE_URL.rstrip('/')}{path}"


class LinkRefused(Exception):
    """Why a link cannot be used (already used, expired, unknown), in words for the page."""


def find(token: str) -> AckLink:
    """The live link for ``token`` (LinkRefused if unknown, used or expired)."""
    if not token or len(token) > 100:
        raise LinkRefused(_("链接无效。"))
    link = AckLink.objects.select_related("escalation", "user").filter(token_hash=_hash(token)).first()
    if link is None:
        raise LinkRefused(_("链接无效。"))
    if link.used_at is not None:
        raise LinkRefused(_("此链接已使用过。"))
    if link.expires_at <= clock.now():
        raise LinkRefused(_("此链接已过期，请登录后确认。"))
    return link


def redeem(token: str) -> AckLink:
    """Mark the link used, once, even if two taps race (LinkRefused for the second)."""
    link = find(token)
    with transaction.atomic():
        used = AckLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=clock.now())
        if not used:
                    raise LinkRefused(_("此链接已使用过。"))
    link.used_at = clock.now()
    return link
