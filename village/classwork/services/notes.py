"""The teacher's weekly note: one sentence per student, class and week on what to work on next,
written from the gradebook and read by the family in the weekly digest and on the child's page.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork import translations, versions
from village.classwork.models import WeeklyNote
from village.classwork.selectors.notes import note_week
from village.classwork.services.checks import require
from village.community.models import SchoolClass
from village.core.text import single_line

#: A note is one sentence: it fits a text message.
NOTE_LENGTH = 280


def _checked(text: str) -> str:
    text = text.strip()
    single_line(text, field="text")
    require(
        len(text) <= NOTE_LENGTH,
        "text",
        _("Keep the note to %(limit)d characters (it has %(count)d).")
        % {"limit": NOTE_LENGTH, "count": len(text)},
    )
    return text


@transaction.atomic
def weekly_note_save(
    *,
    school_class: SchoolClass,
    student: User,
    author: User,
    text: str,
    week_start: dt.date | None = None,
    now: dt.datetime | None = None,
) -> WeeklyNote | None:
    """Write the student's note for the class and week (this week by default); an empty text
    removes it (``None``). The caller checked that ``author`` teaches the class and ``student``
    is one of its students. ``ValidationError`` on ``text`` (a line break, too long) changes
    nothing."""
    now = now or timezone.now()
    week = week_start or note_week(now)
    text = _checked(text)
    versions.students_changed([student.pk])
    if not text:
        WeeklyNote.objects.filter(
            school_class=school_class, student=student, week_start=week
        ).delete()
        return None
    note, _created = WeeklyNote.objects.update_or_create(
        school_class=school_class,
        student=student,
        week_start=week,
        defaults={"text": text, "author": author, "updated_at": now},
    )
    translations.note_saved(school_class, student, text)
    return note
