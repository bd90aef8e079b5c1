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
