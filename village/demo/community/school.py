"""The demo school: the personas of PRODUCT.md inside a full, believable Riverside district.

``demo_school_build`` first creates the personas through the community services, then the other
staff and classes (services too), then a few hundred students and their families with set-based
inserts. Everything is seeded, so the same date gives the same school on every run. Demo rows
carry ``demo-`` sourced ids; ``demo_school_delete`` removes them and whatever grew around them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from village.accounts.models import User
from village.community import services
from village.community.models import (
    AcademicSession,
    ClassKind,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
    Scope,
)
from village.core.bulk import insert_objects, insert_rows
from village.demo.classwork.term import demo_classwork_build
from village.demo.families.planner import (
    FamilyPlan,
    FamilyPlanner,
    PlannedGuardian,
    PlannedLink,
    PlannedStudent,
    Slot,
)
from village.demo.names import Usernames
from village.demo.personas import Personas, build_personas
from village.demo.purge import purge

DEMO_SEED = 20260
DEMO_DISTRICT_SOURCED_ID = "demo-org-riverside"
DEMO_SCHOOL_SOURCED_IDS = ("demo-org-riverside-k8", "demo-org-oakhill")  # see personas.py
DEMO_ORG_PREFIX = "demo-org-"
DEMO_USER_PREFIX = "demo-user-"
RIVERSIDE, OAK_HILL = "riverside", "oakhill"
HOMEROOM = "Homeroom"
SUBJECTS = {
    "MATH": "Mathematics",
    "SCI": "Science",
    "ELA": "English Language Arts",
    "SS": "Social Studies",
    "ART": "Art",
    "PE": "Physical Education",
    "MUS": "Music",
}
SHORT_TITLES = {"MATH": "Math"}

# New students per grade cohort; the personas (Ada and Maya in grade 5, Leo in grade 8, Mina in
# Oak Hill's grade 4) come on top, so Ms. Rivera's homeroom has 24 and Grade 8 Science 28.
_RIVERSIDE_SIZES = {"K": 23, "1": 24, "2": 22, "3": 25, "4": 23, "5": 22, "6": 27, "7": 26, "8": 27}
_OAK_HILL_SIZES = {"K": 18, "1": 19, "2": 20, "3": 18, "4": 19, "5": 18}
COHORT_SIZES: dict[tuple[str, str], int] = {
    **{(RIVERSIDE, grade): size for grade, size in _RIVERSIDE_SIZES.items()},
    **{(OAK_HILL, grade): size for grade, size in _OAK_HILL_SIZES.items()},
}
# Persona classes (see personas.py) and the cohort that fills each.
PERSONA_CLASS_COHORTS = {
    "G5-HR": (RIVERSIDE, "5"),
    "G8-SCI": (RIVERSIDE, "8"),
    "G8-MATH": (RIVERSIDE, "8"),
    "OH-G4-HR": (OAK_HILL, "4"),
}
PERSONA_STAFF = ("rivera", "chen", "park")


@dataclass(frozen=True)
class StaffMember:
    key: str
    first: str
    last: str
    pronouns: str
    school: str
    role: Role = Role.TEACHER


STAFF: tuple[StaffMember, ...] = (
    StaffMember("thompson", "Grace", "Thompson", "she/her", RIVERSIDE),
    StaffMember("johnson", "Marcus", "Johnson", "he/him", RIVERSIDE),
    StaffMember("rahman", "Aisha", "Rahman", "she/her", RIVERSIDE),
    StaffMember("herrera", "Tomás", "Herrera", "he/him", RIVERSIDE),
    StaffMember("becker", "Hannah", "Becker", "she/her", RIVERSIDE),
    StaffMember("owusu", "Priscilla", "Owusu", "she/her", RIVERSIDE),
    StaffMember("adeyemi", "Samuel", "Adeyemi", "he/him", RIVERSIDE),
    StaffMember("goldberg", "Rebecca", "Goldberg", "she/her", RIVERSIDE),
    StaffMember("washington", "Jamal", "Washington", "he/him", RIVERSIDE),
    StaffMember("zhou", "Karen", "Zhou", "she/her", RIVERSIDE),
    StaffMember("cruz", "Isabel", "Cruz", "she/her", RIVERSIDE),
    StaffMember("obrien", "Kevin", "O'Brien", "he/him", RIVERSIDE),
    StaffMember("feldman", "Jonah", "Feldman", "he/him", RIVERSIDE),
    StaffMember("delgado", "Rosa", "Delgado", "she/her", RIVERSIDE, Role.AIDE),
    StaffMember("osei", "Daniel", "Osei", "he/him", RIVERSIDE, Role.AIDE),
    StaffMember("jensen", "Laura", "Jensen", "she/her", OAK_HILL),
    StaffMember("saleh", "Ibrahim", "Saleh", "he/him", OAK_HILL),
    StaffMember("ortiz", "Carmen", "Ortiz", "she/her", OAK_HILL),
    StaffMember("novak", "Emily", "Novak", "she/her", OAK_HILL),
    StaffMember("lindqvist", "Peter", "Lindqvist", "he/him", OAK_HILL),
    StaffMember("fischer", "Robert", "Fischer", "he/him", OAK_HILL, Role.SCHOOL_ADMIN),
)


@dataclass(frozen=True)
class DemoClass:
    school: str
    code: str
    grade: str  # the cohort: "K" or "1".."8"
    subject: str  # HOMEROOM or a key of SUBJECTS
    teacher: str
    room: str
    aides: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        grade = "Kindergarten" if self.grade == "K" else f"Grade {self.grade}"
        if self.subject == HOMEROOM:
            return f"{grade} {HOMEROOM}"
        return f"{grade} {SHORT_TITLES.get(self.subject, SUBJECTS[self.subject])}"

    @property
    def oneroster_grade(self) -> str:
        return "KG" if self.grade == "K" else f"{int(self.grade):02d}"


def _middle_school_classes() -> list[DemoClass]:
    teachers = {
        "MATH": ("owusu", "owusu", None),
        "SCI": ("adeyemi", "adeyemi", None),
        "ELA": ("goldberg", "goldberg", "washington"),
        "SS": ("zhou",) * 3,
        "ART": ("cruz",) * 3,
        "PE": ("obrien",) * 3,
        "MUS": ("feldman",) * 3,
    }
    rooms = {"ART": "Art Studio", "PE": "Gym", "MUS": "Music Room", "SCI": "Lab 1"}
    classes = []
    for subject, by_grade in teachers.items():
        for grade, teacher in zip("678", by_grade, strict=True):
            if teacher is not None:  # Grade 8 Math and Science are persona classes
                room = rooms.get(subject, f"Room {20 + list(SUBJECTS).index(subject) * 3}")
                code = f"G{grade}-{subject}"
                classes.append(DemoClass(RIVERSIDE, code, grade, subject, teacher, room))
    return classes


CLASSES: tuple[DemoClass, ...] = (
    DemoClass(RIVERSIDE, "GK-HR", "K", HOMEROOM, "thompson", "Room 1", ("delgado",)),
    DemoClass(RIVERSIDE, "G1-HR", "1", HOMEROOM, "johnson", "Room 3", ("delgado",)),
    DemoClass(RIVERSIDE, "G2-HR", "2", HOMEROOM, "rahman", "Room 5", ("osei",)),
    DemoClass(RIVERSIDE, "G3-HR", "3", HOMEROOM, "herrera", "Room 7", ("osei",)),
    DemoClass(RIVERSIDE, "G4-HR", "4", HOMEROOM, "becker", "Room 9"),
    *_middle_school_classes(),
    DemoClass(OAK_HILL, "OH-GK-HR", "K", HOMEROOM, "jensen", "Room A1"),
    DemoClass(OAK_HILL, "OH-G1-HR", "1", HOMEROOM, "saleh", "Room A2"),
    DemoClass(OAK_HILL, "OH-G2-HR", "2", HOMEROOM, "ortiz", "Room A3"),
    DemoClass(OAK_HILL, "OH-G3-HR", "3", HOMEROOM, "novak", "Room B1"),
    DemoClass(OAK_HILL, "OH-G5-HR", "5", HOMEROOM, "lindqvist", "Room B3"),
)


@dataclass
class _Context:
    """What the build steps share: the personas, the schools and the demo password hash."""

    personas: Personas
    today: dt.date
    password: str
    usernames: Usernames

    @property
    def schools(self) -> dict[str, Organisation]:
        return {RIVERSIDE: self.personas.school, OAK_HILL: self.personas.sister_school}


def demo_school_exists() -> bool:
    return Organisation.objects.filter(sourced_id=DEMO_DISTRICT_SOURCED_ID).exists()


@transaction.atomic
def demo_school_build(*, today: dt.date | None = None, seed: int = DEMO_SEED) -> dict[str, int]:
    """Create the demo district on a database that does not have it; return its counts."""
    today = today or timezone.localdate()
    personas = build_personas(today)
    password = User.objects.values_list("password", flat=True).get(pk=personas.rivera.pk)
    taken = User.objects.values_list("username", flat=True).iterator()
    context = _Context(personas, today, password, Usernames(taken))
    staff = _create_staff(context)
    cohorts = _create_classes(context, staff)
    plan = FamilyPlanner(random.Random(seed), context.usernames).plan_for(_slots())
    _write_families(context, plan, cohorts)
    classwork = demo_classwork_build(today=today, seed=seed)
    return demo_school_counts() | classwork


def _create_staff(context: _Context) -> dict[str, User]:
    staff = {key: getattr(context.personas, key) for key in PERSONA_STAFF}
    for member in STAFF:
        username = context.usernames.claim(member.first, member.last)
        staff[member.key] = services.person_create(
            username=username,
            first_name=member.first,
            last_name=member.last,
            role=member.role,
            organisation=context.schools[member.school],
            email=f"{username}@staff.village.test",
            sourced_id=f"{DEMO_USER_PREFIX}{username}",
            pronouns=member.pronouns,
        )
    new_staff = [staff[member.key].pk for member in STAFF]
    User.objects.filter(pk__in=new_staff).update(password=context.password)
    return staff


def _create_classes(
    context: _Context, staff: dict[str, User]
) -> dict[tuple[str, str], list[SchoolClass]]:
    """Create the classes around the persona ones; return the classes of each grade cohort."""
    cohorts: dict[tuple[str, str], list[SchoolClass]] = {}
    for code, cohort in PERSONA_CLASS_COHORTS.items():
        persona_class = SchoolClass.objects.get(sourced_id=f"demo-class-{code}")
        cohorts.setdefault(cohort, []).append(persona_class)
    for demo_class in CLASSES:
        school_class = _create_class(context, demo_class)
        _staff_class(school_class, staff[demo_class.teacher], EnrollmentRole.TEACHER)
        for aide in demo_class.aides:
            _staff_class(school_class, staff[aide], EnrollmentRole.AIDE)
        cohorts.setdefault((demo_class.school, demo_class.grade), []).append(school_class)
    return cohorts


def _create_class(context: _Context, demo_class: DemoClass) -> SchoolClass:
    school = context.schools[demo_class.school]
    subject = SUBJECTS.get(demo_class.subject, HOMEROOM)
    course = services.course_create(
        organisation=school,
        title=demo_class.title,
        code=demo_class.code,
        grades=demo_class.oneroster_grade,
        subjects=subject,
        school_year=context.personas.year,
        sourced_id=f"demo-course-{demo_class.code}",
    )
    kind = ClassKind.HOMEROOM if demo_class.subject == HOMEROOM else ClassKind.SCHEDULED
    return services.class_create(
        course=course,
        school=school,
        title=demo_class.title,
        terms=[context.personas.term],
        kind=kind,
        code=demo_class.code,
        grades=demo_class.oneroster_grade,
        subjects=subject,
        location=demo_class.room,
        sourced_id=f"demo-class-{demo_class.code}",
    )


def _staff_class(school_class: SchoolClass, user: User, role: EnrollmentRole) -> None:
    services.enrollment_add(
        user=user, school_class=school_class, role=role, is_primary=role == EnrollmentRole.TEACHER
    )


def _slots() -> list[Slot]:
    return [
        Slot(school, grade) for (school, grade), size in COHORT_SIZES.items() for _ in range(size)
    ]


# --- students and families, set-based ---------------------------------------------------------


LINK_COLUMNS = (
    "guardian_id", "student_id", "relationship", "lives_with", "emergency_contact",
    "receives_communications", "no_access", "access_note",
    *(GuardianLink.scope_field(scope) for scope in Scope),
)  # fmt: skip


def _write_families(
    context: _Context, plan: FamilyPlan, cohorts: dict[tuple[str, str], list[SchoolClass]]
) -> None:
    users = [_student_user(context, student) for student in plan.students]
    users += [_guardian_user(context, guardian, n) for n, guardian in enumerate(plan.guardians)]
    ids = {user.username: user.pk for user in insert_objects(users)}
    school_of = {student.username: context.schools[student.school].pk for student in plan.students}
    insert_rows(OrgRole, ("user_id", "organisation_id", "role"), _roles(plan, ids, school_of))
    enrolments = [
        (ids[student.username], school_class.pk, EnrollmentRole.STUDENT.value)
        for student in plan.students
        for school_class in cohorts[(student.school, student.grade)]
    ]
    insert_rows(Enrollment, ("user_id", "school_class_id", "role"), enrolments)
    insert_rows(GuardianLink, LINK_COLUMNS, [_link_row(link, ids) for link in plan.links])


def _roles(
    plan: FamilyPlan, ids: dict[str, int], school_of: dict[str, int]
) -> list[tuple[int, int, str]]:
    """A student role at the school, and a guardian role at each school a guardian's child is at."""
    roles = [(ids[student], school, Role.STUDENT.value) for student, school in school_of.items()]
    guardian_schools = dict.fromkeys(
        (link.guardian, school_of[link.student]) for link in plan.links
    )
    roles += [(ids[guardian], school, Role.GUARDIAN.value) for guardian, school in guardian_schools]
    return roles


