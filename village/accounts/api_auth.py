"""How API callers prove who they are: a personal token (``Authorization: Bearer vlg_…``) or the
browser session (with its CSRF token for unsafe methods)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from village.accounts.tokens import token_authenticate


class PersonalTokenAuth(HttpBearer):
    openapi_description = "A personal token created on the account's API tokens page."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


#: Pass as ``auth=api_auth`` to routers: either method signs the caller in; ``request.auth`` is
#: the ``User``.
api_auth = [PersonalTokenAuth(), ActiveSessionAuth()]
