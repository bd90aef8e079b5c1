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

The tokens are the families surface's versions of the area ``classwork``
(``village.families.versions``: one per student, and one per reader for what they have seen),
so a change elsewhere (goals, messages) leaves what classwork kept alone. Each call is one upsert
(and, for classes, one read of the rosters) whatever the number of ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from village.community.models import Enrollment, EnrollmentRole
from village.families import versions

#: The area classwork's versions are kept under (``village.families.versions``).
AREA = "classwork"
#: The token of a student or reader that has had no change (also: no row yet).
UNCHANGED = versions.UNCHANGED


def students_changed(student_ids: Iterable[int]) -> None:
    """Give each student in ``student_ids`` a new classwork version (one upsert per 1,000)."""
    versions.students_changed(AREA, student_ids)


def classes_changed(class_ids: Iterable[int]) -> None:
    """Give every current student of these classes a new classwork version.

    A student who joins one of the classes later has a different set of classes then, which
    summaries notice by themselves.
    """
    ids = sorted(set(class_ids))
    if not ids:
        return
    students: set[int] = set()
    for start in range(0, len(ids), versions.BATCH):
        students.update(
            Enrollment.objects.current(timezone.localdate())
            .filter(
                school_class_id__in=ids[start : start + versions.BATCH], role=EnrollmentRole.STUDENT
            )
            .values_list("user_id", flat=True)
            .distinct()
        )
    students_changed(students)


def feedback_seen_changed(user_id: int) -> None:
    """Give ``user_id`` a new feedback-seen version: a reader's version of classwork (one
    upsert)."""
    versions.readers_changed(AREA, [user_id])