def _link_row(link: PlannedLink, ids: dict[str, int]) -> tuple[object, ...]:
    return (
        ids[link.guardian],
        ids[link.student],
        link.relationship.value,
        link.lives_with,
        link.emergency_contact,
        link.receives_communications,
        link.no_access,
        link.access_note,
        *(scope in link.scopes for scope in Scope),
    )


def _student_user(context: _Context, student: PlannedStudent) -> User:
    return User(
        username=student.username,
        first_name=student.first,
        last_name=student.last,
        email=f"{student.username}@students.village.test",
        sourced_id=f"{DEMO_USER_PREFIX}{student.username}",
        grade=student.grade,
        password=context.password,
    )


def _guardian_user(context: _Context, guardian: PlannedGuardian, index: int) -> User:
    signed_in = guardian.last_login_days_ago is not None
    return User(
        username=guardian.username,
        first_name=guardian.first,
        last_name=guardian.last,
        email=f"{guardian.username}@families.village.test",
        sourced_id=f"{DEMO_USER_PREFIX}{guardian.username}",
        preferred_language=guardian.language,
        phone=f"+1 555 {100 + index % 100:04d}",
        password=context.password if signed_in else make_password(None),
        last_login=_days_ago(context.today, guardian.last_login_days_ago, index),
    )


