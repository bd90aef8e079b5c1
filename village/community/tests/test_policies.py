from __future__ import annotations

import pytest
from django.http import Http404

from village.community import policies
from village.community.models import Scope
from village.core.models import AuditEvent


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.django_db
class TestVisibleStudents:
    def test_student_sees_only_themself(self, personas):
        assert ids(policies.visible_students(personas.ada)) == {personas.ada.pk}

    def test_guardian_sees_both_children(self, personas):
        assert ids(policies.visible_students(personas.sam)) == {personas.ada.pk, personas.leo.pk}

    def test_restricted_guardian_sees_leo_but_never_ada(self, personas):
        assert ids(policies.visible_students(personas.jordan)) == {personas.leo.pk}

    def test_restricted_guardian_scope_excludes_grades(self, personas):
        assert ids(policies.visible_students(personas.jordan, scope=Scope.GRADES)) == set()
        assert ids(policies.visible_students(personas.jordan, scope=Scope.CLASSWORK)) == {
            personas.leo.pk
        }

    def test_teacher_sees_students_of_current_classes(self, personas):
        expected = {personas.ada.pk, personas.maya.pk, personas.leo.pk}
        assert ids(policies.visible_students(personas.rivera)) == expected

    def test_school_admin_sees_their_school_only(self, personas):
        expected = {personas.ada.pk, personas.maya.pk, personas.leo.pk}
        assert ids(policies.visible_students(personas.nguyen)) == expected

    def test_district_admin_sees_every_school_of_the_district(self, personas):
        expected = {personas.ada.pk, personas.maya.pk, personas.leo.pk, personas.mina.pk}
        assert ids(policies.visible_students(personas.priya)) == expected

    def test_partner_and_outsider_see_nothing_here(self, personas):
        assert ids(policies.visible_students(personas.library)) == set()
        assert ids(policies.visible_students(personas.eve)) == {personas.finn.pk} - {
            personas.ada.pk
        }


@pytest.mark.django_db
def test_student_for_viewer_audits_allowed_views_only(personas):
    with pytest.raises(Http404):
        policies.student_for_viewer(personas.eve, personas.ada.pk)
    assert AuditEvent.objects.count() == 0
    policies.student_for_viewer(personas.sam, personas.ada.pk)
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.student_id, event.organisation_id) == (
        personas.sam.pk,
        personas.ada.pk,
        personas.school.pk,
    )


@pytest.mark.django_db
class TestTeaches:
    def test_a_teacher_teaches_their_class_and_its_students(self, personas):
        assert policies.teaches_class(personas.rivera, personas.science8)
        assert policies.teaches_class(personas.rivera, personas.science8.pk, aides=False)
        assert policies.teaches_student(personas.rivera, personas.ada.pk, aides=False)
        assert not policies.teaches_class(personas.rivera, personas.other_class)
        assert not policies.teaches_student(personas.rivera, personas.eve.pk)

    def test_an_aide_assists_but_does_not_teach(self, personas):
        from village.accounts.models import User
        from village.community.models import Enrollment, EnrollmentRole

        aide = User.objects.create_user(username="aide", first_name="Al", last_name="Aide")
        Enrollment.objects.create(
            user=aide, school_class=personas.science8, role=EnrollmentRole.AIDE
        )
        assert policies.teaches_class(aide, personas.science8)
        assert not policies.teaches_class(aide, personas.science8, aides=False)
        assert policies.teaches_student(aide, personas.leo.pk)
        assert not policies.teaches_student(aide, personas.leo.pk, aides=False)
        assert personas.science8.pk not in set(
            policies.taught_class_ids(aide, aides=False).values_list("school_class_id", flat=True)
        )
