"""What the conferences' pages share: the signed-in user, and the audit of the children shown."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from village.accounts.models import User
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

GET_POST = ["GET", "POST"]


def viewer(request: HttpRequest) -> User:
    """The signed-in user (every page here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def audit_children(
    request: HttpRequest, user: User, shown: Iterable[tuple[int, int | None]]
) -> None:
    """One audit entry per child shown (``(child id, school id)``), in one INSERT."""
    viewed = {
        child_id: Viewed(student_id=child_id, organisation_id=school_id)
        for child_id, school_id in shown
    }
    if viewed:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=viewed.values(),
            request=request,
        )
