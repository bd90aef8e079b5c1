"""What the conferences' pages share: the signed-in user and the methods a form page answers."""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User

GET_POST = ["GET", "POST"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every page here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user
