"""Accommodations where teachers act on them: the assignment page, the gradebook (a mark in the
student's row that opens in place) and the grading page (the full list), for every current
teacher of the student (another class's teacher of Leo too) and the school's admins; only those
in force; nothing for anyone else; and the same number of queries however many students have
some."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import User
from village.classwork.student_notes import notes_for
from village.classwork.tests.factories import assignment
from village.classwork.tests.test_teacher_queries import add_students, add_work, new_class
from village.community.models import SchoolClass
from village.community.policies import today
from village.support.models import Category, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.tests.conftest import Support

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accommodate(
    support: Support,
    student: User,
    title: str,
    *,
    category: Category = Category.TIMING,
    since: int = 5,
    until: dt.date | None = None,
) -> None:
    accommodation_add(
        author=support.people.nguyen,
        student=student,
        fields=AccommodationFields(
            category=category,
            title=title,
            details=f"{title}: as agreed with the family.",
            starts_on=today() - dt.timedelta(days=since),
            ends_on=until,
            visibility=Visibility.STAFF,
        ),
    )


def leo_accommodated(support: Support) -> None:
    """Leo (science with Ms. Rivera, math with Mr. Chen): extended time and a read-aloud in
    force, a scribe that ended yesterday."""
    leo = support.people.leo
    accommodate(support, leo, "Extended time")
    accommodate(support, leo, "Read-aloud", category=Category.PRESENTATION)
    accommodate(support, leo, "Scribe", since=30, until=today() - dt.timedelta(days=1))


def pages(school_class: SchoolClass, student: User) -> dict[str, str]:
    work = assignment(school_class)
    return {
        "gradebook": reverse("classwork:gradebook", args=[school_class.pk]),
        "assignment": reverse("classwork:assignment_manage", args=[school_class.pk, work.pk]),
        "grading": reverse("classwork:grade", args=[work.pk, student.pk]),
    }


def test_every_current_teacher_and_admin_sees_them_on_each_page_and_only_those_in_force(
    support: Support,
) -> None:
    people = support.people
    leo_accommodated(support)
    for school_class, users in (
        (people.science8, [people.rivera, people.nguyen]),
        (people.math8, [people.chen]),
    ):
        for name, path in pages(school_class, people.leo).items():
            for user in users:
                html = client_for(user).get(path).content.decode()
                where = f"{user.username} on {name} of {school_class.title}"
                assert "Extended time" in html, where
                assert "Read-aloud" in html, where
                assert "Scribe" not in html, where
                if name == "grading":
                    assert "Extended time: as agreed with the family." in html, where
                    assert '<h2 id="notes-1-heading">Accommodations</h2>' in html, where
                else:
                    assert (
                        "<summary>Accommodations (2)"
                        '<span class="visually-hidden">: Leo Okoye</span></summary>'
                    ) in html, where


def test_the_mark_is_only_on_the_row_of_the_student_who_has_them(support: Support) -> None:
    people = support.people
    accommodate(support, people.ada, "Preferential seating", category=Category.SETTING)
    gradebook = pages(people.homeroom5, people.maya)["gradebook"]
    html = client_for(people.rivera).get(gradebook).content.decode()
    assert html.count('<details class="notes-mark">') == 1
    ada_row = html[html.index("Ada Okoye") :]
    assert ada_row.index("Preferential seating") < ada_row.index("</th>")
    grading = pages(people.homeroom5, people.maya)["grading"]
    assert "Accommodations" not in client_for(people.rivera).get(grading).content.decode()


def test_those_who_are_not_the_students_staff_get_nothing(support: Support) -> None:
    people = support.people
    leo_accommodated(support)
    ids = [people.leo.pk, people.ada.pk]
    for outsider in (support.vance, people.stone, people.park, people.sam, people.leo):
        assert notes_for(outsider, ids) == {}, outsider.username
    assert [g.heading for g in notes_for(people.chen, ids)[people.leo.pk]] == ["Accommodations"]
    assert people.ada.pk not in notes_for(people.chen, ids)
    # a former teacher no longer opens the class's pages at all
    gradebook = reverse("classwork:gradebook", args=[people.homeroom5.pk])
    assert client_for(support.vance).get(gradebook).status_code == 404


def queries(user: User, path: str) -> int:
    client = client_for(user)
    client.get(path)  # the session and the first-visit reads
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_cost_the_same_for_30_accommodated_students_as_for_2(
    support: Support,
) -> None:
    people = support.people
    counts = []
    for size in (2, 30):
        school_class = new_class(people)
        students = add_students(people, school_class, size)
        [work] = add_work(school_class, students, 1, people.rivera)
        for student in students:
            accommodate(support, student, "Extended time")
        paths = [
            reverse("classwork:gradebook", args=[school_class.pk]),
            reverse("classwork:assignment_manage", args=[school_class.pk, work.pk]),
            reverse("classwork:grade", args=[work.pk, students[1].pk]),
        ]
        counts.append([queries(people.rivera, path) for path in paths])
        html = client_for(people.rivera).get(paths[0]).content.decode()
        assert html.count('<details class="notes-mark">') == size
    assert counts[0] == counts[1]
