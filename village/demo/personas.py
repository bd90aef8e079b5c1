"""The people of PRODUCT.md, in a small district: used by the demo and by every test.

``build_personas()`` creates them through the community services, so the same invariants hold
as in production. Dates are relative to today so the school year is always the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from village.accounts.models import User
from village.community import services
from village.community.models import (
    AcademicSession,
    ClassKind,
    EnrollmentRole,
    Organisation,
    Relationship,
    Role,
    SchoolClass,
    Scope,
    SessionKind,
)

DEMO_PASSWORD = "village-demo-2026"


@dataclass
class Personas:
    district: Organisation
    school: Organisation
    sister_school: Organisation
    other_district: Organisation
    other_school: Organisation
    year: AcademicSession
    term: AcademicSession
    homeroom5: SchoolClass
    science8: SchoolClass
    math8: SchoolClass
    sister_class: SchoolClass
    other_class: SchoolClass
    rivera: User
    chen: User
    ada: User
    leo: User
    maya: User
    sam: User
    jordan: User
    nguyen: User
    priya: User
    library: User
    park: User
    mina: User
    olga: User
    eve: User
    finn: User
    stone: User


def school_year_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """August 15 to June 15 around ``today`` (a summer day counts toward the coming year)."""
    start_year = today.year if today >= dt.date(today.year, 6, 16) else today.year - 1
    return dt.date(start_year, 8, 15), dt.date(start_year + 1, 6, 15)


def _person(
    username: str, first: str, last: str, role: Role, org: Organisation, **profile: Any
) -> User:
    email = f"{username}@{'families' if role == Role.GUARDIAN else 'staff'}.village.test"
    if role == Role.STUDENT:
        email = f"{username}@students.village.test"
    return services.person_create(
        username=username,
        first_name=first,
        last_name=last,
        role=role,
        organisation=org,
        email=email,
        sourced_id=f"demo-user-{username}",
        **profile,
    )


def _class(
    school: Organisation,
    term: AcademicSession,
    title: str,
    code: str,
    grades: str,
    subject: str,
    kind: ClassKind = ClassKind.SCHEDULED,
    room: str = "",
) -> SchoolClass:
    course = services.course_create(
        organisation=school,
        title=title,
        code=code,
        grades=grades,
        subjects=subject,
        sourced_id=f"demo-course-{code}",
    )
    return services.class_create(
        course=course,
        school=school,
        title=title,
        terms=[term],
        kind=kind,
        code=code,
        grades=grades,
        subjects=subject,
        location=room,
        sourced_id=f"demo-class-{code}",
    )


def _teach(teacher: User, school_class: SchoolClass) -> None:
    services.enrollment_add(
        user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER, is_primary=True
    )


def _enrol(student: User, *classes: SchoolClass) -> None:
    for school_class in classes:
        services.enrollment_add(
            user=student, school_class=school_class, role=EnrollmentRole.STUDENT
        )


def build_personas(today: dt.date | None = None) -> Personas:
    """Create the persona district; call once on an empty database."""
    today = today or timezone.localdate()
    start, end = school_year_bounds(today)
    district = services.district_create(
        name="Riverside Unified School District", sourced_id="demo-org-riverside"
    )
    school = services.school_create(
        district=district,
        name="Riverside K-8 School",
        sourced_id="demo-org-riverside-k8",
        identifier="RK8",
        phone="+1 555 0100",
        address="12 River Road, Riverside",
    )
    sister = services.school_create(
        district=district, name="Oak Hill Elementary", sourced_id="demo-org-oakhill"
    )
    other_district = services.district_create(
        name="Lakeside District", sourced_id="demo-org-lakeside"
    )
    other_school = services.school_create(
        district=other_district, name="Lakeside Academy", sourced_id="demo-org-lakeside-academy"
    )
    year = services.session_create(
        organisation=district,
        title=f"{start.year}-{end.year}",
        kind=SessionKind.SCHOOL_YEAR,
        start_date=start,
        end_date=end,
        sourced_id="demo-session-year",
    )
    term = year  # classes run the whole year; later features add terms and grading periods

    rivera = _person(
        "rivera", "Elena", "Rivera", Role.TEACHER, school, pronouns="she/her", phone="+1 555 0142"
    )
    chen = _person("chen", "David", "Chen", Role.TEACHER, school, pronouns="he/him")
    nguyen = _person("nguyen", "Linh", "Nguyen", Role.SCHOOL_ADMIN, school, pronouns="she/her")
    priya = _person("priya", "Priya", "Raman", Role.DISTRICT_ADMIN, district)
    ada = _person("ada", "Ada", "Okoye", Role.STUDENT, school, grade="5")
    leo = _person("leo", "Leo", "Okoye", Role.STUDENT, school, grade="8")
    maya = _person("maya", "Maya", "Lopez", Role.STUDENT, school, grade="5")
    sam = _person("sam", "Sam", "Okoye", Role.GUARDIAN, school, preferred_language="es")
    jordan = _person("jordan", "Jordan", "Bell", Role.GUARDIAN, school)
    # Grace Holloway runs family programmes at Riverside Library, a community partner.
    library = _person("library", "Grace", "Holloway", Role.PARTNER, district)
    park = _person("park", "Min", "Park", Role.TEACHER, sister)
    mina = _person("mina", "Mina", "Sato", Role.STUDENT, sister, grade="4")
    olga = _person("olga", "Olga", "Sato", Role.GUARDIAN, sister)
    stone = _person("stone", "Ruth", "Stone", Role.TEACHER, other_school)
    finn = _person("finn", "Finn", "Walsh", Role.STUDENT, other_school, grade="5")
    eve = _person("eve", "Eve", "Walsh", Role.GUARDIAN, other_school)

    homeroom5 = _class(
        school, term, "Grade 5 Homeroom", "G5-HR", "05", "Homeroom", ClassKind.HOMEROOM, "Room 12"
    )
    science8 = _class(school, term, "Grade 8 Science", "G8-SCI", "08", "Science", room="Lab 2")
    math8 = _class(school, term, "Grade 8 Math", "G8-MATH", "08", "Mathematics", room="Room 21")
    sister_class = _class(
        sister, term, "Grade 4 Homeroom", "OH-G4-HR", "04", "Homeroom", ClassKind.HOMEROOM
    )
    other_class = _class(
        other_school, term, "Grade 5 Homeroom", "LA-G5-HR", "05", "Homeroom", ClassKind.HOMEROOM
    )

    _teach(rivera, homeroom5)
    _teach(rivera, science8)
    _teach(chen, math8)
    _teach(park, sister_class)
    _teach(stone, other_class)
    _enrol(ada, homeroom5)
    _enrol(maya, homeroom5)
    _enrol(leo, science8, math8)
    _enrol(mina, sister_class)
    _enrol(finn, other_class)

    services.guardian_link(
        guardian=sam, student=ada, relationship=Relationship.MOTHER, emergency_contact=True
    )
    services.guardian_link(
        guardian=sam, student=leo, relationship=Relationship.MOTHER, emergency_contact=True
    )
    services.guardian_link(
        guardian=jordan,
        student=leo,
        relationship=Relationship.FATHER,
        lives_with=False,
        scopes=[Scope.CLASSWORK, Scope.GOALS],
        access_note="Custody arrangement: classwork and goals only.",
    )
    services.guardian_link(guardian=olga, student=mina, relationship=Relationship.MOTHER)
    services.guardian_link(guardian=eve, student=finn, relationship=Relationship.MOTHER)

    # One hash for every persona: argon2 is deliberately slow, and they share the demo password.
    hashed = make_password(DEMO_PASSWORD)
    people = [
        rivera,
        chen,
        nguyen,
        priya,
        ada,
        leo,
        maya,
        sam,
        jordan,
        library,
        park,
        mina,
        olga,
        stone,
        finn,
        eve,
    ]
    User.objects.filter(pk__in=[person.pk for person in people]).update(password=hashed)
    for person in people:
        person.password = hashed

    return Personas(
        district=district,
        school=school,
        sister_school=sister,
        other_district=other_district,
        other_school=other_school,
        year=year,
        term=term,
        homeroom5=homeroom5,
        science8=science8,
        math8=math8,
        sister_class=sister_class,
        other_class=other_class,
        rivera=rivera,
        chen=chen,
        ada=ada,
        leo=leo,
        maya=maya,
        sam=sam,
        jordan=jordan,
        nguyen=nguyen,
        priya=priya,
        library=library,
        park=park,
        mina=mina,
        olga=olga,
        eve=eve,
        finn=finn,
        stone=stone,
    )
