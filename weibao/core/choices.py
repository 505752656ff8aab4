"""Choice labels looked up in a dictionary built once per field.

Django's ``get_FOO_display()`` rebuilds a dictionary of the field's choices on every
call and hashes each label to do it, which turns every lazy label into a translation
lookup: a ticket list of 25 rows with four labelled columns spent more time there than
in its SQL. The labels stay lazy here, so each call still answers in the active language.
"""

from __future__ import annotations

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS_ATTRIBUTE = "_weibao_choice_labels"


def choice_labels(field: models.Field) -> dict:
    """``{value: label}`` of ``field``'s (flattened) choices, kept on the field."""
    labels = field.__dict__.get(_LABELS_ATTRIBUTE)
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field.__dict__[_LABELS_ATTRIBUTE] = labels
    return labels


class ChoiceLabelsModel(models.Model):
    """Base for models whose choice labels are shown in lists."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name, overridden
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)
