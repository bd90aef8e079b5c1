"""Writing the audit log: one INSERT per request, however many records it shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from village.core.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Viewed:
    """One student record (or a roster) a user saw."""

    student_id: int | None
    organisation_id: int | None
    object_type: str = "student"
    object_id: str = ""


def audit_views(
    *,
    actor_id: int,
    action: AuditAction,
    viewed: Iterable[Viewed],
    request: HttpRequest | None = None,
    channel: str = "web",
) -> int:
    """Record that ``actor_id`` viewed each item; a user's views of their own record are skipped."""
    path = request.get_full_path()[:512] if request is not None else ""
    events = [
        AuditEvent(
            actor_id=actor_id,
            action=action,
            student_id=item.student_id,
            organisation_id=item.organisation_id,
            object_type=item.object_type,
            object_id=item.object_id or (str(item.student_id) if item.student_id else ""),
            channel=channel,
            path=path,
        )
        for item in viewed
        if item.student_id != actor_id or item.student_id is None
    ]
    if events:
        AuditEvent.objects.bulk_create(events)
    return len(events)
