"""A student's profile as one viewer may see it; every view is audited, each restricted entry
shown with its own audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpRequest

from village.accounts.models import User
from village.community.policies import AnyUser, student_schools, today
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.support import policies
from village.support.models import Accommodation, Entry, Section, Visibility

#: What the audit log calls a view of the profile, and of one restricted entry in it.
PROFILE_OBJECT = "support_profile"
RESTRICTED_ENTRY_OBJECT = "support_entry"


@dataclass(frozen=True)
class StudentProfile:
    """What ``viewer`` may see of a student's profile: entries by section, in topic order, the
    accommodations not yet ended (or all of them, when asked), and the student's current
    school, where what is written about them is translated (``None`` without one)."""

    student: User
    entries: dict[Section, list[Entry]] = field(default_factory=dict)
    accommodations: Sequence[Accommodation] = ()
    school_id: int | None = None

    def section(self, section: Section) -> list[Entry]:
        return self.entries.get(section, [])

    def all_entries(self) -> list[Entry]:
        return [entry for entries in self.entries.values() for entry in entries]


def student_profile(
    viewer: AnyUser,
    student_id: int,
    *,
    request: HttpRequest | None = None,
    channel: str = "web",
    ended: bool = False,
) -> StudentProfile:
    """The student's profile as ``viewer`` may see it, or ``Http404``; the view is written to
    the audit log (one entry for the profile, one per restricted entry shown). ``ended``: the
    accommodations that have ended too. Six queries, however long the profile, with the
    viewer's roles read."""
    student = policies.profile_student_for_viewer(viewer, student_id)
    entries = _entries(viewer, student.pk)
    accommodations = policies.visible_accommodations(viewer).filter(student_id=student.pk)
    if not ended:
        accommodations = accommodations.exclude(ends_on__lt=today())
    school = student_schools([student.pk]).get(student.pk)
    school_id = school.pk if school is not None else None
    _audit(viewer, student.pk, school_id, entries, request=request, channel=channel)
    by_section: dict[Section, list[Entry]] = {}
    for entry in entries:
        by_section.setdefault(Section(entry.section), []).append(entry)
    return StudentProfile(
        student=student,
        entries=by_section,
        accommodations=list(accommodations.order_by("category", "starts_on", "pk")),
        school_id=school_id,
    )


def _entries(viewer: AnyUser, student_id: int) -> list[Entry]:
    readers = Prefetch("readers", queryset=User.objects.order_by("last_name", "first_name", "pk"))
    return list(
        policies.visible_entries(viewer)
        .filter(student_id=student_id)
        .select_related("author")
        .prefetch_related(readers)
        .order_by("section", "topic", "created_at", "pk")
    )


def _audit(
    viewer: AnyUser,
    student_id: int,
    school_id: int | None,
    entries: list[Entry],
    *,
    request: HttpRequest | None,
    channel: str,
) -> None:
    viewed = [Viewed(student_id, school_id, PROFILE_OBJECT, str(student_id))]
    viewed += [
        Viewed(student_id, school_id, RESTRICTED_ENTRY_OBJECT, str(entry.pk))
        for entry in entries
        if entry.visibility == Visibility.RESTRICTED
    ]
    audit_views(
        actor_id=viewer.pk,  # type: ignore[arg-type]
        action=AuditAction.VIEW_STUDENT,
        viewed=viewed,
        request=request,
        channel=channel,
    )
