"""A view of a student's record that the page has checked already: the audit entry and the
student's school, in one query and the insert.

``policies.student_for_viewer`` checks that a user may see a student, loads them and writes the
audit entry; a page header then asks for the student's school (``policies.student_schools``).
The family's child page checks with the guardian's usable links, which it reads anyway for
everything else it shows (``selectors.home.guardian_links``: the rule ``visible_students``
applies to a guardian), so it needs only the rest: ``linked_student_viewed`` reads the school
the audit log records and the school the page shows, each by its own rule, in one query compiled
once (``core.compiled``), then writes the entry as ``student_for_viewer`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest

from village.community.models import Organisation, OrgRole, OrgRoleQuerySet, Role
from village.community.policies import (
    RECORDED_SCHOOL_ORDER,
    SHOWN_SCHOOL_ORDER,
    AnyUser,
    today,
)
from village.core.audit import Viewed, audit_views
from village.core.compiled import CompiledQuery
from village.core.models import AuditAction


@dataclass(frozen=True, slots=True)
class SchoolShown:
    """A student's school as a page header names it."""

    id: int
    name: str
    phone: str


def _student_roles(student_id: int) -> OrgRoleQuerySet:
    return OrgRole.objects.filter(user_id=student_id, role=Role.STUDENT)


def _schools(student_id: int, day: dt.date) -> QuerySet[Any, tuple[Any, ...]]:
    """The school the audit log records (any role) and the one pages show (current roles), one
    row each, or one row for both: its id, name and phone, flagged recorded and shown."""
    recorded = _student_roles(student_id).order_by(*RECORDED_SCHOOL_ORDER)
    shown = _student_roles(student_id).current(day)
    recorded_q = Q(pk=Subquery(recorded.values("organisation_id")[:1]))
    shown_q = Q(pk=Subquery(shown.order_by(*SHOWN_SCHOOL_ORDER).values("organisation_id")[:1]))
    return (
        Organisation.objects.filter(recorded_q | shown_q)
        .annotate(recorded=recorded_q, shown=shown_q)
        .order_by("pk")
        .values_list("pk", "name", "phone", "recorded", "shown")
    )


_SCHOOLS = CompiledQuery(
    "community.linked_student_schools",
    _schools,
    student_id=int,
    day=dt.date,
)


def linked_student_viewed(
    user: AnyUser, student_id: int, *, request: HttpRequest | None = None
) -> SchoolShown | None:
    """Write the audit entry of ``user`` viewing the record of ``student_id``, and return the
    student's school as ``policies.student_schools`` names it (``None``: no current school).

    Precondition: the caller found the student on one of ``user``'s usable guardian links (the
    student active) that allows the area shown, read in this request; anyone else goes through
    ``policies.student_for_viewer``.
    """
    recorded: int | None = None
    shown: SchoolShown | None = None
    for pk, name, phone, is_recorded, is_shown in _SCHOOLS.rows(student_id=student_id, day=today()):
        if is_recorded:
            recorded = pk
        if is_shown:
            shown = SchoolShown(pk, name, phone)
    audit_views(
        actor_id=user.pk,  # type: ignore[arg-type]
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=student_id, organisation_id=recorded)],
        request=request,
    )
    return shown
