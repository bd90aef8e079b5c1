"""Who sees and changes which classwork (``village.classwork.policies``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from village.accounts.models import User
from village.classwork import policies
from village.classwork.models import Assignment
from village.classwork.tests.factories import assignment, hand_in
from village.community.models import GuardianLink, LinkStatus
from village.community.policies import forget_roles
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def titles(user: User) -> set[str]:
    return set(policies.visible_assignments(user).values_list("title", flat=True))


@pytest.fixture
def work(personas: Personas) -> dict[str, Assignment]:
    p = personas
    return {
        "fractions": assignment(p.homeroom5, "Fractions"),
        "class_only": assignment(p.homeroom5, "Class only", visible_to_families=False),
        "scheduled": assignment(p.homeroom5, "Scheduled", assigned_days_ago=-1),
        "lab": assignment(p.science8, "Lab report"),
        "equations": assignment(p.math8, "Equations"),
        "sister": assignment(p.sister_class, "Sister school work"),
        "other": assignment(p.other_class, "Other district work"),
    }


def test_each_persona_sees_exactly_the_work_they_should(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    p = personas
    homeroom = {"Fractions", "Class only", "Scheduled"}
    school = homeroom | {"Lab report", "Equations"}
    expected = {
        p.rivera: homeroom | {"Lab report"},
        p.chen: {"Equations"},
        p.nguyen: school,
        p.priya: school | {"Sister school work"},
        p.park: {"Sister school work"},
        p.stone: {"Other district work"},
        p.ada: {"Fractions", "Class only"},
        p.maya: {"Fractions", "Class only"},
        p.leo: {"Lab report", "Equations"},
        p.sam: {"Fractions", "Lab report", "Equations"},
        p.jordan: {"Lab report", "Equations"},
        p.olga: {"Sister school work"},
        p.eve: {"Other district work"},
        p.library: set(),
    }
    for user, visible in expected.items():
        assert titles(user) == visible, user.username


def test_a_guardian_without_the_classwork_scope_or_with_no_access_sees_nothing(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    p = personas
    link = GuardianLink.objects.get(guardian=p.jordan, student=p.leo)
    link.scope_classwork = False
    link.save()
    assert titles(p.jordan) == set()
    link.scope_classwork = True
    link.no_access = True
    link.save()
    assert titles(p.jordan) == set()
    link.no_access = False
    link.status = LinkStatus.PENDING
    link.save()
    assert titles(p.jordan) == set()


def test_class_for_staff_lets_teachers_manage_and_admins_only_look(personas: Personas) -> None:
    p = personas
    assert policies.class_for_staff(p.rivera, p.homeroom5.pk, manage=True) == p.homeroom5
    assert policies.class_for_staff(p.nguyen, p.homeroom5.pk) == p.homeroom5
    with pytest.raises(Http404):
        policies.class_for_staff(p.nguyen, p.homeroom5.pk, manage=True)
    for outsider in (p.chen, p.park, p.stone, p.ada, p.sam, p.eve, p.library):
        with pytest.raises(Http404):
            policies.class_for_staff(outsider, p.homeroom5.pk)
    assert policies.teaches_class(p.rivera, p.science8)
    assert not policies.teaches_class(p.chen, p.science8)


def test_assignment_for_editor_and_for_viewer(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    p = personas
    lab = work["lab"]
    assert policies.staff_assignment_for_editor(p.rivera, lab.pk, "") == lab
    for not_teaching in (p.chen, p.nguyen, p.leo, p.sam, p.stone):
        with pytest.raises((Http404, PermissionDenied)):
            policies.staff_assignment_for_editor(not_teaching, lab.pk, "")
    assert policies.assignment_for_viewer(p.jordan, lab.pk) == lab
    for outsider in (p.ada, p.maya, p.eve, p.olga, p.park, p.library):
        with pytest.raises(Http404):
            policies.assignment_for_viewer(outsider, lab.pk)


def test_only_enrolled_students_may_hand_in_published_active_work(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    p = personas
    fractions, scheduled = work["fractions"], work["scheduled"]
    assert policies.may_submit(p.ada, fractions)
    assert not policies.may_submit(p.ada, scheduled)
    for other in (p.leo, p.sam, p.rivera, p.finn):
        assert not policies.may_submit(other, fractions)
    fractions.status = "inactive"
    fractions.save()
    assert not policies.may_submit(p.ada, fractions)


def test_submissions_are_seen_by_their_student_the_class_staff_and_the_students_family(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    p = personas
    mine = hand_in(work["lab"], p.leo)

    def sees(user: User) -> bool:
        return policies.visible_submissions(user).filter(pk=mine.pk).exists()

    assert sees(p.leo)
    assert sees(p.rivera)
    assert sees(p.nguyen)
    assert sees(p.priya)
    assert sees(p.sam)
    assert sees(p.jordan)  # his link allows classwork
    for other in (p.ada, p.chen, p.stone, p.eve, p.olga):
        forget_roles(other)
        assert not sees(other), other.username


def test_grades_scope(personas: Personas) -> None:
    p = personas
    assert set(policies.grade_scope_student_ids(p.sam).values_list("pk", flat=True)) == {
        p.ada.pk,
        p.leo.pk,
    }
    assert not policies.grade_scope_student_ids(p.jordan).exists()
