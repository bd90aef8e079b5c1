"""What the profile's forms read: the writer's own entry on a topic, and the staff a restricted
entry may name."""

from __future__ import annotations

from django.db.models import QuerySet

from village.accounts.models import User
from village.support import policies
from village.support.models import Entry, Topic


def own_entry(author: User, student_id: int, topic: Topic) -> Entry | None:
    """``author``'s entry on ``topic`` of the student's profile, with its readers (two
    queries), or ``None`` when they have not written one."""
    return (
        policies.visible_entries(author)
        .filter(student_id=student_id, topic=topic, author_id=author.pk)
        .prefetch_related("readers")
        .first()
    )


def reader_candidates(student_id: int) -> QuerySet[User]:
    """The staff a restricted entry on the student may name: the student's current staff
    (``policies.student_staff_ids``), by name. The service checks each name again
    (``readers_not_staff``)."""
    return User.objects.filter(pk__in=policies.student_staff_ids(student_id)).order_by(
        "last_name", "first_name", "pk"
    )