def _days_ago(today: dt.date, days: int | None, index: int) -> dt.datetime | None:
    if days is None:
        return None
    moment = dt.datetime.combine(
        today - dt.timedelta(days=days), dt.time(7 + index % 14, index % 60)
    )
    return timezone.make_aware(moment)


# --- reading and removing the demo ------------------------------------------------------------


def demo_school_counts() -> dict[str, int]:
    """How many of each kind of thing the demo schools hold."""
    schools = Organisation.objects.filter(sourced_id__in=DEMO_SCHOOL_SOURCED_IDS)
    roles = OrgRole.objects.filter(organisation__in=schools)

    def people(role: Role) -> int:
        return roles.filter(role=role).values("user_id").distinct().count()

    return {
        "schools": schools.count(),
        "students": people(Role.STUDENT),
        "guardians": people(Role.GUARDIAN),
        "teachers": people(Role.TEACHER),
        "aides": people(Role.AIDE),
        "classes": SchoolClass.objects.filter(school__in=schools).count(),
        "enrolments": Enrollment.objects.filter(school_class__school__in=schools).count(),
        "guardian links": GuardianLink.objects.filter(
            student__org_roles__organisation__in=schools, student__org_roles__role=Role.STUDENT
        )
        .distinct()
        .count(),
    }


@transaction.atomic
def demo_school_delete() -> int:
    """Remove every demo organisation and person, and everything that refers to them."""
    orgs = Organisation.objects.filter(sourced_id__startswith=DEMO_ORG_PREFIX)
    users = User.objects.filter(sourced_id__startswith=DEMO_USER_PREFIX)
    deleted = purge(Enrollment.objects.filter(Q(school_class__school__in=orgs) | Q(user__in=users)))
    deleted += purge(GuardianLink.objects.filter(Q(guardian__in=users) | Q(student__in=users)))
    deleted += purge(OrgRole.objects.filter(Q(organisation__in=orgs) | Q(user__in=users)))
    deleted += purge(SchoolClass.objects.filter(school__in=orgs))
    deleted += purge(Course.objects.filter(organisation__in=orgs))
    deleted += purge(AcademicSession.objects.filter(organisation__in=orgs))
    deleted += purge(users)
    return deleted + purge(orgs)
