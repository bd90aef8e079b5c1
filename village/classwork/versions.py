"""Versions of classwork: tokens that change whenever a student's work, or what a reader has
seen of it, changes.

Readers that keep a summary of classwork (the family overview keeps one per child, and the
guardian's home page keeps the rendered overview) store the tokens they read before building it,
and rebuild when a token differs. So every write that can change what a student or a family sees
of classwork calls one of these, **inside the same transaction** as the write:

- ``students_changed``: one student's hand-ins and the feedback on them (saved, returned,
  excused);
- ``classes_changed``: a class's assignments (posted, edited, published, removed), topics,
  grading categories or events, and bulk writes such as the roster's gradebook import. It
  changes the version of every current student of those classes;
- ``feedback_seen_changed``: a user opened feedback they had not seen.

Readers must read the tokens before the rows they summarise. Under PostgreSQL's read-committed
isolation a summary may then hold rows newer than its tokens (it is rebuilt once more, harmless),
never rows older than them. Each call is one upsert (and, for classes, one read of the rosters)
whatever the number of ids.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.utils import timezone

from village.classwork.models import WorkVersion
from village.community.models import Enrollment, EnrollmentRole

#: The token of a student or reader that has had no change (also: no row yet).
UNCHANGED = 0
#: Rows per upsert statement.
BATCH = 1000


def _token() -> int:
    # 62 random bits: never UNCHANGED, and fits a signed 64-bit column
    return secrets.randbits(62) + 1


def students_changed(student_ids: Iterable[int]) -> None:
    """Give each student in ``student_ids`` a new work version (one upsert per 1,000)."""
    ids = sorted(set(student_ids))
    if not ids:
        return
    now = timezone.now()
    WorkVersion.objects.bulk_create(
        [WorkVersion(user_id=pk, work_token=_token(), changed_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["work_token", "changed_at"],
        batch_size=BATCH,
    )


def classes_changed(class_ids: Iterable[int]) -> None:
    """Give every current student of these classes a new work version.

    A student who joins one of the classes later has a different set of classes then, which
    summaries notice by themselves.
    """
    ids = sorted(set(class_ids))
    if not ids:
        return
    students: set[int] = set()
    for start in range(0, len(ids), BATCH):
        students.update(
            Enrollment.objects.current(timezone.localdate())
            .filter(school_class_id__in=ids[start : start + BATCH], role=EnrollmentRole.STUDENT)
            .values_list("user_id", flat=True)
            .distinct()
        )
    students_changed(students)


def feedback_seen_changed(user_id: int) -> None:
    """Give ``user_id`` a new feedback-seen version (one upsert)."""
    WorkVersion.objects.bulk_create(
        [WorkVersion(user_id=user_id, seen_token=_token(), changed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["seen_token", "changed_at"],
    )


def tokens(user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Each user's (work token, seen token); ``(UNCHANGED, UNCHANGED)`` for users without a
    row (one query)."""
    ids = list(user_ids)
    found = {
        user_id: (work, seen)
        for user_id, work, seen in WorkVersion.objects.filter(user_id__in=ids).values_list(
            "user_id", "work_token", "seen_token"
        )
    }
    return {user_id: found.get(user_id, (UNCHANGED, UNCHANGED)) for user_id in ids}
