"""Telling a refusal: flash messages for an action told on the next page, one message per
problem; field errors for a form shown again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from weibao.core.params import BadParameter


def report_errors(request, error: ValidationError) -> None:
    """One error message per problem, whether the error is per field or not."""
    groups = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    for problems in groups:
        for problem in problems:
            messages.error(request, problem)


def field_errors(error: ValidationError) -> dict[str, str]:
    """A refusal as ``{field: "problem problem"}`` for a form to show beside its fields
    (one not tied to a field under ``__all__``)."""
    if hasattr(error, "error_dict"):
        return {field: " ".join(problems) for field, problems in error.message_dict.items()}
    return {"__all__": " ".join(error.messages)}


def run_form(step) -> tuple[object | None, dict[str, str]]:
    """Run a form's save ``step()``: its result and no errors, or None and each refused
    value by field, for the page to show again with them (a 400)."""
    try:
        return step(), {}
    except BadParameter as error:
        return None, {error.field: error.message}
    except ValidationError as error:
        return None, field_errors(error)


def run_and_report(request, step, target, success: str | None = None):
    """Run a page's action ``step()`` and go back to ``target`` (``redirect`` arguments),
    telling the outcome there: ``success`` (else "saved"), or each refused value with its
    field."""
    try:
        step()
        messages.success(request, success or _("已保存。"))
    except BadParameter as error:
        messages.error(request, f"{error.field}: {error.message}")
    except ValidationError as error:
        report_errors(request, error)
    return redirect(*target)
