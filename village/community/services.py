"""Writes to the community model: one function per use case, keyword-only and atomic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    ClassKind,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkSource,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    Relationship,
    Role,
    SchoolClass,
    Scope,
    SessionKind,
)


def district_create(*, name: str, sourced_id: str | None = None, **fields: object) -> Organisation:
    return Organisation.objects.create(
        kind=OrgKind.DISTRICT, name=name, sourced_id=sourced_id, **fields
    )


def school_create(
    *, district: Organisation, name: str, sourced_id: str | None = None, **fields: object
) -> Organisation:
    if district.kind != OrgKind.DISTRICT:
        raise ValidationError({"district": "A school must belong to a district."})
    return Organisation.objects.create(
        kind=OrgKind.SCHOOL, parent=district, name=name, sourced_id=sourced_id, **fields
    )


def session_create(
    *,
    organisation: Organisation,
    title: str,
    kind: SessionKind,
    start_date: dt.date,
    end_date: dt.date,
    parent: AcademicSession | None = None,
    sourced_id: str | None = None,
) -> AcademicSession:
    if end_date < start_date:
        raise ValidationError({"end_date": "The end date is before the start date."})
    return AcademicSession.objects.create(
        organisation=organisation,
        title=title,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        school_year=end_date.year,
        parent=parent,
        sourced_id=sourced_id,
    )


def course_create(
    *,
    organisation: Organisation,
    title: str,
    code: str = "",
    grades: str = "",
    subjects: str = "",
    school_year: AcademicSession | None = None,
    sourced_id: str | None = None,
) -> Course:
    return Course.objects.create(
        organisation=organisation,
        title=title,
        code=code,
        grades=grades,
        subjects=subjects,
        school_year=school_year,
        sourced_id=sourced_id,
    )


@transaction.atomic
def class_create(
    *,
    course: Course,
    school: Organisation,
    title: str,
    terms: Iterable[AcademicSession] = (),
    kind: ClassKind = ClassKind.SCHEDULED,
    sourced_id: str | None = None,
    **fields: object,
) -> SchoolClass:
    if school.kind != OrgKind.SCHOOL:
        raise ValidationError({"school": "A class is taught at a school."})
    school_class = SchoolClass.objects.create(
        course=course, school=school, title=title, kind=kind, sourced_id=sourced_id, **fields
    )
    school_class.terms.set(list(terms))
    return school_class


@transaction.atomic
def person_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    role: Role,
    organisation: Organisation,
    email: str = "",
    password: str | None = None,
    sourced_id: str | None = None,
    **profile: Any,
) -> User:
    """Create an account with one role in one organisation.

    Without ``password`` the account has no usable password: the person signs in through an
    invitation link (or single sign-on) later.
    """
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        sourced_id=sourced_id,
        **profile,
    )
    role_grant(user=user, organisation=organisation, role=role)
    return user


def role_grant(
    *, user: User, organisation: Organisation, role: Role, is_primary: bool = True
) -> OrgRole:
    if role in (Role.DISTRICT_ADMIN,) and organisation.kind != OrgKind.DISTRICT:
        raise ValidationError({"organisation": "A district administrator belongs to a district."})
    if (
        role in (Role.STUDENT, Role.TEACHER, Role.AIDE, Role.SCHOOL_ADMIN)
        and organisation.kind != OrgKind.SCHOOL
    ):
        raise ValidationError({"organisation": f"A {role} belongs to a school."})
    org_role, _created = OrgRole.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_primary": is_primary}
    )
    return org_role


def enrollment_add(
    *,
    user: User,
    school_class: SchoolClass,
    role: EnrollmentRole,
    begin_date: dt.date | None = None,
    end_date: dt.date | None = None,
    is_primary: bool = False,
    sourced_id: str | None = None,
) -> Enrollment:
    """Put ``user`` in a class; they must hold a matching role at the class's school."""
    needed = {
        EnrollmentRole.STUDENT: Role.STUDENT,
        EnrollmentRole.TEACHER: Role.TEACHER,
        EnrollmentRole.AIDE: Role.AIDE,
    }[EnrollmentRole(role)]
    if not OrgRole.objects.filter(
        user=user, organisation_id=school_class.school_id, role=needed
    ).exists():
        raise ValidationError({"user": f"{user} is not a {needed} at this class's school."})
    return Enrollment.objects.create(
        user=user,
        school_class=school_class,
        role=role,
        begin_date=begin_date,
        end_date=end_date,
        is_primary=is_primary,
        sourced_id=sourced_id,
    )


@transaction.atomic
def guardian_link(
    *,
    guardian: User,
    student: User,
    relationship: Relationship = Relationship.GUARDIAN,
    scopes: Iterable[Scope] | None = None,
    no_access: bool = False,
    lives_with: bool = True,
    emergency_contact: bool = False,
    receives_communications: bool = True,
    status: LinkStatus = LinkStatus.ACTIVE,
    source: LinkSource = LinkSource.SCHOOL,
    access_note: str = "",
) -> GuardianLink:
    """Link a guardian to a student; ``scopes`` None means every area.

    The guardian gets a guardian role at the student's school(s) so policies can find them.
    """
    if guardian.pk == student.pk:
        raise ValidationError({"guardian": "A person cannot be their own guardian."})
    student_schools = list(
        OrgRole.objects.filter(user=student, role=Role.STUDENT).values_list(
            "organisation_id", flat=True
        )
    )
    if not student_schools:
        raise ValidationError({"student": f"{student} is not a student at any school."})
    allowed = set(Scope) if scopes is None else set(scopes)
    link = GuardianLink.objects.create(
        guardian=guardian,
        student=student,
        relationship=relationship,
        no_access=no_access,
        lives_with=lives_with,
        emergency_contact=emergency_contact,
        receives_communications=receives_communications,
        status=status,
        source=source,
        access_note=access_note,
        **{GuardianLink.scope_field(scope): scope in allowed for scope in Scope},
    )
    for school_id in student_schools:
        OrgRole.objects.get_or_create(user=guardian, organisation_id=school_id, role=Role.GUARDIAN)
    return link


def guardian_link_set_access(
    *, link: GuardianLink, scopes: Iterable[Scope], no_access: bool, access_note: str = ""
) -> GuardianLink:
    allowed = set(scopes)
    for scope in Scope:
        setattr(link, GuardianLink.scope_field(scope), scope in allowed)
    link.no_access = no_access
    link.access_note = access_note
    link.save()
    return link
