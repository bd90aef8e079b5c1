"""A synthetic district of any size for load tests and benchmarks (``village generate``).

Rows are built in memory one school at a time and written with batched ``bulk_create``: no
per-row ``save()`` and no per-row password hashing (every account shares one hash, or one
unusable password). Every row carries a ``gen-`` sourced id, so a generated district can live
next to the demo and be removed on its own. The same seed gives the same district.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from village.accounts.models import User
from village.community.models import (
    AcademicSession,
    ClassKind,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgKind,
    OrgRole,
    Relationship,
    Role,
    SchoolClass,
    SessionKind,
)
from village.core.bulk import insert_objects, insert_rows
from village.demo.names import (
    POOLS,
    Gender,
    name_background,
    pick_gender,
    pick_language,
    username_base,
)
from village.demo.personas import school_year_bounds
from village.demo.purge import purge

GEN_PREFIX = "gen-"
DISTRICT_SOURCED_ID = "gen-org-district"
STUDENTS_PER_SCHOOL = 650
STUDENTS_PER_TEACHER = 20
STUDENTS_PER_CLASS = 5  # one class for every five students
ENROLMENTS_PER_STUDENT = 8
CHILDREN_PER_FAMILY = ((1, 0.6), (2, 0.3), (3, 0.1))  # 1.5 children on average
GUARDIANS_PER_FAMILY = ((1, 0.45), (2, 0.5), (3, 0.05))  # 1.6 guardians on average
LANGUAGE_WEIGHTS = (
    ("en", 0.65),
    ("es", 0.25),
    ("vi", 0.02),
    ("ar", 0.02),
    ("so", 0.02),
    ("zh", 0.02),
    ("ht", 0.02),
)
PLACES = (
    "Cedar Park", "Maple Grove", "Riverbend", "Willow Creek", "Pine Ridge", "Lakeview",
    "Hillcrest", "Brookside", "Fairview", "Oakwood", "Meadowbrook", "Stonebridge", "Eastgate",
    "Westfield", "Northwood", "Clearwater", "Highland", "Valley View", "Bayside", "Greenfield",
    "Ashford", "Elmwood", "Sunset Ridge", "Harbor Point",
)  # fmt: skip


@dataclass(frozen=True)
class Level:
    name: str
    grades: tuple[str, ...]  # OneRoster grade codes
    subjects: tuple[str, ...]


LEVELS = (
    Level(
        "Elementary",
        ("KG", "01", "02", "03", "04", "05"),
        ("Homeroom", "Mathematics", "Reading", "Writing", "Science", "Social Studies", "Art",
         "Music", "Physical Education", "Library"),
    ),
    Level(
        "Middle",
        ("06", "07", "08"),
        ("Mathematics", "Science", "English Language Arts", "Social Studies", "Art", "Music",
         "Physical Education", "Spanish", "Computer Science", "Health"),
    ),
    Level(
        "High",
        ("09", "10", "11", "12"),
        ("Algebra", "Geometry", "Biology", "Chemistry", "English", "World History",
         "U.S. History", "Spanish", "Physical Education", "Art", "Economics", "Physics"),
    ),
)  # fmt: skip


@dataclass
class GenerateResult:
    counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass
class _School:
    org: Organisation
    level: Level
    size: int
    classes_by_grade: dict[str, list[int]] = field(default_factory=dict)


# A family: its children (sourced id, grade) and adults (sourced id, relationship to them).
_Family = tuple[list[tuple[str, str]], list[tuple[str, Relationship]]]


def generated_district_exists() -> bool:
    return Organisation.objects.filter(sourced_id=DISTRICT_SOURCED_ID).exists()


def school_sizes(students: int) -> list[int]:
    """Split ``students`` into schools of about ``STUDENTS_PER_SCHOOL`` (500-800 each)."""
    count = max(1, round(students / STUDENTS_PER_SCHOOL))
    return [students * (i + 1) // count - students * i // count for i in range(count)]


def district_generate(
    *, students: int, seed: int = 1, password: str | None = None, today: dt.date | None = None
) -> GenerateResult:
    """Generate a district with ``students`` students; the database must not hold one yet.

    Each school is written in its own transaction, so neither this process nor the database
    holds more than one school's work at a time; if anything fails, the partial district is
    removed again.
    """
    started = time.perf_counter()
    shared_hash = make_password(password)  # once: hashing is deliberately slow
    generator = _Generator(random.Random(seed), shared_hash, today or timezone.localdate())
    try:
        generator.run(students)
    except BaseException:
        generated_district_delete()
        raise
    _refresh_planner_statistics()
    return GenerateResult(dict(generator.counts), time.perf_counter() - started)


def _refresh_planner_statistics() -> None:
    """After a bulk load PostgreSQL's row estimates are stale; plans built on them can be
    catastrophically slow (minutes instead of milliseconds), so measure the tables again."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


