"""Whom an announcement reaches, in SQL: its recipients are written from these querysets by one
``INSERT ... SELECT`` per kind of recipient, and never loaded into Python to be written.

- **students**: the class's current students; the grade's (the school's current students in
  that grade); the school's; those of every school of the district;
- **families**: guardians with a usable link (active, not ``no_access``) to one of those
  students, once each, through their first such child, receiving school communications if any
  of those links does;
- **staff**: the class's teachers and aides; those of the classes the grade's students are in;
  the school's teachers, aides and admins; those of every school of the district, and its
  admins.

Only active accounts; never the author. Someone who is more than one of these (a teacher whose
child is in the class) receives it once: as family first, then as a student, then as staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, IntegerField, Max, Min, Q, QuerySet
from django.db.models.functions import Cast

from village.accounts.models import User
from village.announcements.models import Announcement, AudienceScope, Recipient, RecipientRole
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Role,
    current_q,
)
from village.core.models import RosterStatus

CLASS_STAFF = (EnrollmentRole.TEACHER, EnrollmentRole.AIDE)
SCHOOL_STAFF = (Role.TEACHER, Role.AIDE, Role.SCHOOL_ADMIN)


def _students_q(announcement: Announcement, today: dt.date, to_student: str) -> tuple[Q, str]:
    """The condition that the user ``to_student`` reaches (``""``: the row itself, a ``User``;
    ``"student__"`` from a guardian link) is a student of the announcement's audience, and the
    path to that student's school. One join: every condition is on the same row."""
    target = announcement
    if target.scope == AudienceScope.CLASS:
        via = f"{to_student}enrollments__"
        condition = current_q(today, via) & Q(
            **{
                f"{via}school_class_id": target.school_class_id,
                f"{via}role": EnrollmentRole.STUDENT,
                f"{via}school_class__status": RosterStatus.ACTIVE,
            }
        )
        school = f"{via}school_class__school_id"
    else:
        via = f"{to_student}org_roles__"
        condition = current_q(today, via) & Q(**{f"{via}role": Role.STUDENT})
        if target.scope == AudienceScope.DISTRICT:
            condition &= Q(**{f"{via}organisation__parent_id": target.organisation_id})
        else:
            condition &= Q(**{f"{via}organisation_id": target.organisation_id})
        if target.scope == AudienceScope.GRADE:
            condition &= Q(**{f"{to_student}grade": target.grade})
        school = f"{via}organisation_id"
    return condition & Q(**{f"{to_student}is_active": True}), school


def students(announcement: Announcement, today: dt.date) -> QuerySet[Any]:
    """(student id, school id) of each student of the audience."""
    condition, school = _students_q(announcement, today, "")
    return (
        User.objects.filter(condition)
        .exclude(pk=announcement.author_id)
        .values("pk")
        .annotate(school=Min(school))
        .order_by()
    )


def _usable_links(announcement: Announcement, today: dt.date) -> tuple[QuerySet[GuardianLink], str]:
    condition, school = _students_q(announcement, today, "student__")
    links = GuardianLink.objects.filter(
        condition, status=LinkStatus.ACTIVE, no_access=False, guardian__is_active=True
    ).exclude(guardian_id=announcement.author_id)
    return links, school


def families(announcement: Announcement, today: dt.date) -> QuerySet[Any]:
    """(guardian id, first child id, school id, receives communications) of each guardian."""
    links, school = _usable_links(announcement, today)
    return (
        links.values("guardian_id")
        .annotate(
            child=Min("student_id"),
            school=Min(school),
            communications=Cast(
                Max(Cast("receives_communications", IntegerField())), BooleanField()
            ),
        )
        .order_by()
    )


def family_links(announcement: Announcement, today: dt.date) -> QuerySet[Any]:
    """(guardian id, child id, receives communications) of every usable link of the audience's
    guardians to its students: each child a guardian hears about (their rules are per child)."""
    links, _school = _usable_links(announcement, today)
    return (
        links.values_list("guardian_id", "student_id", "receives_communications")
        .distinct()
        .order_by()
    )


