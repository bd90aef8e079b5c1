"""A password change, wherever it happens, revokes the user's API tokens.

Django tells every entry of ``AUTH_PASSWORD_VALIDATORS`` that a password changed
(``password_changed``) when a user is saved after ``set_password()``: the password-change and
reset pages, the admin, ``village changepassword``, accepting an invitation, and any service
written later. Revoking there, and only there, means no caller can forget it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from village.accounts import tokens
from village.accounts.models import User


class RevokeTokensOnPasswordChange:
    """Accepts every password; revokes the user's API tokens once a new one is saved."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if isinstance(user, User) and user.pk is not None:
            tokens.tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("When your password changes, your API tokens stop working.")
