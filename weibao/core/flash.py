"""Flash messages: a refused action told on the next page, one message per problem."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError


def report_errors(request, error: ValidationError) -> None:
    """One error message per problem, whether the error is per field or not."""
    groups = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    for problems in groups:
        for problem in problems:
            messages.error(request, problem)
