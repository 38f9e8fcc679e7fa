"""DRF authentication by personal API token: `Authorization: Bearer <token>` (or `Token`).

Replaces HTTP Basic, which cost a password hash on every call and invited guessing. A read-only
token may only read; a token limited to some modules works only under their API prefixes.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken
from .tokens import api_token_denied, api_token_used, denied_reason, token_digest

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式有误:应为 “Bearer <令牌>”。")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌无效。") from None
        token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(raw)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        reason = denied_reason(token)
        if reason is not None:
            api_token_denied(token=token, reason=reason)
            raise exceptions.AuthenticationFailed(reason)
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("该令牌为只读,不能修改数据。")
        if token.modules and not any(
            request.path.startswith(f"/api/v1/{module}/") for module in token.modules
        ):
            raise exceptions.PermissionDenied("该令牌无权访问此模块。")
        api_token_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the API documentation describes the token header."""

    target_class = "zhengtong.accounts.api_auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "个人 API 令牌:请求头 “Authorization: Bearer <令牌>”。",
        }
