"""The demo school: the personas of PRODUCT.md inside a full, believable Riverside district.

``demo_community_build`` creates the personas through the community services, then the other
staff and classes (services too); ``village.demo.families`` then adds a few hundred students and
their families with set-based inserts. Everything is seeded, so the same date gives the same
school on every run. Demo rows carry ``demo-`` sourced ids; ``demo_school_delete`` removes them
and whatever grew around them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

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
)
from village.demo.names import Usernames
from village.demo.personas import Personas, build_personas
from village.demo.purge import purge
from village.notifications.models import Delivery, Letter

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
class DemoCommunity:
    """The demo district as its community pipeline leaves it for the next ones: the personas,
    the classes of each grade cohort, the demo password hash and the usernames taken."""

    personas: Personas
    today: dt.date
    password: str
    usernames: Usernames
    cohorts: dict[tuple[str, str], list[SchoolClass]] = field(default_factory=dict)

    @property
    def schools(self) -> dict[str, Organisation]:
        return {RIVERSIDE: self.personas.school, OAK_HILL: self.personas.sister_school}


def demo_school_exists() -> bool:
    return Organisation.objects.filter(sourced_id=DEMO_DISTRICT_SOURCED_ID).exists()


def demo_community_build(*, today: dt.date) -> DemoCommunity:
    """The community of the demo district: the personas, the other staff and the classes
    around them (through the community services). Call in a transaction, on a database
    without the demo."""
    personas = build_personas(today)
    password = User.objects.values_list("password", flat=True).get(pk=personas.rivera.pk)
    taken = User.objects.values_list("username", flat=True).iterator()
    community = DemoCommunity(personas, today, password, Usernames(taken))
    staff = _create_staff(community)
    community.cohorts = _create_classes(community, staff)
    return community


def _create_staff(context: DemoCommunity) -> dict[str, User]:
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
    context: DemoCommunity, staff: dict[str, User]
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


def _create_class(context: DemoCommunity, demo_class: DemoClass) -> SchoolClass:
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
    # What was sent to demo people is theirs too (the outbox keeps rows of deleted users).
    sent = Delivery.objects.filter(recipient__in=users)
    letters = list(sent.filter(letter__isnull=False).values_list("letter_id", flat=True).distinct())
    deleted = purge(sent)
    # An email written once for many goes with the last of its deliveries.
    deleted += purge(Letter.objects.filter(pk__in=letters, deliveries__isnull=True))
    deleted += purge(
        Enrollment.objects.filter(Q(school_class__school__in=orgs) | Q(user__in=users))
    )
    deleted += purge(GuardianLink.objects.filter(Q(guardian__in=users) | Q(student__in=users)))
    deleted += purge(OrgRole.objects.filter(Q(organisation__in=orgs) | Q(user__in=users)))
    deleted += purge(SchoolClass.objects.filter(school__in=orgs))
    deleted += purge(Course.objects.filter(organisation__in=orgs))
    deleted += purge(AcademicSession.objects.filter(organisation__in=orgs))
    deleted += purge(users)
    return deleted + purge(orgs)
