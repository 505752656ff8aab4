"""Flash messages: a refused action told on the next page, one message per problem."""

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
