"""What the goal pages share: the signed-in user, the methods a form page answers, the audit of
students shown, and whether a request is htmx's swap."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.safestring import SafeString

from village.accounts.models import User
from village.goals.audit import students_shown
from village.goals.pictures import state_icon
from village.goals.progress import GoalState

GET_POST = ["GET", "POST"]

__all__ = ["GET_POST", "given_id", "htmx", "state_key", "students_shown", "viewer"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every goal page requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def given_id(value: str | None) -> int | None:
    """An id typed into a query string or a form: ASCII digits, at most twelve (``None`` for
    anything else, such as "²", which ``str.isdigit`` accepts and ``int`` refuses)."""
    if value and len(value) <= 12 and value.isascii() and value.isdigit():
        return int(value)
    return None


def htmx(request: HttpRequest) -> bool:
    """Does htmx ask for a part of the page (not a history restore, which wants the page)?"""
    found = getattr(request, "htmx", None)
    return found is not None and bool(found) and not found.history_restore_request


def state_key(*, chosen_only: bool = False) -> list[tuple[GoalState, SafeString, str]]:
    """Each state (met first) with its mark and its name: the pictures' key."""
    return [
        (state, state_icon(state), str(state.label))
        for state in reversed(GoalState)
        if not (chosen_only and state == GoalState.NOT_CHOSEN)
    ]
