"""The home page, one section per role: guardian, student, teacher or aide, school admin,
district admin and community partner.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
)

from village.accounts.models import User, display_name, short_name
from village.community import policies
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    RosterVisibility,
    SchoolClass,
    Scope,
    current_q,
)
from village.community.selectors.common import (
    ClassSummary,
    _current_student_enrollments,
    _school_by_student,
    _staff_by_class,
    _student_roles_at,
    _summaries,
    class_rosters,
    classmate_name,
    family_reachable,
    reaches_family_q,
)
from village.core.compiled import CompiledQuery
from village.core.models import RosterStatus

STAFF_ROLES = policies.STAFF_CLASS_ROLES


# --- home: guardian --------------------------------------------------------------------------


@dataclass
class ChildCard:
    """One child on a guardian's home page, with what the guardian's link allows."""

    link: GuardianLink
    school: Organisation | None
    classes: list[ClassSummary]

    @property
    def student(self) -> User:
        return self.link.student


@dataclass(frozen=True, slots=True)
class LinkedChild:
    """One of a guardian's usable links, as the home page keys, audits and labels it: the link's
    access (status, ``no_access``, the areas it allows) and the child's names, read as plain
    values (``guardian_links``)."""

    link_id: int
    updated_at: dt.datetime
    status: str
    no_access: bool
    allowed: frozenset[str]
    student_id: int
    username: str
    first_name: str
    preferred_name: str
    last_name: str
    grade: str
    #: Values other apps asked to read along (``home_panels.register_link_values``).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def allows(self, scope: Scope | str) -> bool:
        return str(scope) in self.allowed

    @property
    def short_name(self) -> str:
        return short_name(
            username=self.username, first_name=self.first_name, preferred_name=self.preferred_name
        )

    @property
    def display_name(self) -> str:
        return display_name(
            username=self.username,
            first_name=self.first_name,
            preferred_name=self.preferred_name,
            last_name=self.last_name,
        )


_LINK_VALUES = (
    "pk",
    "updated_at",
    "status",
    "no_access",
    *(GuardianLink.scope_field(scope) for scope in Scope),
    "student_id",
    "student__username",
    "student__first_name",
    "student__preferred_name",
    "student__last_name",
    "student__grade",
)


#: The compiled links queries, by the names of their extra values.
_LINK_QUERIES: dict[tuple[str, ...], CompiledQuery] = {}


def guardian_links(user: User, extra: Mapping[str, Any] | None = None) -> list[LinkedChild]:
    """The guardian's usable links, in the children's order (one query, values only), with the
    ``extra`` values (name to an expression on the link row) read along.

    The home page runs this on every load, so the query is compiled once per set of ``extra``
    names (``core.compiled``); the expressions for a name must always be the same.
    """
    if not policies.roles_of(user).has(Role.GUARDIAN):
        return []
    extra = dict(extra or {})
    names = tuple(extra)
    query = _LINK_QUERIES.get(names)
    if query is None:
        query = _LINK_QUERIES[names] = CompiledQuery(
            "community.guardian_links:" + ",".join(names),
            lambda guardian_id: (
                policies.usable_links(guardian_id)
                .annotate(**extra)
                .values_list(*_LINK_VALUES, *names)
            ),
            guardian_id=int,
        )
    scopes = list(Scope)
    width = len(_LINK_VALUES)
    rows = []
    for row in query.rows(guardian_id=user.pk):
        pk, updated_at, status, no_access = row[:4]
        flags = row[4 : 4 + len(scopes)]
        student_id, username, first_name, preferred_name, last_name, grade = row[
            4 + len(scopes) : width
        ]
        rows.append(
            LinkedChild(
                link_id=pk,
                updated_at=updated_at,
                status=status,
                no_access=no_access,
                allowed=frozenset(
                    str(scope) for scope, allowed in zip(scopes, flags, strict=True) if allowed
                ),
                student_id=student_id,
                username=username,
                first_name=first_name,
                preferred_name=preferred_name,
                last_name=last_name,
                grade=grade,
                extra=dict(zip(names, row[width:], strict=True)),
            )
        )
    rows.sort(key=lambda child: (child.first_name, child.last_name, child.student_id))
    return rows


def guardian_children(user: User) -> list[ChildCard]:
    """Each usable link's card, with the child's school and classes (four queries)."""
    links = list(
        policies.children_links(user)
        .select_related("student")
        .order_by("student__first_name", "student__last_name", "student_id")
    )
    student_ids = [link.student_id for link in links]
    schools = _school_by_student(student_ids)
    by_student: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in _current_student_enrollments(student_ids):
        by_student[enrollment.user_id].append(enrollment)
    summaries = {
        summary.school_class.pk: summary
        for summary in _summaries(e for rows in by_student.values() for e in rows)
    }
    return [
        ChildCard(
            link=link,
            school=schools.get(link.student_id),
            classes=[summaries[e.school_class_id] for e in by_student[link.student_id]],
        )
        for link in links
    ]


# --- home: student ---------------------------------------------------------------------------


@dataclass
class StudentClass:
    """A class a student takes; ``classmates`` is ``None`` when the class list is hidden."""

    summary: ClassSummary
    classmates: list[str] | None


def _classmates(class_ids: list[int], me: User) -> dict[int, list[User]]:
    rows = (
        Enrollment.objects.current(policies.today())
        .filter(school_class_id__in=class_ids, role=EnrollmentRole.STUDENT, user__is_active=True)
        .exclude(user_id=me.pk)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    result: dict[int, list[User]] = defaultdict(list)
    for enrollment in rows:
        result[enrollment.school_class_id].append(enrollment.user)
    return result


def student_classes(user: User) -> list[StudentClass]:
    summaries = _summaries(_current_student_enrollments([user.pk]))
    visible = [
        s.school_class.pk
        for s in summaries
        if s.school_class.roster_visibility != RosterVisibility.HIDDEN
    ]
    classmates = _classmates(visible, user) if visible else {}
    return [
        StudentClass(
            summary=summary,
            classmates=None
            if summary.school_class.pk not in visible
            else [
                classmate_name(person, summary.school_class.roster_visibility)
                for person in classmates.get(summary.school_class.pk, [])
            ],
        )
        for summary in summaries
    ]


# --- home: teacher and aide ------------------------------------------------------------------


@dataclass
class RosterEntry:
    student: User
    guardian_links: list[GuardianLink]


@dataclass
class TaughtClass:
    enrollment: Enrollment
    roster: list[RosterEntry]

    @property
    def school_class(self) -> SchoolClass:
        return self.enrollment.school_class

    @property
    def unreachable_students(self) -> list[User]:
        """Students whose family the school cannot reach (``reaches_family_q``)."""
        return [
            entry.student
            for entry in self.roster
            if not any(_reaches_family(link) for link in entry.guardian_links)
        ]

    @property
    def family_languages(self) -> list[tuple[str, int]]:
        """Home languages other than English among reachable families, most common first."""
        counts: Counter[str] = Counter()
        for entry in self.roster:
            languages = {
                link.guardian.preferred_language.split("-")[0].lower()
                for link in entry.guardian_links
                if _reaches_family(link)
            }
            counts.update(language for language in languages if language != "en")
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _reaches_family(link: GuardianLink) -> bool:
    """The value ``_links_by_student`` read with ``reaches_family_q``."""
    return bool(getattr(link, "reaches_family", False))


def _links_by_student(viewer: User, student_ids: set[int]) -> dict[int, list[GuardianLink]]:
    rows = (
        policies.visible_guardian_links(viewer)
        .filter(student_id__in=student_ids)
        .exclude(status=LinkStatus.ENDED)
        .select_related("guardian")
        .annotate(reaches_family=ExpressionWrapper(reaches_family_q(), output_field=BooleanField()))
        .order_by("guardian__last_name", "guardian__first_name", "guardian_id")
    )
    result: dict[int, list[GuardianLink]] = defaultdict(list)
    for link in rows:
        result[link.student_id].append(link)
    return result


def teacher_classes(user: User) -> list[TaughtClass]:
    mine = list(
        Enrollment.objects.current(policies.today())
        .filter(user_id=user.pk, role__in=STAFF_ROLES)
        .select_related("school_class__course", "school_class__school")
        .order_by("school_class__title", "school_class_id")
    )
    rosters = class_rosters([enrollment.school_class_id for enrollment in mine])
    student_ids = {student.pk for students in rosters.values() for student in students}
    links = _links_by_student(user, student_ids) if student_ids else {}
    return [
        TaughtClass(
            enrollment=enrollment,
            roster=[
                RosterEntry(student, links.get(student.pk, []))
                for student in rosters.get(enrollment.school_class_id, [])
            ],
        )
        for enrollment in mine
    ]


# --- home: school admin ----------------------------------------------------------------------


@dataclass
class ClassRow:
    summary: ClassSummary
    student_count: int


@dataclass
class SchoolOverview:
    school: Organisation
    classes: list[ClassRow]
    role_counts: list[tuple[Role, int]]
    uncovered_students: list[User]


def _classes_with_counts(school_ids: list[int]) -> list[SchoolClass]:
    students = current_q(policies.today(), "enrollments__") & Q(
        enrollments__role=EnrollmentRole.STUDENT, enrollments__user__is_active=True
    )
    return list(
        SchoolClass.objects.filter(school_id__in=school_ids, status=RosterStatus.ACTIVE)
        .select_related("course")
        .annotate(student_count=Count("enrollments", filter=students))
        .order_by("title", "id")
    )


def _role_counts(school_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        OrgRole.objects.current(policies.today())
        .filter(organisation_id__in=school_ids, user__is_active=True)
        .values("organisation_id", "role")
        .annotate(people=Count("user_id", distinct=True))
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        result[row["organisation_id"]][row["role"]] = row["people"]
    return result


def _uncovered(school_ids: list[int]) -> dict[int, list[User]]:
    rows = (
        _student_roles_at(school_ids)
        .filter(~family_reachable())
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    result: dict[int, list[User]] = defaultdict(list)
    for org_role in rows:
        result[org_role.organisation_id].append(org_role.user)
    return result


def school_overviews(user: User) -> list[SchoolOverview]:
    """The schools ``user`` administers directly, each with classes, people and coverage."""
    schools = list(
        policies.administered_schools(user)
        .filter(pk__in=policies.roles_of(user).orgs(Role.SCHOOL_ADMIN))
        .order_by("name", "id")
    )
    school_ids = [school.pk for school in schools]
    classes = _classes_with_counts(school_ids)
    staff = _staff_by_class(school_class.pk for school_class in classes)
    counts = _role_counts(school_ids)
    uncovered = _uncovered(school_ids)
    return [
        SchoolOverview(
            school=school,
            classes=[
                ClassRow(ClassSummary(c, staff.get(c.pk, [])), c.student_count)  # type: ignore[attr-defined]
                for c in classes
                if c.school_id == school.pk
            ],
            role_counts=[(role, counts[school.pk].get(role, 0)) for role in Role],
            uncovered_students=uncovered.get(school.pk, []),
        )
        for school in schools
    ]


# --- home: district admin --------------------------------------------------------------------


@dataclass
class SchoolStats:
    school: Organisation
    students: int
    teachers: int
    classes: int
    covered: int

    @property
    def coverage_percent(self) -> int | None:
        """Share of students whose family the school can reach (``reaches_family_q``);
        ``None`` without students."""
        if not self.students:
            return None
        return round(100 * self.covered / self.students)


@dataclass
class DistrictOverview:
    district: Organisation
    schools: list[SchoolStats]


def _class_counts(school_ids: list[int]) -> dict[int, int]:
    rows = (
        SchoolClass.objects.filter(school_id__in=school_ids, status=RosterStatus.ACTIVE)
        .values("school_id")
        .annotate(n=Count("id"))
    )
    return {row["school_id"]: row["n"] for row in rows}


def _covered_counts(school_ids: list[int]) -> dict[int, int]:
    rows = (
        _student_roles_at(school_ids)
        .filter(family_reachable())
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {row["organisation_id"]: row["n"] for row in rows}


def district_overviews(user: User) -> list[DistrictOverview]:
    """Every school of the districts ``user`` administers, with counts and guardian coverage."""
    district_ids = policies.roles_of(user).orgs(Role.DISTRICT_ADMIN)
    schools = list(
        policies.administered_schools(user)
        .filter(parent_id__in=district_ids)
        .select_related("parent")
        .order_by("parent__name", "parent_id", "name", "id")
    )
    school_ids = [school.pk for school in schools]
    people = _role_counts(school_ids)
    classes = _class_counts(school_ids)
    covered = _covered_counts(school_ids)
    overviews: dict[int, DistrictOverview] = {}
    for school in schools:
        assert school.parent is not None  # a school always belongs to a district
        overview = overviews.setdefault(school.parent.pk, DistrictOverview(school.parent, []))
        overview.schools.append(
            SchoolStats(
                school=school,
                students=people[school.pk].get(Role.STUDENT, 0),
                teachers=people[school.pk].get(Role.TEACHER, 0),
                classes=classes.get(school.pk, 0),
                covered=covered.get(school.pk, 0),
            )
        )
    return list(overviews.values())


# --- home: community partner ------------------------------------------------------------------


def partner_organisations(user: User) -> list[Organisation]:
    ids = policies.roles_of(user).orgs(Role.PARTNER)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "id"))