def staff(announcement: Announcement, today: dt.date) -> QuerySet[Any]:
    """(staff member id, school id) of each staff member of the audience."""
    target = announcement
    people = User.objects.filter(is_active=True).exclude(pk=target.author_id)
    if target.scope == AudienceScope.CLASS:
        people = people.filter(
            current_q(today, "enrollments__"),
            enrollments__school_class_id=target.school_class_id,
            enrollments__role__in=CLASS_STAFF,
        )
        school = "enrollments__school_class__school_id"
    elif target.scope == AudienceScope.GRADE:
        grade_classes = (
            Enrollment.objects.current(today)
            .filter(
                role=EnrollmentRole.STUDENT,
                school_class__school_id=target.organisation_id,
                user__grade=target.grade,
                user__is_active=True,
            )
            .values("school_class_id")
        )
        people = people.filter(
            current_q(today, "enrollments__"),
            enrollments__school_class_id__in=grade_classes,
            enrollments__role__in=CLASS_STAFF,
        )
        school = "enrollments__school_class__school_id"
    elif target.scope == AudienceScope.SCHOOL:
        people = people.filter(
            current_q(today, "org_roles__"),
            org_roles__organisation_id=target.organisation_id,
            org_roles__role__in=SCHOOL_STAFF,
        )
        school = "org_roles__organisation_id"
    else:
        people = people.filter(
            current_q(today, "org_roles__"),
            Q(
                org_roles__organisation__parent_id=target.organisation_id,
                org_roles__role__in=SCHOOL_STAFF,
            )
            | Q(
                org_roles__organisation_id=target.organisation_id,
                org_roles__role=Role.DISTRICT_ADMIN,
            ),
        )
        school = "org_roles__organisation_id"
    return people.values("pk").annotate(school=Min(school)).order_by()


def languages(announcement: Announcement, today: dt.date) -> list[str]:
    """The languages the audience reads, as it stands ``today`` (one query)."""
    chosen = Q(pk__in=[])
    if announcement.to_families:
        links, _school = _usable_links(announcement, today)
        chosen |= Q(pk__in=links.values("guardian_id"))
    if announcement.to_students:
        chosen |= Q(pk__in=students(announcement, today).values("pk"))
    if announcement.to_staff:
        chosen |= Q(pk__in=staff(announcement, today).values("pk"))
    found = User.objects.filter(chosen, is_active=True).values_list("preferred_language", flat=True)
    return sorted(set(found.distinct().order_by()))


# --- writing -------------------------------------------------------------------------------------


def insert_select(
    columns: Sequence[str], chosen: QuerySet[Any], constants: Mapping[str, Any]
) -> int:
    """``INSERT INTO`` the recipients (``columns``: what ``chosen`` selects, in order, then the
    ``constants``) ``SELECT`` from ``chosen``; a person already a recipient is left as they are
    (``ON CONFLICT DO NOTHING``). One statement; returns the rows written."""
    sql, params = chosen.query.sql_with_params()
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in Recipient._meta.concrete_fields}
    names = ", ".join(quote(fields[name].column) for name in [*columns, *constants])
    values = [_adapted(fields[name], value) for name, value in constants.items()]
    marks = ", ".join(["%s"] * len(values))
    table = quote(Recipient._meta.db_table)
    statement = (
        f"INSERT INTO {table} ({names}) SELECT chosen.*, {marks} "  # noqa: S608 - names from models
        f"FROM ({sql}) AS chosen WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*values, *params])
        return max(cursor.rowcount, 0)


def _adapted(field: Any, value: Any) -> Any:
    if field.get_internal_type() == "DateTimeField":
        return connection.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, connection)


def write_recipients(announcement: Announcement, now: dt.datetime, today: dt.date) -> int:
    """The announcement's recipients, set-based: families, then students, then staff (one
    statement each, as its audience says). Returns how many were written."""
    constants = {"announcement_id": announcement.pk, "delivered_at": now}
    written = 0
    if announcement.to_families:
        written += insert_select(
            ("user_id", "child_id", "school_id", "communications"),
            families(announcement, today),
            {**constants, "role": RecipientRole.GUARDIAN.value},
        )
    if announcement.to_students:
        written += insert_select(
            ("user_id", "school_id"),
            students(announcement, today),
            {**constants, "role": RecipientRole.STUDENT.value, "communications": True},
        )
    if announcement.to_staff:
        written += insert_select(
            ("user_id", "school_id"),
            staff(announcement, today),
            {**constants, "role": RecipientRole.STAFF.value, "communications": True},
        )
    return written
