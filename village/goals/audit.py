"""The audit of goal pages and endpoints: every student record shown is written to the audit
log, one entry per student, in one insert (``village.core.audit``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from village.accounts.models import User
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction


def students_shown(
    request: HttpRequest,
    user: User,
    shown: Iterable[tuple[int, int | None]],
    *,
    channel: str = "web",
) -> None:
    """One entry per student shown (``(student id, school id)``; each student once), in one
    INSERT; none when nobody was shown. A student's views of their own record are not kept."""
    viewed = {pk: Viewed(student_id=pk, organisation_id=school) for pk, school in shown}
    if viewed:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=viewed.values(),
            request=request,
            channel=channel,
        )
