"""API tokens' lifecycle: issue, revoke one, revoke all of a user's when their
credentials stop being trusted (password changed, account deactivated)."""

from __future__ import annotations

from weibao import audit
from weibao.api.models import ApiToken
from weibao.core import clock


def issue(user, *, name: str = "") -> tuple[ApiToken, str]:
    token, raw = ApiToken.issue(user, name=name)
    audit.record(
        "api_token.created",
        actor=user,
        obj=token,
        detail={"prefix": token.key_prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


def revoke(token: ApiToken, *, by) -> bool:
    """Revoke one token; False when it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        audit.record("api_token.revoked", actor=by, obj=token)
    return bool(updated)


def revoke_all(user, *, reason: str, by=None) -> int:
    """Revoke every live token of ``user``; the number revoked (audited when any)."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    prefixes = list(live.values_list("key_prefix", flat=True))
    if not prefixes:
        return 0
    count = live.update(revoked_at=clock.now())
    audit.record(
        "api_token.revoked_all",
        actor=by,
        obj=user,
        detail={"reason": reason, "count": count, "prefixes": prefixes},
    )
    return count


def revoke_on_invalidated_credentials(sender, user, reason: str, by=None, **kwargs) -> None:
    revoke_all(user, reason=reason, by=by)
