"""A class's "know your students" as its staff see it: each current student's interests (in
their own words and from home), the languages spoken at home, their preferred language and the
accommodations in force. Only what all the student's current staff read: entries shared with
the family or the staff, never a restricted one, even for a viewer named on it (the page is
seen at a glance, often over a shoulder, and may be printed). Three queries, however many
students."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, SchoolClass
from village.community.policies import AnyUser, today
from village.support import policies
from village.support.models import Accommodation, Entry, Topic
from village.support.selectors.accommodations import accommodations_in_force

#: The topics the page shows, in its columns' order.
KNOW_TOPICS = (Topic.INTERESTS, Topic.HOME_INTERESTS, Topic.HOME_LANGUAGES)


@dataclass(frozen=True)
class KnownStudent:
    """One student's row: their entries on ``KNOW_TOPICS`` by topic, oldest first, and the
    accommodations in force by category."""

    student: User
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    accommodations: Sequence[Accommodation] = ()

    @property
    def interests(self) -> list[Entry]:
        return self.entries.get(Topic.INTERESTS, [])

    @property
    def home_interests(self) -> list[Entry]:
        return self.entries.get(Topic.HOME_INTERESTS, [])

    @property
    def home_languages(self) -> list[Entry]:
        return self.entries.get(Topic.HOME_LANGUAGES, [])


def class_students(school_class: SchoolClass) -> list[User]:
    """The class's current students with active accounts, by name (one query)."""
    enrolled = Enrollment.objects.current(today()).filter(
        school_class_id=school_class.pk, role=EnrollmentRole.STUDENT
    )
    return list(
        User.objects.filter(pk__in=enrolled.values("user_id"), is_active=True).order_by(
            "last_name", "first_name", "pk"
        )
    )


def know_your_students(viewer: AnyUser, school_class: SchoolClass) -> list[KnownStudent]:
    """Each current student of the class as ``viewer`` may know them (see the module). The
    caller has checked that ``viewer`` is staff of the class (three queries, the viewer's roles
    read)."""
    students = class_students(school_class)
    ids = [student.pk for student in students]
    entries: dict[int, dict[str, list[Entry]]] = {}
    for entry in _entries(viewer, ids):
        entries.setdefault(entry.student_id, {}).setdefault(entry.topic, []).append(entry)
    accommodations = accommodations_in_force(viewer, ids)
    return [
        KnownStudent(
            student=student,
            entries=entries.get(student.pk, {}),
            accommodations=accommodations.get(student.pk, []),
        )
        for student in students
    ]


def _entries(viewer: AnyUser, student_ids: list[int]) -> list[Entry]:
    """The students' entries on ``KNOW_TOPICS`` that ``viewer`` reads and every current staff
    member reads too: never a restricted one."""
    if not student_ids:
        return []
    return list(
        policies.visible_entries(viewer)
        .filter(
            student_id__in=student_ids,
            topic__in=KNOW_TOPICS,
            visibility__in=policies.STAFF_VISIBLE,
        )
        .order_by("student_id", "topic", "created_at", "pk")
    )
