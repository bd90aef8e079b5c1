"""Versions of classwork: tokens that change whenever a class's or a student's work changes.

Readers that keep a summary of classwork (the family overview keeps one per child) store the
tokens they read before building it, and rebuild when a token differs. So every write that can
change what a student or a family sees of classwork calls one of these, **inside the same
transaction** as the write:

- ``classes_changed``: a class's assignments (posted, edited, published, removed), topics or
  grading categories; also bulk writes such as the roster's gradebook import;
- ``students_changed``: one student's hand-ins and the feedback on them (saved, returned,
  excused).

Readers must read the tokens before the rows they summarise. Under PostgreSQL's read-committed
isolation a summary may then hold rows newer than its tokens (it is rebuilt once more, harmless),
never rows older than them. Each call is one statement (an upsert) whatever the number of ids.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.utils import timezone

from village.classwork.models import ClassWorkVersion, StudentWorkVersion

#: A token for a class or student that has no version row yet (never changed).
UNCHANGED = 0


def _token() -> int:
    # 62 random bits: never 0 (UNCHANGED), and fits a signed 64-bit column
    return secrets.randbits(62) + 1


def classes_changed(class_ids: Iterable[int]) -> None:
    """Give each class in ``class_ids`` a new work version (one upsert)."""
    ids = sorted(set(class_ids))
    if not ids:
        return
    now = timezone.now()
    ClassWorkVersion.objects.bulk_create(
        [ClassWorkVersion(school_class_id=pk, token=_token(), changed_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["school_class"],
        update_fields=["token", "changed_at"],
        batch_size=1000,
    )


def students_changed(student_ids: Iterable[int]) -> None:
    """Give each student in ``student_ids`` a new work version (one upsert)."""
    ids = sorted(set(student_ids))
    if not ids:
        return
    now = timezone.now()
    StudentWorkVersion.objects.bulk_create(
        [StudentWorkVersion(student_id=pk, token=_token(), changed_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["student"],
        update_fields=["token", "changed_at"],
        batch_size=1000,
    )
