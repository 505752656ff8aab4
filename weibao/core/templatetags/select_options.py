"""``{% options choices selected %}``: a select's ``<option>`` elements in one call.

A ``{% for %}`` loop with an ``{% if %}`` per option is the costliest part of the busiest
pages (the ticket list renders nine selects, ~120 options, on every request); built here
they cost a tenth. ``choices`` are ``(value, label)`` pairs, objects with a ``pk`` (model
instances, ``servicedesk.queries.Choice``: value the ``pk``, label ``str()``) or plain values
(both); ``selected`` is one value or a collection of them, compared
as text, so ``3`` and ``"3"`` both select the option of ``3``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db.models import Model
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def options(choices: Iterable, selected=None) -> SafeString:
    chosen = _as_texts(selected)
    parts = []
    for choice in choices:
        if hasattr(choice, "pk"):  # a model row, or servicedesk.queries.Choice
            value, label = choice.pk, choice
        elif isinstance(choice, tuple | list):
            value, label = choice
        else:
            value = label = choice
        value = "" if value is None else str(value)
        mark = " selected" if value in chosen else ""
        parts.append(f'<option value="{conditional_escape(value)}"{mark}>{conditional_escape(label)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label escaped above


def _as_texts(selected) -> set[str]:
    if selected is None or selected == "":
        return set()
    if isinstance(selected, str | int) or not isinstance(selected, Iterable):
        return {_text(selected)}
    return {_text(value) for value in selected}


def _text(value) -> str:
    return str(value.pk if isinstance(value, Model) else value)
