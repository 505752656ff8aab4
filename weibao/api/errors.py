"""API errors: JSON, one message list per field, in the caller's language, never a 500 for bad input."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from weibao.core.params import BadParameter


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Business rules raise Django's ValidationError; the API reports it as a 400.
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, BadParameter):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # A service's refusal says why (access.require's message); DRF's default otherwise.
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response


def field_error(field: str, message) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def bad_request(message) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def not_member_response(errors) -> Response | None:
    """When the only problem is a contract the caller is not on, answer 404 (the
    contract looks non-existent) naming the field, as every create endpoint does."""
    contract_errors = errors.get("contract", []) if isinstance(errors, dict) else []
    if set(errors) == {"contract"} and any(
        getattr(error, "code", "") == "does_not_exist" for error in contract_errors
    ):
        body = {"detail": str(contract_errors[0]), "contract": contract_errors}
        return Response(body, status=status.HTTP_404_NOT_FOUND)
    return None
