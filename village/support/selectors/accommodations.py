"""The accommodations in force for many students at once, for the pages that list students
(assignments, the gradebook): one query, however many students."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from village.community.policies import AnyUser, today
from village.support import policies
from village.support.models import Accommodation


def in_force_q(day: dt.date) -> Q:
    """Accommodations in force on ``day``: started, and not ended before it."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def accommodations_in_force(
    viewer: AnyUser, student_ids: Iterable[int], *, day: dt.date | None = None
) -> dict[int, list[Accommodation]]:
    """Each of ``student_ids``' accommodations in force on ``day`` (today) that ``viewer`` may
    see, by student, in category order; students with none are left out. One query (with the
    viewer's roles read)."""
    rows = (
        policies.visible_accommodations(viewer)
        .filter(in_force_q(day or today()), student_id__in=list(student_ids))
        .order_by("student_id", "category", "starts_on", "pk")
    )
    found: dict[int, list[Accommodation]] = {}
    for accommodation in rows:
        found.setdefault(accommodation.student_id, []).append(accommodation)
    return found
