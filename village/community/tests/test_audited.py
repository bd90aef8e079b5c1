"""A view the page checked already is audited as ``student_for_viewer`` audits it, and names
the school ``student_schools`` names, in one query and the insert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from village.community import policies
from village.community.audited import SchoolShown, linked_student_viewed
from village.community.models import OrgRole, Role
from village.core.models import AuditAction, AuditEvent, RosterStatus
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def audited(call) -> tuple[int, int | None, int | None, str]:
    """What the audit entry ``call()`` writes says."""
    before = AuditEvent.objects.count()
    call()
    (event,) = AuditEvent.objects.order_by("pk")[before:]
    return event.actor_id, event.student_id, event.organisation_id, event.action


def both_ways(p: Personas) -> tuple[tuple, tuple, SchoolShown | None]:
    """The entries of ``student_for_viewer`` and of ``linked_student_viewed`` for Sam seeing
    Leo, and the school the latter names."""
    shown: list[SchoolShown | None] = []
    checked = audited(lambda: policies.student_for_viewer(p.sam, p.leo.pk))
    linked = audited(lambda: shown.append(linked_student_viewed(p.sam, p.leo.pk)))
    return checked, linked, shown[0]


def test_the_entry_and_the_school_are_those_of_the_checked_view(personas: Personas):
    p = personas
    checked, linked, shown = both_ways(p)
    assert linked == checked == (p.sam.pk, p.leo.pk, p.school.pk, AuditAction.VIEW_STUDENT)
    assert shown == SchoolShown(p.school.pk, p.school.name, p.school.phone)


def test_a_second_school_names_the_primary_one_both_ways(personas: Personas):
    p = personas
    OrgRole.objects.create(
        user=p.leo, organisation=p.sister_school, role=Role.STUDENT, is_primary=False
    )
    checked, linked, shown = both_ways(p)
    assert linked == checked
    assert shown is not None
    assert shown.id == policies.student_schools([p.leo.pk])[p.leo.pk].pk == p.school.pk


def test_a_school_left_is_recorded_but_not_shown(personas: Personas):
    """The audit log still names the school of a student whose role there ended; the page,
    like ``student_schools``, names none."""
    p = personas
    OrgRole.objects.filter(user=p.leo, role=Role.STUDENT).update(
        end_date=policies.today() - dt.timedelta(days=30), status=RosterStatus.INACTIVE
    )
    checked, linked, shown = both_ways(p)
    assert linked == checked
    assert checked[2] == p.school.pk
    assert shown is None
    assert p.leo.pk not in policies.student_schools([p.leo.pk])


def test_one_query_and_the_insert(personas: Personas):
    linked_student_viewed(personas.sam, personas.ada.pk)  # compiled on the first
    with CaptureQueriesContext(connection) as queries:
        linked_student_viewed(personas.sam, personas.leo.pk)
    assert len(queries) == 2
