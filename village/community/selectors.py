"""Reads for the community pages: each function builds one page section in a constant number of
SQL queries, however many children, classes or students it shows.

Everything here starts from the access policy (``village.community.policies``): a selector never
widens what a user may see, it only loads it efficiently.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from village.accounts.models import User
from village.community import policies
from village.community.models import (
    AcademicSession,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    RosterVisibility,
    SchoolClass,
    current_q,
)
from village.core.models import AuditEvent, RosterStatus

STAFF_ROLES = policies.STAFF_CLASS_ROLES


# --- shared building blocks ----------------------------------------------------------------------


@dataclass
class ClassSummary:
    """A class with its current teachers and aides (each an enrolment with its user loaded)."""

    school_class: SchoolClass
    staff: list[Enrollment] = field(default_factory=list)


def _current_student_enrollments(student_ids: Iterable[int]) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.current(policies.today())
        .filter(user_id__in=list(student_ids), role=EnrollmentRole.STUDENT)
        .select_related("school_class__course", "school_class__school")
        .order_by("school_class__title", "school_class_id")
    )


def _staff_by_class(class_ids: Iterable[int]) -> dict[int, list[Enrollment]]:
    """Current teachers and aides of each class, primary teachers first (one query)."""
    ids = list(class_ids)
    result: dict[int, list[Enrollment]] = defaultdict(list)
    if not ids:
        return result
    rows = (
        Enrollment.objects.current(policies.today())
        .filter(school_class_id__in=ids, role__in=STAFF_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("-is_primary", "-role", "user__last_name", "user__first_name", "user_id")
    )
    for enrollment in rows:
        result[enrollment.school_class_id].append(enrollment)
    return result


def _school_by_student(student_ids: Iterable[int]) -> dict[int, Organisation]:
    """Each student's school: the primary current student role wins (one query)."""
    rows = (
        OrgRole.objects.current(policies.today())
        .filter(user_id__in=list(student_ids), role=Role.STUDENT)
        .select_related("organisation")
        .order_by("-is_primary", "id")
    )
    result: dict[int, Organisation] = {}
    for org_role in rows:
        result.setdefault(org_role.user_id, org_role.organisation)
    return result


def student_school(student_id: int) -> Organisation | None:
    return _school_by_student([student_id]).get(student_id)


def _summaries(enrollments: Iterable[Enrollment]) -> list[ClassSummary]:
    classes = [enrollment.school_class for enrollment in enrollments]
    staff = _staff_by_class(school_class.pk for school_class in classes)
    return [ClassSummary(school_class, staff.get(school_class.pk, [])) for school_class in classes]


def classmate_name(person: User, visibility: str) -> str:
    """A classmate's name as the class's roster visibility allows students to see it."""
    if visibility == RosterVisibility.FULL_NAMES:
        return person.display_name
    initial = f" {person.last_name[:1]}." if person.last_name else ""
    return f"{person.short_name}{initial}"


# --- guardian coverage: can a student's family actually sign in? ----------------------------------


def can_sign_in_q(prefix: str = "") -> Q:
    """Accounts that can sign in: a usable password, or a past sign-in (single sign-on)."""
    usable = ~Q(**{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}) & ~Q(
        **{f"{prefix}password": ""}
    )
    return usable | Q(**{f"{prefix}last_login__isnull": False})


def covered_by_guardian() -> Exists:
    """For rows with a ``user_id`` student: an active link to an active guardian who can sign in.

    A ``no_access`` link does not count: that guardian sees nothing of the child.
    """
    links = GuardianLink.objects.filter(
        can_sign_in_q("guardian__"),
        student_id=OuterRef("user_id"),
        status=LinkStatus.ACTIVE,
        no_access=False,
        guardian__is_active=True,
        guardian__status=RosterStatus.ACTIVE,
    )
    return Exists(links)


def _student_roles_at(school_ids: Iterable[int]) -> QuerySet[OrgRole]:
    return OrgRole.objects.current(policies.today()).filter(
        role=Role.STUDENT, organisation_id__in=list(school_ids), user__is_active=True
    )


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


def guardian_children(user: User) -> list[ChildCard]:
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
        """Students with no guardian the school can reach through Village (no usable link)."""
        return [
            entry.student
            for entry in self.roster
            if not any(_reachable(link) for link in entry.guardian_links)
        ]

    @property
    def family_languages(self) -> list[tuple[str, int]]:
        """Home languages other than English among reachable families, most common first."""
        counts: Counter[str] = Counter()
        for entry in self.roster:
            languages = {
                link.guardian.preferred_language.split("-")[0].lower()
                for link in entry.guardian_links
                if _reachable(link)
            }
            counts.update(language for language in languages if language != "en")
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _reachable(link: GuardianLink) -> bool:
    return (
        link.status == LinkStatus.ACTIVE
        and not link.no_access
        and link.receives_communications
        and link.guardian.is_active
    )