USER_COLUMNS = (
    "username", "first_name", "last_name", "email", "sourced_id", "grade", "preferred_language",
    "password",
)  # fmt: skip
ROLE_COLUMNS = ("user_id", "organisation_id", "role", "sourced_id")
ENROLMENT_COLUMNS = ("user_id", "school_class_id", "role", "is_primary", "sourced_id")
LINK_COLUMNS = ("guardian_id", "student_id", "relationship", "emergency_contact")


class _Generator:
    """Builds one school at a time; rows are plain tuples until the database has them."""

    def __init__(self, rng: random.Random, password: str, today: dt.date) -> None:
        self.rng = rng
        self.password = password
        self.today = today
        self.counts: Counter[str] = Counter()
        self.serials: dict[str, itertools.count[int]] = {}

    def sourced_id(self, kind: str) -> str:
        number = next(self.serials.setdefault(kind, itertools.count(1)))
        return f"{GEN_PREFIX}{kind}-{number:08d}"

    def run(self, students: int) -> None:
        with transaction.atomic():
            self._district()
        for index, size in enumerate(school_sizes(students)):
            with transaction.atomic():
                self._school(index, size)

    def _district(self) -> None:
        self.district = self._org(OrgKind.DISTRICT, "Generated Unified School District", None)
        self.district.sourced_id = DISTRICT_SOURCED_ID
        insert_objects([self.district])
        self.counts["districts"] += 1
        self.year = self._school_year()
        admin = self._staff_row()
        ids = self._insert_people([admin])
        self._insert_roles([(ids[admin[4]], self.district.pk, Role.DISTRICT_ADMIN)])
        self.counts["administrators"] += 1

    def _org(self, kind: OrgKind, name: str, parent: Organisation | None) -> Organisation:
        return Organisation(kind=kind, name=name, parent=parent, sourced_id=self.sourced_id("org"))

    def _school_year(self) -> AcademicSession:
        start, end = school_year_bounds(self.today)
        year = AcademicSession(
            organisation=self.district,
            title=f"{start.year}-{end.year}",
            kind=SessionKind.SCHOOL_YEAR,
            start_date=start,
            end_date=end,
            school_year=end.year,
            sourced_id=self.sourced_id("session"),
        )
        insert_objects([year])
        self.counts["sessions"] += 1
        return year

    # --- one school -----------------------------------------------------------------------------

    def _school(self, index: int, size: int) -> None:
        level = LEVELS[index % len(LEVELS)]
        place = PLACES[index % len(PLACES)]
        round_ = index // len(PLACES)
        name = f"{place} {level.name} School" + (f" {round_ + 1}" if round_ else "")
        org = self._org(OrgKind.SCHOOL, name, self.district)
        org.identifier = f"GEN{index + 1:04d}"
        insert_objects([org])
        self.counts["schools"] += 1
        school = _School(org, level, size)
        teachers = self._school_staff(school)
        self._classes(school, teachers)
        self._students(school)

    def _school_staff(self, school: _School) -> list[int]:
        count = max(1, round(school.size / STUDENTS_PER_TEACHER))
        teachers = [self._staff_row() for _ in range(count)]
        admin = self._staff_row()
        ids = self._insert_people([*teachers, admin])
        grants = [(ids[row[4]], school.org.pk, Role.TEACHER) for row in teachers]
        self._insert_roles([*grants, (ids[admin[4]], school.org.pk, Role.SCHOOL_ADMIN)])
        self.counts["teachers"] += count
        self.counts["administrators"] += 1
        return [ids[row[4]] for row in teachers]

    def _classes(self, school: _School, teachers: list[int]) -> None:
        grades = school.level.grades
        total = max(len(grades), round(school.size / STUDENTS_PER_CLASS))
        courses: dict[tuple[str, str], Course] = {}
        classes: list[tuple[str, SchoolClass]] = []
        for position, grade in enumerate(grades):
            in_grade = total * (position + 1) // len(grades) - total * position // len(grades)
            for number in range(in_grade):
                classes.append((grade, self._class(school, grade, number, courses)))
        insert_objects(list(courses.values()))
        for _grade, school_class in classes:
            school_class.course_id = school_class.course.pk
        insert_objects([school_class for _grade, school_class in classes])
        insert_rows(
            SchoolClass.terms.through,
            ("schoolclass_id", "academicsession_id"),
            [(school_class.pk, self.year.pk) for _grade, school_class in classes],
        )
        self._insert_enrolments(
            [
                (teachers[number % len(teachers)], school_class.pk, EnrollmentRole.TEACHER, True)
                for number, (_grade, school_class) in enumerate(classes)
            ]
        )
        for grade, school_class in classes:
            school.classes_by_grade.setdefault(grade, []).append(school_class.pk)
        self.counts["courses"] += len(courses)
        self.counts["classes"] += len(classes)
        self.counts["class terms"] += len(classes)

    def _class(
        self, school: _School, grade: str, number: int, courses: dict[tuple[str, str], Course]
    ) -> SchoolClass:
        subjects = school.level.subjects
        subject = subjects[number % len(subjects)]
        section = chr(ord("A") + number // len(subjects) % 26)
        label = "Kindergarten" if grade == "KG" else f"Grade {int(grade)}"
        course = courses.get((grade, subject))
        if course is None:
            course = Course(
                organisation=school.org,
                title=f"{label} {subject}",
                code=f"{grade}-{subject[:4].upper()}",
                grades=grade,
                subjects=subject,
                school_year=self.year,
                sourced_id=self.sourced_id("course"),
            )
            courses[(grade, subject)] = course
        kind = ClassKind.HOMEROOM if subject == "Homeroom" else ClassKind.SCHEDULED
        return SchoolClass(
            course=course,
            school=school.org,
            title=f"{label} {subject} {section}",
            code=f"{course.code}-{section}",
            kind=kind,
            grades=grade,
            subjects=subject,
            sourced_id=self.sourced_id("class"),
        )

    # --- students and families ------------------------------------------------------------------

    def _students(self, school: _School) -> None:
        grades = school.level.grades
        slots = [grades[i * len(grades) // school.size] for i in range(school.size)]
        self.rng.shuffle(slots)
        rows: list[tuple[str, ...]] = []
        families: list[_Family] = []
        while slots:
            size = min(len(slots), _weighted(self.rng, CHILDREN_PER_FAMILY))
            children, slots = slots[:size], slots[size:]
            families.append(self._family(children, rows))
        ids = self._insert_people(rows)
        students = [(ids[sid], grade) for kids, _adults in families for sid, grade in kids]
        guardians = [ids[sid] for _kids, adults in families for sid, _relationship in adults]
        self._insert_roles(
            [(user_id, school.org.pk, Role.STUDENT) for user_id, _grade in students]
            + [(user_id, school.org.pk, Role.GUARDIAN) for user_id in guardians]
        )
        self._enrol(school, students)
        self._link_families(families, ids)
        self.counts["students"] += len(students)
        self.counts["guardians"] += len(guardians)

    def _family(self, grades: list[str], rows: list[tuple[str, ...]]) -> _Family:
        """Invent a family with children in ``grades``; their account rows go into ``rows``."""
        language = pick_language(self.rng, LANGUAGE_WEIGHTS)
        pool = POOLS[name_background(self.rng, language)]
        surname = self.rng.choice(pool.family)
        children = []
        for grade in grades:
            first = pool.given(self.rng, pick_gender(self.rng))
            rows.append(self._person_row(first, surname, "students", grade, "en"))
            children.append((rows[-1][4], grade))
        adults = []
        for position in range(_weighted(self.rng, GUARDIANS_PER_FAMILY)):
            gender = pick_gender(self.rng)
            first = pool.given(self.rng, gender)
            rows.append(self._person_row(first, surname, "families", "", language))
            adults.append((rows[-1][4], _relationship(position, gender)))
        return children, adults

    def _enrol(self, school: _School, students: list[tuple[int, str]]) -> None:
        sample, rows = self.rng.sample, []
        for user_id, grade in students:
            classes = school.classes_by_grade[grade]
            for class_id in sample(classes, min(ENROLMENTS_PER_STUDENT, len(classes))):
                rows.append((user_id, class_id, EnrollmentRole.STUDENT, False))
        self._insert_enrolments(rows)

    def _link_families(self, families: list[_Family], ids: dict[str, int]) -> None:
        links = [
            (ids[adult], ids[child], relationship.value, position == 0)
            for children, adults in families
            for position, (adult, relationship) in enumerate(adults)
            for child, _grade in children
        ]
        insert_rows(GuardianLink, LINK_COLUMNS, links)
        self.counts["guardian links"] += len(links)

    # --- rows -----------------------------------------------------------------------------------

    def _person_row(
        self, first: str, last: str, domain: str, grade: str, language: str
    ) -> tuple[str, ...]:
        sourced_id = self.sourced_id("user")
        username = f"{username_base(first, last)}.{sourced_id.rsplit('-', 1)[1].lstrip('0')}"
        email = f"{username}@{domain}.village.test"
        return (username, first, last, email, sourced_id, grade, language, self.password)

    def _staff_row(self) -> tuple[str, ...]:
        pool = POOLS[name_background(self.rng, pick_language(self.rng, LANGUAGE_WEIGHTS))]
        first = pool.given(self.rng, pick_gender(self.rng))
        return self._person_row(first, self.rng.choice(pool.family), "staff", "", "en")

    def _insert_people(self, rows: list[tuple[str, ...]]) -> dict[str, int]:
        """Insert account rows; return their keys by sourced id (sourced ids run in sequence)."""
        insert_rows(User, USER_COLUMNS, rows)
        generated = User.objects.filter(sourced_id__range=(rows[0][4], rows[-1][4]))
        return {str(sid): pk for sid, pk in generated.values_list("sourced_id", "pk")}

    def _insert_roles(self, grants: list[tuple[int, int, Role]]) -> None:
        rows = [(user, org, role.value, self.sourced_id("role")) for user, org, role in grants]
        insert_rows(OrgRole, ROLE_COLUMNS, rows)
        self.counts["roles"] += len(rows)

    def _insert_enrolments(self, rows: list[tuple[int, int, EnrollmentRole, bool]]) -> None:
        sourced = [(*row[:2], row[2].value, row[3], self.sourced_id("enrollment")) for row in rows]
        insert_rows(Enrollment, ENROLMENT_COLUMNS, sourced)
        self.counts["enrolments"] += len(rows)


def _weighted(rng: random.Random, weights: tuple[tuple[int, float], ...]) -> int:
    return rng.choices([value for value, _w in weights], weights=[w for _value, w in weights])[0]


def _relationship(position: int, gender: Gender) -> Relationship:
    if position >= 2:
        return Relationship.GRANDPARENT
    return Relationship.MOTHER if gender == Gender.FEMALE else Relationship.FATHER


# --- removal ----------------------------------------------------------------------------------


@transaction.atomic
def generated_district_delete(*, chunk: int = 5000) -> int:
    """Remove every generated row (sourced id ``gen-``) and whatever refers to it."""
    generated = {"sourced_id__startswith": GEN_PREFIX}
    deleted = purge(Enrollment.objects.filter(**generated))
    deleted += purge(GuardianLink.objects.filter(guardian__sourced_id__startswith=GEN_PREFIX))
    deleted += purge(OrgRole.objects.filter(**generated))
    deleted += SchoolClass.terms.through.objects.filter(
        schoolclass__sourced_id__startswith=GEN_PREFIX
    ).delete()[0]
    for model in (SchoolClass, Course, AcademicSession):
        deleted += purge(model.objects.filter(**generated))
    users = User.objects.filter(**generated)
    while keys := list(users.values_list("pk", flat=True)[:chunk]):
        deleted += purge(User.objects.filter(pk__in=keys))
    deleted += purge(Organisation.objects.filter(**generated, kind=OrgKind.SCHOOL))
    return deleted + purge(Organisation.objects.filter(**generated))
