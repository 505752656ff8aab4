"""The portal's rules: a simple challenge, rate limits, submitting, and following a
request with its number and the phone number given."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.core import ratelimit
from weibao.core.encrypted_fields import search_hashes
from weibao.servicedesk.models import Channel, Ticket, TicketType
from weibao.servicedesk.services import attachments, tickets

SUBMIT_LIMIT = (5, timedelta(hours=1))  # per IP address
TRACK_LIMIT = (20, timedelta(minutes=10))  # per IP address: no guessing numbers
# Per IP address, generous: a government office's staff share one public address.
VOTE_LIMIT = (200, timedelta(hours=1))
PORTAL_TYPES = (TicketType.CONSULTATION, TicketType.FAULT, TicketType.SERVICE_REQUEST)
CHALLENGE_KEY = "portal_challenge"
FOLLOWED_KEY = "portal_followed"


def new_challenge(session) -> str:
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    session[CHALLENGE_KEY] = first + second
    return f"{first} + {second} = ?"


def check_challenge(session, answer: str) -> bool:
    expected = session.pop(CHALLENGE_KEY, None)
    return expected is not None and answer.strip() == str(expected)


def allowed(request, action: str) -> bool:
    """Count one portal ``action`` ("submit", "track" or "vote") from the client's address;
    False once its limit for the window is used up."""
    limit, window = {"submit": SUBMIT_LIMIT, "track": TRACK_LIMIT, "vote": VOTE_LIMIT}[action]
    return ratelimit.hit(f"portal:{action}:{ratelimit.client_ip(request)}", limit=limit, window=window)


def digits(phone: str) -> str:
    """A typed phone as tickets store it (the same rule: digits, no +86)."""
    try:
        return tickets.normalise_phone(phone)
    except ValidationError:
        return ""


@transaction.atomic
def submit(site, *, data: dict, files) -> Ticket:
    errors = {}
    if data.get("type") not in PORTAL_TYPES:
        errors["type"] = _("请选择类型。")
    if not data.get("subject", "").strip():
        errors["subject"] = _("请填写标题。")
    if not data.get("name", "").strip():
        errors["name"] = _("请填写姓名。")
    phone = digits(data.get("phone", ""))
    if not 7 <= len(phone) <= 15:
        errors["phone"] = _("请填写有效的联系电话，查询进度时需要它。")
    if len(files) > 5:
        errors["files"] = _("最多上传 5 个附件。")
    if errors:
        raise ValidationError(errors)
    ticket = tickets.create_ticket(
        site.contract, by=None, type=data["type"], priority="p3", channel=Channel.PORTAL,
        subject=data["subject"].strip()[:200], description=data.get("description", "").strip()[:5000],
        requester_name=data["name"].strip()[:100], requester_organisation=data.get("organisation", "").strip()[:200],
        requester_phone=phone,
    )
    for upload in files:
        attachments.add_attachment(ticket, upload, by=None)
    return ticket


def find(site, number: str, phone: str) -> Ticket | None:
    number = number.strip().upper()
    phone = digits(phone)
    if not number or not phone:
        return None
    # The phone is encrypted at rest: matched through its keyed hash (decision 0026).
    return Ticket.objects.filter(
        contract=site.contract, number=number, requester_phone_hash__in=search_hashes("phone", phone)
    ).first()


def remember(session, ticket: Ticket) -> None:
    followed = set(session.get(FOLLOWED_KEY, []))
    followed.add(ticket.pk)
    session[FOLLOWED_KEY] = sorted(followed)[-20:]


def followed(session, site, number: str) -> Ticket | None:
    ids = session.get(FOLLOWED_KEY, [])
    return Ticket.objects.filter(contract=site.contract, number=number.upper(), pk__in=ids).first()
