"""Selectors build whole page sections in a constant number of queries, from the access policy."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.community import selectors, services
from village.community.models import (
    EnrollmentRole,
    Organisation,
    Relationship,
    Role,
    RosterVisibility,
    SchoolClass,
)
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

_numbers = count(1)


def fresh(user: User) -> User:
    """The same person as a new object: no roles cached from earlier calls."""
    return User.objects.get(pk=user.pk)


def queries_of(build: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        build()
    return len(captured.captured_queries)


TEST_PASSWORD = "pw-123456789"


def new_person(school: Organisation, role: Role, *, password: str | None = TEST_PASSWORD) -> User:
    n = next(_numbers)
    return services.person_create(
        username=f"extra{n}",
        first_name=f"Extra{n}",
        last_name="Person",
        role=role,
        organisation=school,
        email=f"extra{n}@example.test",
        password=password,
    )


def new_class(p: Personas, teacher: User) -> SchoolClass:
    n = next(_numbers)
    course = services.course_create(organisation=p.school, title=f"Elective {n}")
    school_class = services.class_create(
        course=course, school=p.school, title=f"Elective {n}", terms=[p.term]
    )
    services.enrollment_add(user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER)
    return school_class


def enrol(student: User, *classes: SchoolClass) -> None:
    for school_class in classes:
        services.enrollment_add(
            user=student, school_class=school_class, role=EnrollmentRole.STUDENT
        )


def grow_school(p: Personas) -> None:
    """More classes, teachers, students and guardians everywhere a page looks."""
    extra_teacher = new_person(p.school, Role.TEACHER)
    classes = [new_class(p, extra_teacher), new_class(p, p.rivera), new_class(p, p.chen)]
    services.enrollment_add(user=p.chen, school_class=classes[1], role=EnrollmentRole.TEACHER)
    for _ in range(3):
        student = new_person(p.school, Role.STUDENT)
        enrol(student, *classes, p.homeroom5, p.science8)
        services.guardian_link(guardian=p.sam, student=student)
        services.guardian_link(guardian=new_person(p.school, Role.GUARDIAN), student=student)
    enrol(p.ada, *classes)


def assert_constant(p: Personas, build: Callable[[], Any], django_assert_num_queries: Any) -> None:
    baseline = queries_of(build)
    grow_school(p)
    with django_assert_num_queries(baseline):
        build()


class TestQueryCounts:
    def test_guardian_children_do_not_grow_with_children_or_classes(
        self, personas, django_assert_num_queries
    ):
        build = lambda: selectors.guardian_children(fresh(personas.sam))  # noqa: E731
        assert_constant(personas, build, django_assert_num_queries)
        assert len(selectors.guardian_children(fresh(personas.sam))) == 5

    def test_student_classes_do_not_grow_with_classes_or_classmates(
        self, personas, django_assert_num_queries
    ):
        build = lambda: selectors.student_classes(fresh(personas.ada))  # noqa: E731
        assert_constant(personas, build, django_assert_num_queries)
        assert len(selectors.student_classes(fresh(personas.ada))) == 4

    def test_teacher_classes_do_not_grow_with_students_or_guardians(
        self, personas, django_assert_num_queries
    ):
        build = lambda: selectors.teacher_classes(fresh(personas.rivera))  # noqa: E731
        assert_constant(personas, build, django_assert_num_queries)
        taught = selectors.teacher_classes(fresh(personas.rivera))
        homeroom = next(t for t in taught if t.school_class == personas.homeroom5)
        assert len(homeroom.roster) == 5

    def test_school_overview_does_not_grow_with_classes_or_people(
        self, personas, django_assert_num_queries
    ):
        build = lambda: selectors.school_overviews(fresh(personas.nguyen))  # noqa: E731
        assert_constant(personas, build, django_assert_num_queries)

    def test_district_overview_does_not_grow_with_schools_content(
        self, personas, django_assert_num_queries
    ):
        build = lambda: selectors.district_overviews(fresh(personas.priya))  # noqa: E731
        assert_constant(personas, build, django_assert_num_queries)

    def test_student_page_does_not_grow_with_classes_or_guardians(
        self, personas, django_assert_num_queries
    ):
        def build() -> None:
            selectors.student_page(fresh(personas.nguyen), personas.ada)

        assert_constant(personas, build, django_assert_num_queries)

    def test_class_page_does_not_grow_with_the_roster(self, personas, django_assert_num_queries):
        def build() -> None:
            selectors.class_page(fresh(personas.rivera), personas.homeroom5)

        assert_constant(personas, build, django_assert_num_queries)


class TestGuardianChildren:
    def test_each_child_comes_with_school_classes_and_teachers(self, personas):
        cards = {card.student.username: card for card in selectors.guardian_children(personas.sam)}
        assert set(cards) == {"ada", "leo"}
        assert cards["ada"].school == personas.school
        leo_classes = {s.school_class.title: s for s in cards["leo"].classes}
        assert set(leo_classes) == {"Grade 8 Science", "Grade 8 Math"}
        teachers = [e.user for e in leo_classes["Grade 8 Math"].staff]
        assert teachers == [personas.chen]

    def test_restricted_guardian_gets_only_leo_with_a_limited_link(self, personas):
        cards = selectors.guardian_children(personas.jordan)
        assert [card.student for card in cards] == [personas.leo]
        assert cards[0].link.is_limited

    def test_no_access_link_hides_the_child(self, personas):
        link = personas.jordan.children_links.get()
        services.guardian_link_set_access(link=link, scopes=[], no_access=True)
        assert selectors.guardian_children(fresh(personas.jordan)) == []

    def test_ended_class_is_not_listed(self, personas):
        enrollment = personas.leo.enrollments.get(school_class=personas.math8)
        enrollment.end_date = timezone.localdate().replace(year=2000)
        enrollment.save()
        cards = selectors.guardian_children(personas.sam)
        leo = next(card for card in cards if card.student == personas.leo)
        assert [s.school_class for s in leo.classes] == [personas.science8]


class TestStudentClasses:
    def test_classmates_show_first_name_and_initial_by_default(self, personas):
        (homeroom,) = selectors.student_classes(personas.ada)
        assert homeroom.classmates == ["Maya L."]

    def test_full_names_when_the_class_allows(self, personas):
        SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
            roster_visibility=RosterVisibility.FULL_NAMES
        )
        (homeroom,) = selectors.student_classes(personas.ada)
        assert homeroom.classmates == ["Maya Lopez"]

    def test_hidden_roster_gives_no_classmates(self, personas):
        SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
            roster_visibility=RosterVisibility.HIDDEN
        )
        (homeroom,) = selectors.student_classes(personas.ada)
        assert homeroom.classmates is None
        assert [e.user for e in homeroom.summary.staff] == [personas.rivera]


class TestTeacherClasses:
    def test_roster_carries_each_students_guardians(self, personas):
        science = next(
            taught
            for taught in selectors.teacher_classes(personas.rivera)
            if taught.school_class == personas.science8
        )
        (leo,) = science.roster
        assert leo.student == personas.leo
        assert {link.guardian.username for link in leo.guardian_links} == {"sam", "jordan"}

    def test_teacher_sees_no_access_links_but_not_ended_ones(self, personas):
        other = new_person(personas.school, Role.GUARDIAN)
        services.guardian_link(guardian=other, student=personas.maya, no_access=True)
        ended = new_person(personas.school, Role.GUARDIAN)
        link = services.guardian_link(guardian=ended, student=personas.maya)
        link.status = "ended"
        link.save()
        homeroom = selectors.teacher_classes(personas.rivera)[0]
        maya = next(entry for entry in homeroom.roster if entry.student == personas.maya)
        assert [(link.guardian, link.no_access) for link in maya.guardian_links] == [(other, True)]

    def test_teacher_of_another_school_sees_none_of_these_students(self, personas):
        (taught,) = selectors.teacher_classes(personas.stone)
        assert [entry.student for entry in taught.roster] == [personas.finn]


class TestGuardianCoverage:
    def uncovered(self, p: Personas) -> list[User]:
        (overview,) = selectors.school_overviews(fresh(p.nguyen))
        return overview.uncovered_students

    def test_student_without_any_guardian_is_uncovered(self, personas):
        assert self.uncovered(personas) == [personas.maya]

    def test_guardian_who_cannot_sign_in_does_not_cover(self, personas):
        guardian = new_person(personas.school, Role.GUARDIAN, password=None)
        services.guardian_link(guardian=guardian, student=personas.maya)
        assert self.uncovered(personas) == [personas.maya]

    def test_guardian_who_signed_in_before_covers(self, personas):
        guardian = new_person(personas.school, Role.GUARDIAN, password=None)
        services.guardian_link(guardian=guardian, student=personas.maya)
        User.objects.filter(pk=guardian.pk).update(last_login=timezone.now())
        assert self.uncovered(personas) == []

    def test_guardian_with_a_password_covers(self, personas):
        guardian = new_person(personas.school, Role.GUARDIAN, password=None)
        services.guardian_link(guardian=guardian, student=personas.maya)
        User.objects.filter(pk=guardian.pk).update(password=make_password("a-long-password"))
        assert self.uncovered(personas) == []

    def test_guardian_who_receives_no_communications_does_not_cover(self, personas):
        guardian = new_person(personas.school, Role.GUARDIAN, password="a-long-password")
        services.guardian_link(
            guardian=guardian, student=personas.maya, receives_communications=False
        )
        assert self.uncovered(personas) == [personas.maya]

    def test_no_access_or_inactive_guardian_does_not_cover(self, personas):
        blocked = new_person(personas.school, Role.GUARDIAN)
        services.guardian_link(guardian=blocked, student=personas.maya, no_access=True)
        gone = new_person(personas.school, Role.GUARDIAN)
        services.guardian_link(guardian=gone, student=personas.maya)
        User.objects.filter(pk=gone.pk).update(is_active=False)
        assert self.uncovered(personas) == [personas.maya]

    def test_district_overview_gives_coverage_percent_per_school(self, personas):
        (district,) = selectors.district_overviews(personas.priya)
        stats = {s.school.name: s for s in district.schools}
        riverside = stats["Riverside K-8 School"]
        assert (riverside.students, riverside.teachers, riverside.classes) == (3, 2, 3)
        assert riverside.coverage_percent == 67
        assert stats["Oak Hill Elementary"].coverage_percent == 100
        assert "Lakeside Academy" not in stats


class TestSchoolOverview:
    def test_classes_have_teachers_and_student_counts(self, personas):
        (overview,) = selectors.school_overviews(personas.nguyen)
        rows = {row.summary.school_class.title: row for row in overview.classes}
        assert rows["Grade 5 Homeroom"].student_count == 2
        assert [e.user for e in rows["Grade 8 Math"].summary.staff] == [personas.chen]

    def test_people_are_counted_by_role(self, personas):
        (overview,) = selectors.school_overviews(personas.nguyen)
        counts = dict(overview.role_counts)
        assert counts[Role.STUDENT] == 3
        assert counts[Role.TEACHER] == 2
        assert counts[Role.GUARDIAN] == 2
        assert counts[Role.SCHOOL_ADMIN] == 1

    def test_district_admin_has_no_school_overview(self, personas):
        assert selectors.school_overviews(personas.priya) == []


class TestPeopleOfSchools:
    def test_search_matches_names_across_words(self, personas):
        rows = selectors.people_of_schools(personas.nguyen, search="okoye")
        assert {row.user.username for row in rows} == {"ada", "leo", "sam"}
        rows = selectors.people_of_schools(personas.nguyen, search="leo oko")
        assert [row.user for row in rows] == [personas.leo]

    def test_only_people_of_administered_schools(self, personas):
        names = {row.user.username for row in selectors.people_of_schools(personas.nguyen)}
        assert "mina" not in names
        assert "eve" not in names
        assert {"rivera", "chen", "ada", "sam", "jordan"} <= names

    def test_filter_by_role_and_account_state(self, personas):
        invited = new_person(personas.school, Role.GUARDIAN, password=None)
        rows = selectors.people_of_schools(personas.nguyen, role=Role.GUARDIAN)
        state = {row.user.username: row.can_sign_in for row in rows}  # type: ignore[attr-defined]
        assert state == {"sam": True, "jordan": True, invited.username: False}


def test_guardian_links_are_not_multiplied_by_relationship(personas):
    services.guardian_link(
        guardian=new_person(personas.school, Role.GUARDIAN),
        student=personas.maya,
        relationship=Relationship.GRANDPARENT,
    )
    homeroom = selectors.teacher_classes(personas.rivera)[0]
    maya = next(entry for entry in homeroom.roster if entry.student == personas.maya)
    assert [link.get_relationship_display() for link in maya.guardian_links] == ["Grandparent"]
