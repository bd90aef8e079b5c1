"""What the profile's pages share: the signed-in user and the way back to the profile."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from village.accounts.models import User

GET_POST = ["GET", "POST"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every profile page requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def profile_url(student_id: int, anchor: str = "") -> str:
    url = reverse("support:profile", args=[student_id])
    return f"{url}#{anchor}" if anchor else url
