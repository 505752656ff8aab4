"""Durations in words (已超时 16 天 16 小时, 3 秒), the same on every page and in the live timers.

Django-free: the caller passes its ``gettext``, so this module can be tested alone and the
words still come from the catalogue. The patterns are marked with ``gettext_noop`` below so
``makemessages`` finds them.
"""

from __future__ import annotations

from collections.abc import Callable


def gettext_noop(message: str) -> str:
    return message


DAYS_HOURS = gettext_noop("%(days)s 天 %(hours)s 小时")
DAYS = gettext_noop("%(days)s 天")
HOURS_MINUTES = gettext_noop("%(hours)s 小时 %(minutes)s 分钟")
HOURS = gettext_noop("%(hours)s 小时")
MINUTES = gettext_noop("%(minutes)s 分钟")
SECONDS = gettext_noop("%(seconds)s 秒")
OVERDUE = gettext_noop("已超时 %(duration)s")
REMAINING = gettext_noop("剩余 %(duration)s")

PATTERNS = {
    "days_hours": DAYS_HOURS, "days": DAYS, "hours_minutes": HOURS_MINUTES, "hours": HOURS,
    "minutes": MINUTES, "seconds": SECONDS, "overdue": OVERDUE, "remaining": REMAINING,
}

Translate = Callable[[str], str]


def _same(message: str) -> str:
    return message


def duration(seconds: float, gettext: Translate = _same) -> str:
    """A length of time in its two largest units (16 天 16 小时, 2 小时 5 分钟, 3 秒).

    The sign is dropped: say which way it runs with :func:`countdown`. Below a minute the
    seconds are shown; from a minute on, the smaller units are truncated, never rounded up.
    """
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        if hours:
            return gettext(DAYS_HOURS) % {"days": days, "hours": hours}
        return gettext(DAYS) % {"days": days}
    if hours:
        if minutes:
            return gettext(HOURS_MINUTES) % {"hours": hours, "minutes": minutes}
        return gettext(HOURS) % {"hours": hours}
    if minutes:
        return gettext(MINUTES) % {"minutes": minutes}
    return gettext(SECONDS) % {"seconds": secs}


def countdown(seconds: float, gettext: Translate = _same) -> str:
    """Time left on a clock (剩余 2 小时 5 分钟), or how far past it is (已超时 16 天 16 小时)."""
    pattern = OVERDUE if seconds < 0 else REMAINING
    return gettext(pattern) % {"duration": duration(seconds, gettext)}
