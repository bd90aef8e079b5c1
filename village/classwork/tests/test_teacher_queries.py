"""The teacher's list pages run a constant number of queries as students, work and attempts grow:
the class stream, the gradebook (35 students by 40 assignments costs what 5 by 3 does), an
assignment's page, the grading page and the home panel."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import Assignment, Feedback, GradingCategory, Submission
from village.classwork.services.categories import category_create
from village.classwork.services.events import class_event_create
from village.classwork.services.materials import material_add
from village.classwork.services.topics import topic_create
from village.community import services as community
from village.community.models import EnrollmentRole, Role, SchoolClass
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def add_students(p: Personas, school_class: SchoolClass, count: int) -> list[User]:
    students = []
    for _ in range(count):
        n = next(_numbers)
        student = community.person_create(
            username=f"pupil{n}",
            first_name=f"Pupil{n}",
            last_name="Test",
            role=Role.STUDENT,
            organisation=p.school,
        )
        community.enrollment_add(
            user=student, school_class=school_class, role=EnrollmentRole.STUDENT
        )
        students.append(student)
    return students


def add_work(
    school_class: SchoolClass, students: list[User], count: int, teacher: User
) -> list[Assignment]:
    """``count`` assignments, half due already; most students hand in, some twice, and most
    handed-in work has returned feedback (a few drafts)."""
    now = timezone.now()
    categories = [
        category_create(school_class=school_class, name=f"Kind {next(_numbers)}", weight=w)
        for w in (Decimal(40), Decimal(60))
    ]
    works = Assignment.objects.bulk_create(
        Assignment(
            school_class=school_class,
            title=f"Work {i}",
            assign_at=now - dt.timedelta(days=count + 5),
            due_at=now + dt.timedelta(days=i - count // 2),
            points=Decimal(10),
            category=categories[i % 2],
        )
        for i in range(count)
    )
    submissions = []
    feedback = []
    for i, work in enumerate(works):
        for j, student in enumerate(students):
            if (i + j) % 5 == 0:
                continue  # missing, or not handed in yet
            at = now - dt.timedelta(days=count // 2 - i + 1)
            submissions.append(
                Submission(assignment=work, student=student, attempt=1, submitted_at=at)
            )
            if (i + j) % 7 == 0:
                submissions.append(
                    Submission(assignment=work, student=student, attempt=2, submitted_at=at)
                )
            feedback.append(
                Feedback(
                    assignment=work,
                    student=student,
                    score=Decimal((i + j) % 11),
                    comment="Keep going.",
                    returned_at=None if (i + j) % 6 == 0 else at + dt.timedelta(hours=2),
                    graded_by=teacher,
                )
            )
    Submission.objects.bulk_create(submissions)
    Feedback.objects.bulk_create(feedback)
    return works


def new_class(p: Personas) -> SchoolClass:
    n = next(_numbers)
    course = community.course_create(organisation=p.school, title=f"Elective {n}")
    school_class = community.class_create(
        course=course, school=p.school, title=f"Elective {n}", terms=[p.term]
    )
    community.enrollment_add(user=p.rivera, school_class=school_class, role=EnrollmentRole.TEACHER)
    return school_class


def queries_of(load: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        load()
    return len(captured.captured_queries)


def page(user: User, path: str) -> Callable[[], object]:
    client = Client()
    client.force_login(user)

    def load() -> object:
        response = client.get(path)
        assert response.status_code == 200, path
        return response

    return load


def test_the_gradebook_costs_the_same_for_35_by_40_as_for_5_by_3(personas: Personas) -> None:
    p = personas
    small, large = new_class(p), new_class(p)
    add_work(small, add_students(p, small, 5), 3, p.rivera)
    add_work(large, add_students(p, large, 35), 40, p.rivera)
    small_count = queries_of(page(p.rivera, f"/work/classes/{small.pk}/gradebook/"))
    load_large = page(p.rivera, f"/work/classes/{large.pk}/gradebook/")
    assert queries_of(load_large) == small_count
    html = load_large().content.decode()  # type: ignore[attr-defined]
    assert html.count('class="gb-cell"') == 35 * 40
    # With the unread count of the notification bell, the weekly notes column and the
    # students' notes from other apps (student_notes: support's accommodations, one query).
    assert small_count <= 14, small_count


def test_the_stream_does_not_grow_with_students_or_work(personas: Personas) -> None:
    p = personas
    small, large = new_class(p), new_class(p)
    add_work(small, add_students(p, small, 2), 2, p.rivera)
    add_work(large, add_students(p, large, 30), 30, p.rivera)
    today = timezone.localdate()
    for school_class in (small, large):
        topic_create(school_class=school_class, title="Now", starts_on=today, ends_on=today)
        class_event_create(
            school_class=school_class,
            title="Trip",
            starts_at=timezone.now() + dt.timedelta(days=1),
        )
    small_count = queries_of(page(p.rivera, f"/work/classes/{small.pk}/"))
    assert queries_of(page(p.rivera, f"/work/classes/{large.pk}/")) == small_count


def test_an_assignments_page_does_not_grow_with_students_or_attempts(
    personas: Personas,
) -> None:
    p = personas
    small, large = new_class(p), new_class(p)
    [small_work] = add_work(small, add_students(p, small, 2), 1, p.rivera)
    [large_work] = add_work(large, add_students(p, large, 30), 1, p.rivera)
    for work in (small_work, large_work):
        material_add(assignment=work, url="https://example.org/a")
    small_count = queries_of(
        page(p.rivera, f"/work/classes/{small.pk}/assignments/{small_work.pk}/")
    )
    large_count = queries_of(
        page(p.rivera, f"/work/classes/{large.pk}/assignments/{large_work.pk}/")
    )
    assert large_count == small_count


def test_the_grading_page_does_not_grow_with_classmates_or_attempts(personas: Personas) -> None:
    p = personas
    small, large = new_class(p), new_class(p)
    small_students = add_students(p, small, 2)
    large_students = add_students(p, large, 30)
    [small_work] = add_work(small, small_students, 1, p.rivera)
    [large_work] = add_work(large, large_students, 1, p.rivera)
    student = large_students[1]
    for attempt in range(3, 8):
        Submission.objects.create(
            assignment=large_work, student=student, attempt=attempt, submitted_at=timezone.now()
        )
    small_count = queries_of(
        page(p.rivera, f"/work/assignments/{small_work.pk}/grade/{small_students[1].pk}/")
    )
    large_count = queries_of(
        page(p.rivera, f"/work/assignments/{large_work.pk}/grade/{student.pk}/")
    )
    assert large_count == small_count


def test_the_teacher_home_panel_does_not_grow_with_classes_students_or_work(
    personas: Personas,
) -> None:
    p = personas
    first = new_class(p)
    add_work(first, add_students(p, first, 3), 2, p.rivera)
    load = page(p.rivera, "/")
    before = queries_of(load)
    for _ in range(3):
        school_class = new_class(p)
        add_work(school_class, add_students(p, school_class, 12), 8, p.rivera)
    # The home page's own roster section grows by nothing either: same count, more classes.
    assert queries_of(load) == before
    assert load().content.decode().count('class="glance-list"') == 6  # type: ignore[attr-defined]


def test_grading_categories_are_read_once_for_the_gradebook(personas: Personas) -> None:
    """The weights come from one query, however many categories the class has."""
    p = personas
    school_class = new_class(p)
    add_work(school_class, add_students(p, school_class, 3), 2, p.rivera)
    load = page(p.rivera, f"/work/classes/{school_class.pk}/gradebook/")
    before = queries_of(load)
    for n in range(5):
        GradingCategory.objects.create(school_class=school_class, name=f"Extra {n}")
    assert queries_of(load) == before
