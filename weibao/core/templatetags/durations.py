"""Template words for durations: ``{{ seconds|duration }}``, ``{{ seconds|countdown }}``, and
``{% duration_patterns %}`` for scripts that keep a timer ticking in the same words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from weibao.core import durations

register = template.Library()


@register.filter(name="duration")
def duration_filter(seconds) -> str:
    if seconds is None or seconds == "":
        return "—"
    return durations.duration(float(seconds), gettext)


@register.filter(name="countdown")
def countdown_filter(seconds) -> str:
    if seconds is None or seconds == "":
        return "—"
    return durations.countdown(float(seconds), gettext)


@register.simple_tag
def duration_patterns() -> dict[str, str]:
    """The patterns in the reader's language, for ``json_script``."""
    return {key: gettext(pattern) for key, pattern in durations.PATTERNS.items()}
