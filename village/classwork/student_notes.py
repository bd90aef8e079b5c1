"""What a teacher keeps in mind about a student where they act on the student's work: the
assignment page, the gradebook and the grading page show each student's notes from the apps
above classwork (support's accommodations), without classwork importing them.

An app registers a provider in its ``AppConfig.ready()``::

    student_notes.register("support.accommodations", provider, heading=_("Accommodations"))

A provider is a function of the viewer, the ids of the students a page shows and the day,
returning each student's notes (students with none left out). What a provider promises:

- it returns only what the viewer may read about those students today, and nothing for a
  student the viewer is not staff of;
- it runs one query (two at most), however many students there are: a page calls each
  provider once for all its students, never once per student.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise

from village.accounts.models import User
from village.community.policies import today


@dataclass(frozen=True, slots=True)
class StudentNote:
    """One thing to keep in mind: a short title ("Extended time"), its kind ("Timing and
    scheduling") and details, each as written; only the title is required."""

    title: str
    kind: str = ""
    details: str = ""


@dataclass(frozen=True, slots=True)
class NoteGroup:
    """One provider's notes on one student, under the provider's heading ("Accommodations")."""

    heading: str
    notes: tuple[StudentNote, ...]


#: The viewer, the students' ids and the day → each student's notes (called positionally).
NotesProvider = Callable[[User, Collection[int], dt.date], Mapping[int, Sequence[StudentNote]]]


@dataclass(frozen=True, slots=True)
class _Source:
    order: int
    name: str
    heading: str | Promise
    provider: NotesProvider


_sources: dict[str, _Source] = {}


def register(
    name: str, provider: NotesProvider, *, heading: str | Promise, order: int = 100
) -> None:
    """Show ``provider``'s notes under ``heading`` (registering a name again replaces it)."""
    _sources[name] = _Source(order, name, heading, provider)


def notes_for(
    viewer: User, student_ids: Collection[int], *, day: dt.date | None = None
) -> dict[int, list[NoteGroup]]:
    """Each student's notes that ``viewer`` may read on ``day`` (today), by student id, one
    group per provider in order; students without any are left out. One call of each provider
    (none when there are no students)."""
    if not student_ids:
        return {}
    day = day or today()
    found: dict[int, list[NoteGroup]] = {}
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.name)):
        for student_id, notes in source.provider(viewer, student_ids, day).items():
            if notes:
                group = NoteGroup(str(source.heading), tuple(notes))
                found.setdefault(student_id, []).append(group)
    return found
