"""The student and class pages, and the admins' audit log and people list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    IntegerField,
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
    GuardianLink,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.community.selectors.common import (
    ClassSummary,
    _current_student_enrollments,
    _staff_by_class,
    _summaries,
    can_sign_in_q,
    class_rosters,
    classmate_name,
    student_school,
)
from village.core.models import AuditEvent

STAFF_ROLES = policies.STAFF_CLASS_ROLES


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
        students = class_rosters([school_class.pk]).get(school_class.pk, [])
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
