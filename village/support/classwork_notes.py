"""Support's parts of the class's teacher pages (``village.classwork``):

- each student's **accommodations in force** where teachers act on them, the assignment page,
  the gradebook and grading (``classwork.student_notes``): those the viewer may read
  (``policies.visible_accommodations``: all the student's current staff, nobody else on these
  pages), in one query however many students;
- **Know your students** in the class's navigation (``classwork.class_pages``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.classwork import class_pages, student_notes
from village.classwork.student_notes import StudentNote
from village.support.selectors.accommodations import accommodations_in_force


def accommodation_notes(
    viewer: User, student_ids: Collection[int], day: dt.date
) -> dict[int, list[StudentNote]]:
    """Each student's accommodations in force on ``day`` that ``viewer`` may read (one query)."""
    found = accommodations_in_force(viewer, student_ids, day=day)
    return {
        student_id: [
            StudentNote(
                title=accommodation.title,
                kind=accommodation.get_category_display(),
                details=accommodation.details,
            )
            for accommodation in accommodations
        ]
        for student_id, accommodations in found.items()
    }


def register() -> None:
    """Add the accommodations to the teacher's pages, and the class's "know your students"."""
    student_notes.register(
        "support.accommodations", accommodation_notes, heading=_("Accommodations"), order=10
    )
    class_pages.register("support:know", _("Know your students"), order=50)