def _roster(class_ids: list[int]) -> dict[int, list[User]]:
    rows = (
        Enrollment.objects.current(policies.today())
        .filter(school_class_id__in=class_ids, role=EnrollmentRole.STUDENT, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    result: dict[int, list[User]] = defaultdict(list)
    for enrollment in rows:
        result[enrollment.school_class_id].append(enrollment.user)
    return result


def _links_by_student(viewer: User, student_ids: set[int]) -> dict[int, list[GuardianLink]]:
    rows = (
        policies.visible_guardian_links(viewer)
        .filter(student_id__in=student_ids)
        .exclude(status=LinkStatus.ENDED)
        .select_related("guardian")
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
    rosters = _roster([enrollment.school_class_id for enrollment in mine])
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
        .filter(~covered_by_guardian())
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
        """Share of students with a guardian who can sign in; ``None`` without students."""
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
        .filter(covered_by_guardian())
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


# --- student page ----------------------------------------------------------------------------


@dataclass
class StudentPage:
    student: User
    school: Organisation | None
    classes: list[ClassSummary]
    guardian_links: list[GuardianLink]
    as_staff: bool

    def own_link(self, viewer: User) -> GuardianLink | None:
        return next((link for link in self.guardian_links if link.guardian_id == viewer.pk), None)


def student_page(viewer: User, student: User) -> StudentPage:
    """What ``viewer`` may see about ``student`` (already loaded through the policy)."""
    enrollments = _current_student_enrollments([student.pk]).filter(
        school_class_id__in=policies.visible_classes(viewer).values("pk")
    )
    links = (
        policies.student_guardian_links(viewer, student.pk)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "guardian_id")
    )
    return StudentPage(
        student=student,
        school=student_school(student.pk),
        classes=_summaries(enrollments),
        guardian_links=list(links),
        as_staff=policies.sees_student_as_staff(viewer, student.pk),
    )


# --- class page ------------------------------------------------------------------------------


@dataclass
class ClassPage:
    school_class: SchoolClass
    terms: list[AcademicSession]
    staff: list[Enrollment]
    roster: list[User] | None  # None: the viewer may not see the class list
    full_roster: bool

    def roster_names(self) -> list[str]:
        visibility = self.school_class.roster_visibility
        return [classmate_name(person, visibility) for person in self.roster or []]


def class_page(viewer: User, school_class: SchoolClass) -> ClassPage:
    """The class as ``viewer`` sees it: staff get the full roster, classmates what it allows."""
    full = policies.can_see_full_class_roster(viewer, school_class)
    roster: list[User] | None = None
    if full or policies.can_see_class_roster(viewer, school_class):
        students = _roster([school_class.pk]).get(school_class.pk, [])
        roster = students if full else [s for s in students if s.pk != viewer.pk]
    return ClassPage(
        school_class=school_class,
        terms=list(school_class.terms.order_by("start_date", "title")),
        staff=_staff_by_class([school_class.pk]).get(school_class.pk, []),
        roster=roster,
        full_roster=full,
    )


# --- audit log and people (admins) -----------------------------------------------------------


def audit_entries(user: User, *, student_id: int | None = None) -> QuerySet[AuditEvent]:
    """Audit entries of the schools ``user`` administers, newest first."""
    entries = AuditEvent.objects.filter(
        organisation_id__in=policies.audit_organisation_ids(user)
    ).select_related("actor", "student")
    if student_id is not None:
        entries = entries.filter(student_id=student_id)
    return entries.order_by("-at", "-id")


@dataclass
class AuditRow:
    entry: AuditEvent
    school_name: str
    class_title: str


def audit_rows(entries: Iterable[AuditEvent]) -> list[AuditRow]:
    """Entries with the names of their school and class (two queries for a whole page)."""
    entries = list(entries)
    school_ids = {entry.organisation_id for entry in entries if entry.organisation_id}
    class_ids = {
        int(entry.object_id)
        for entry in entries
        if entry.object_type == "class" and entry.object_id.isdigit()
    }
    schools = dict(Organisation.objects.filter(pk__in=school_ids).values_list("pk", "name"))
    classes = dict(SchoolClass.objects.filter(pk__in=class_ids).values_list("pk", "title"))
    return [
        AuditRow(
            entry=entry,
            school_name=schools.get(entry.organisation_id or 0, ""),
            class_title=classes.get(int(entry.object_id), "")
            if entry.object_type == "class" and entry.object_id.isdigit()
            else "",
        )
        for entry in entries
    ]


def _name_search(terms: str, prefix: str = "user__") -> Q:
    condition = Q()
    for word in terms.split():
        condition &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}preferred_name__icontains": word})
            | Q(**{f"{prefix}username__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return condition


def people_of_schools(
    user: User,
    *,
    search: str = "",
    role: str = "",
    school_id: int | None = None,
) -> QuerySet[OrgRole]:
    """Current roles at the schools ``user`` administers, by role then name."""
    role_order = Case(
        *(When(role=value, then=Value(position)) for position, value in enumerate(Role.values)),
        output_field=IntegerField(),
    )
    rows = (
        OrgRole.objects.current(policies.today())
        .filter(organisation_id__in=policies.administered_schools(user).values("pk"))
        .filter(_name_search(search))
        .select_related("user", "organisation")
        .annotate(
            role_order=role_order,
            can_sign_in=ExpressionWrapper(can_sign_in_q("user__"), output_field=BooleanField()),
        )
    )
    if role:
        rows = rows.filter(role=role)
    if school_id is not None:
        rows = rows.filter(organisation_id=school_id)
    return rows.order_by("role_order", "user__last_name", "user__first_name", "user_id", "id")
