"""The one exception handler of the API (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]).

An action's Django ValidationError becomes a 400 keyed by field (as the pages show it), a
Django PermissionDenied a 403 with its Chinese reason, anything DRF raises keeps DRF's status
with its Chinese message. API views call actions and let their errors rise: no view maps
them itself.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

# DRF speaks Chinese already (its zh-hans catalogue); a caller without credentials is also told
# what to send.
DETAIL_MESSAGES = {
    exceptions.NotAuthenticated: "请先登录,或在 Authorization 头中提供 API 令牌(Bearer)。",
}


def validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError as DRF's 400, keeping the field names."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied) and exc.args and str(exc.args[0]):
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    for kind, message in DETAIL_MESSAGES.items():
        if type(exc) is kind and str(exc.detail) == str(kind.default_detail):
            response.data = {"detail": message}
            break
    return response
