"""The accommodations in force for a list of students at once: one query, however many."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.community import services as community
from village.community.models import EnrollmentRole, Role
from village.community.policies import roles_of, today
from village.support.models import Category, Visibility
from village.support.selectors.accommodations import accommodations_in_force
from village.support.services.accommodations import (
    AccommodationFields,
    accommodation_add,
    accommodation_end,
)
from village.support.tests.conftest import Support


def _students(support: Support, count: int, start: int) -> list[User]:
    people = support.people
    students = []
    for n in range(start, start + count):
        student = community.person_create(
            username=f"pupil{n}", first_name="Pupil", last_name=str(n), role=Role.STUDENT,
            organisation=people.school,
        )  # fmt: skip
        community.enrollment_add(
            user=student, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        for category, title in ((Category.TIMING, "Extended time"), (Category.SETTING, "Seat")):
            accommodation_add(
                author=support.ortiz,
                student=student,
                fields=AccommodationFields(
                    category=category,
                    title=title,
                    starts_on=today(),
                    visibility=Visibility.STAFF,
                ),
            )
        students.append(student)
    return students


def _queries(viewer: User, ids: list[int]) -> int:
    roles_of(viewer)
    with CaptureQueriesContext(connection) as queries:
        accommodations_in_force(viewer, ids)
    return len(queries)


def test_one_query_however_many_students(support: Support) -> None:
    rivera = support.people.rivera
    few = _students(support, 3, 0)
    assert _queries(rivera, [s.pk for s in few]) == 1
    many = few + _students(support, 25, 3)
    assert _queries(rivera, [s.pk for s in many]) == 1
    found = accommodations_in_force(rivera, [s.pk for s in many])
    assert len(found) == 28
    assert all(
        [a.category for a in rows] == [Category.SETTING, Category.TIMING] for rows in found.values()
    )


def test_only_those_in_force_and_only_for_the_students_staff(support: Support) -> None:
    people = support.people
    [pupil] = _students(support, 1, 100)
    ended = accommodation_add(
        author=people.nguyen,
        student=pupil,
        fields=AccommodationFields(
            category="response", title="Scribe", starts_on=today() - dt.timedelta(days=9)
        ),
    )
    accommodation_end(editor=people.nguyen, accommodation=ended, ends_on=today())
    accommodation_add(
        author=people.nguyen,
        student=pupil,
        fields=AccommodationFields(
            category="response", title="Later", starts_on=today() + dt.timedelta(days=1)
        ),
    )
    titles = [a.title for a in accommodations_in_force(people.rivera, [pupil.pk])[pupil.pk]]
    assert titles == ["Scribe", "Seat", "Extended time"]
    tomorrow = today() + dt.timedelta(days=1)
    later = accommodations_in_force(people.rivera, [pupil.pk], day=tomorrow)[pupil.pk]
    assert [a.title for a in later] == ["Later", "Seat", "Extended time"]
    for outsider in (people.chen, support.vance, people.stone, people.sam):
        assert accommodations_in_force(outsider, [pupil.pk]) == {}
