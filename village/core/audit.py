"""Writing the audit log: one INSERT per request, however many records it shows.

The log is written on every view of a student record, the home page included, so the rows go in
as one plain multi-row ``INSERT`` statement: a single round trip that commits on its own (or with
the request's transaction, if one is open), without building model instances or a transaction
around a statement that is atomic anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone

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
    path: str | None = None,
) -> int:
    """Record that ``actor_id`` viewed each item; a user's views of their own record are skipped.

    ``path`` (default: the request's) is what the entry says the item was seen through; pass one
    when the request's address is itself a secret, such as a calendar feed's.
    """
    if path is None:
        path = request.get_full_path() if request is not None else ""
    path = path[:512]
    connection = connections[router.db_for_write(AuditEvent)]
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            at,
            actor_id,
            str(action),
            item.student_id,
            item.object_type,
            item.object_id or (str(item.student_id) if item.student_id else ""),
            item.organisation_id,
            channel,
            path,
        )
        for item in viewed
        if item.student_id != actor_id or item.student_id is None
    ]
    if rows:
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
        values = ", ".join([f"({', '.join(['%s'] * len(_COLUMNS))})"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608 - names from _meta
                [value for row in rows for value in row],
            )
    return len(rows)


#: The columns ``audit_views`` writes, in the order of its values.
_COLUMNS = (
    "at",
    "actor_id",
    "action",
    "student_id",
    "object_type",
    "object_id",
    "organisation_id",
    "channel",
    "path",
)


def students_shown(
    request: HttpRequest,
    actor: AbstractBaseUser,
    shown: Iterable[tuple[int, int | None]],
    *,
    channel: str = "web",
) -> None:
    """A page or endpoint showed ``actor`` these students' records (``(student id, school
    id)``): one ``VIEW_STUDENT`` entry per student, each student once, in one INSERT; none when
    nobody was shown. A student's views of their own record are not kept."""
    viewed = {pk: Viewed(student_id=pk, organisation_id=school) for pk, school in shown}
    if viewed:
        audit_views(
            actor_id=actor.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=viewed.values(),
            request=request,
            channel=channel,
        )
