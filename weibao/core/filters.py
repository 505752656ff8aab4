"""Form fields for declared list filters (django-filter ``FilterSet``s), each parsing its
value with ``core.params``: a bad value is an error on that field, which the page shows
beside it and the API answers with a 400 naming it.

A list parameter may be repeated (``status=new&status=assigned``) or comma-separated
(``status=new,assigned``); a single-valued one takes the first value given.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.core.params import BadParameter, parse_date, require_id


def _values(choices) -> list[str]:
    """The values of ``choices``, given as values or as (value, label) pairs."""
    return [str(choice[0] if isinstance(choice, (tuple, list)) else choice) for choice in choices]


class ValuesWidget(forms.Widget):
    """Every value of a parameter, repeated or comma-separated, stripped, empties dropped."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            raw = data.getlist(name)
        else:
            raw = data.get(name)
            raw = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class ValuesField(forms.Field):
    widget = ValuesWidget

    def to_python(self, value) -> list[str]:
        return list(value or [])


class ChoicesField(ValuesField):
    """Any number of ``choices``; the error names the values refused and those allowed."""

    def __init__(self, *, choices: Iterable[str] = (), **kwargs):
        self.allowed = _values(choices)
        super().__init__(**kwargs)

    def clean(self, value) -> list[str]:
        chosen = self.to_python(value)
        bad = [item for item in chosen if item not in self.allowed]
        if bad:
            raise forms.ValidationError(
                _("无效的取值：%(bad)s。可选：%(allowed)s")
                % {"bad": ", ".join(bad), "allowed": ", ".join(self.allowed)}
            )
        return chosen


class IdsField(ValuesField):
    """Any number of ids, or one of ``words`` (such as "me") alone."""

    def __init__(self, *, words: Iterable[str] = (), **kwargs):
        self.words = set(words)
        super().__init__(**kwargs)

    def clean(self, value) -> list:
        chosen = self.to_python(value)
        if len(chosen) == 1 and chosen[0] in self.words:
            return chosen
        try:
            return [require_id(item, "id") for item in chosen]
        except BadParameter:
            raise forms.ValidationError(_("应为整数编号。")) from None


class IdField(ValuesField):
    """One id (a list of several is refused)."""

    def __init__(self, *, message: str | None = None, **kwargs):
        self.message = message
        super().__init__(**kwargs)

    def clean(self, value) -> int | None:
        chosen = self.to_python(value)
        if not chosen:
            return None
        try:
            if len(chosen) > 1:
                raise BadParameter("id", "")
            return require_id(chosen[0], "id")
        except BadParameter as exc:
            raise forms.ValidationError(self.message or exc.message) from None


class DayField(ValuesField):
    """A ``YYYY-MM-DD`` date in the years core.params allows (the first value given)."""

    def clean(self, value):
        chosen = self.to_python(value)
        try:
            return parse_date(chosen[0] if chosen else None, "date")
        except BadParameter as exc:
            raise forms.ValidationError(exc.message) from None


class OneOfField(ValuesField):
    """One of ``choices`` (the first value given); the error lists them."""

    def __init__(self, *, choices: Iterable[str] = (), **kwargs):
        self.allowed = _values(choices)
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        chosen = self.to_python(value)
        if not chosen:
            return ""
        if chosen[0] not in self.allowed:
            raise forms.ValidationError(_("可选：%(allowed)s") % {"allowed": ", ".join(self.allowed)})
        return chosen[0]


class KeywordField(ValuesField):
    """Search words, at most ``max_chars`` of them (longer input is cut, not refused)."""

    def __init__(self, *, max_chars: int = 100, **kwargs):
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        return " ".join(self.to_python(value))[: self.max_chars]


class ParsedField(forms.Field):
    """One value (the last given, as ``QueryDict.get``) read by a ``core.params`` parser,
    e.g. ``ParsedField(lambda v: parse_date(v, "date"))``."""

    def __init__(self, parse, *, message: str | None = None, **kwargs):
        self.parse = parse
        self.message = message
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return self.parse(value)
        except BadParameter as exc:
            raise forms.ValidationError(self.message or exc.message) from None


class TextField(forms.CharField):
    """Free text (the last value given), stripped; longer input is cut, not refused."""

    def __init__(self, *, max_chars: int = 150, **kwargs):
        self.max_chars = max_chars
        kwargs["required"] = False
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        return super().clean(value)[: self.max_chars]


class UnknownParametersRefusedForm(forms.Form):
    """A filter form that also refuses parameters no filter declares (the API's lists),
    besides those of pagination and rendering."""

    NOT_FILTERS = frozenset({"page", "page_size", "format"})

    def clean(self):
        cleaned = super().clean()
        for name in self.data:
            if name not in self.fields and name not in self.NOT_FILTERS:
                self._errors[name] = self.error_class([_("未知参数。")])
        return cleaned


class DayFilter(django_filters.DateFilter):
    """A day, as the bound of a Beijing-time range: ``gte`` its start, ``lt`` the next day's
    start (so "created_to=2026-05-01" includes all of 1 May)."""

    field_class = DayField

    def filter(self, qs, value):
        if value is None:
            return qs
        day = value + dt.timedelta(days=1) if self.lookup_expr == "lt" else value
        bound = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": bound})


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without the work it repeats on every list request: it
    deep-copies every declared filter (12,000 Python calls for the ticket list's sixteen)
    and builds a form class, with a new field per filter, for each instance. Our filters
    hold no per-request state (no querysets; a filter's ``extra`` is read, never written),
    so each instance gets shallow copies bound to it (``method`` filters call it), and the
    form class is built once per class and language (field labels are read in the
    language of the request that builds them). The form itself, and its fields (Django
    copies them per form), stay per request."""

    _form_classes: dict[tuple[type, str | None], type] = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            filter_ = self.filters[name] = copy.copy(declared)
            filter_.model = queryset.model
            filter_.parent = self
            if declared.method is not None:
                filter_.method = declared.method  # its FilterMethod calls this copy's parent, not the class's

    def get_form_class(self):
        key = (type(self), get_language())
        form_class = FilterSet._form_classes.get(key)
        if form_class is None:
            form_class = FilterSet._form_classes[key] = super().get_form_class()
        return form_class
