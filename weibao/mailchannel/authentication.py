"""Whether a message's From address can be believed.

Anybody can write a team member's address into From:. A reply is filed under that
member's name (a public answer that stops the response clock) only when the receiving
mail server vouches for the sender: its Authentication-Results header (RFC 8601), under
the authserv-id named in WEIBAO_MAIL_AUTHSERV_ID, reports ``dmarc=pass``, or
``dkim=pass`` for the From domain. Without that setting no sender is vouched for.
"""

from __future__ import annotations

import re

from django.conf import settings

_RESULT = re.compile(r"\b(dmarc|dkim)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_DKIM_DOMAIN = re.compile(r"header\.(?:d|i)\s*=\s*@?([\w.-]+)", re.IGNORECASE)


def sender_verified(headers: dict[str, str], from_address: str) -> bool:
    authserv_id = (getattr(settings, "WEIBAO_MAIL_AUTHSERV_ID", "") or "").strip().lower()
    results = headers.get("authentication-results", "")
    if not authserv_id or not results or "@" not in from_address:
        return False
    # Only the topmost header is kept by the parser, which is the receiving server's own;
    # it must carry our server's id, or it was written by the sender.
    if results.split(";", 1)[0].strip().split()[0].lower() != authserv_id:
        return False
    from_domain = from_address.rsplit("@", 1)[1].lower()
    for method, verdict, detail in _RESULT.findall(results):
        if verdict.lower() != "pass":
            continue
        if method.lower() == "dmarc":
            return True
        signed = _DKIM_DOMAIN.search(detail)
        if signed and signed.group(1).lower() == from_domain:
            return True
    return False
