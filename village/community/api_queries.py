"""The reads behind the JSON API, each a constant number of SQL queries however much data exists.

Every function starts from an access-policy filter (``village.community.policies``), so it only
ever returns what the caller may see. Related rows come through ``select_related`` and
``Prefetch`` objects, so a paginated slice of a queryset loads its page in a fixed number of
queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    F,
    Prefetch,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, Left, NullIf, Trim
from django.http import HttpRequest

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgRole,
    Role,
    RosterVisibility,
    SchoolClass,
)
from village.community.policies import (
    AnyUser,
    RosterAccess,
    roles_of,
    roster_access,
    student_schools,
    today,
    visible_classes,
    visible_guardian_links,
    visible_students,
)
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

#: Attribute set on each class by :func:`teachers_prefetch`: its current teacher enrolments.
TEACHERS_ATTR = "current_teachers"


def teachers_prefetch(lookup: str = "enrollments") -> Prefetch:
    """Current teacher enrolments (with the teacher) of the classes at ``lookup``, primary first."""
    teachers = (
        Enrollment.objects.current(today())
        .filter(role=EnrollmentRole.TEACHER)
        .select_related("user")
        .order_by("-is_primary", "user__last_name", "user__first_name", "user_id")
    )
    return Prefetch(lookup, queryset=teachers, to_attr=TEACHERS_ATTR)


def teachers_of(school_class: SchoolClass) -> list[User]:
    """The teachers :func:`teachers_prefetch` loaded onto ``school_class``."""
    enrollments: list[Enrollment] = getattr(school_class, TEACHERS_ATTR)
    return [enrollment.user for enrollment in enrollments]


# --- the caller --------------------------------------------------------------------------------


def current_roles(user: User) -> QuerySet[OrgRole]:
    """The caller's current roles with their organisation, by organisation name then role."""
    return (
        OrgRole.objects.current(today())
        .filter(user_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "role")
    )


def children_of_guardian(
    user: AnyUser, *, request: HttpRequest | None = None
) -> QuerySet[GuardianLink]:
    """The caller's own usable guardian links to children they may see, by child's name.

    Each link carries ``student.current_schools`` (current student roles with the school) and
    ``student.current_classes`` (current enrolments in classes the caller may see, each class with
    its teachers). Non-guardians get an empty queryset. The view of every child is written to
    the audit log as an API view (two queries and one insert, however many children).
    """
    student_roles = (
        OrgRole.objects.current(today())
        .filter(role=Role.STUDENT)
        .select_related("organisation")
        .order_by("-is_primary", "organisation__name", "id")
    )
    links = visible_guardian_links(user).filter(
        guardian_id=user.pk, student_id__in=visible_students(user).values("pk")
    )
    _audit_children(user, list(links.values_list("student_id", flat=True)), request)
    return (
        links.select_related("student")
        .prefetch_related(
            Prefetch("student__org_roles", queryset=student_roles, to_attr="current_schools"),
            Prefetch(
                "student__enrollments",
                queryset=_student_enrollments_in(visible_classes(user)),
                to_attr="current_classes",
            ),
        )
        .order_by("student__last_name", "student__first_name", "student_id")
    )


def _audit_children(user: AnyUser, child_ids: list[int], request: HttpRequest | None) -> None:
    if not child_ids:
        return
    schools = student_schools(child_ids)
    audit_views(
        actor_id=user.pk,  # type: ignore[arg-type]
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=child_id, organisation_id=_pk(schools.get(child_id)))
            for child_id in child_ids
        ],
        request=request,
        channel="api",
    )


def _pk(organisation: Organisation | None) -> int | None:
    return organisation.pk if organisation is not None else None


def _student_enrollments_in(classes: QuerySet[SchoolClass]) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.current(today())
        .filter(role=EnrollmentRole.STUDENT, school_class_id__in=classes.values("pk"))
        .select_related("school_class")
        .prefetch_related(teachers_prefetch("school_class__enrollments"))
        .order_by("school_class__title", "school_class_id")
    )


def school_of_child(link: GuardianLink) -> Organisation | None:
    roles: list[OrgRole] = getattr(link.student, "current_schools", [])
    return roles[0].organisation if roles else None


def classes_of_child(link: GuardianLink) -> list[SchoolClass]:
    enrollments: list[Enrollment] = getattr(link.student, "current_classes", [])
    return [enrollment.school_class for enrollment in enrollments]


# --- classes -------------------------------------------------------------------------------------


def classes_for_api(user: AnyUser) -> QuerySet[SchoolClass]:
    """Classes the caller may see, with course, school and teachers, by title."""
    return (
        visible_classes(user)
        .select_related("course", "school")
        .prefetch_related(teachers_prefetch())
        .order_by("title", "id")
    )


def class_for_api(school_class: SchoolClass) -> SchoolClass:
    """A class the caller may see (``class_for_viewer``), with its teachers."""
    prefetch_related_objects([school_class], teachers_prefetch())
    return school_class


def roster_for_api(
    user: AnyUser, school_class: SchoolClass, *, request: HttpRequest | None = None
) -> QuerySet[User]:
    """The students of a visible class, annotated with ``roster_id`` and ``roster_name``.

    Raises ``PermissionDenied`` when the caller may see the class but not its roster. A staff view
    is written to the audit log (one entry for the class); classmates' views are not.
    """
    access = roster_access(user, school_class)
    if access is RosterAccess.NONE:
        raise PermissionDenied("The roster of this class is not shown to you.")
    if access is RosterAccess.FULL:
        audit_views(
            actor_id=user.pk,  # type: ignore[arg-type]
            action=AuditAction.VIEW_ROSTER,
            viewed=[
                Viewed(
                    student_id=None,
                    organisation_id=school_class.school_id,
                    object_type="class",
                    object_id=str(school_class.pk),
                )
            ],
            request=request,
            channel="api",
        )
    return _roster_students(school_class, access)


def _roster_students(school_class: SchoolClass, access: RosterAccess) -> QuerySet[User]:
    enrolled = (
        Enrollment.objects.current(today())
        .filter(school_class_id=school_class.pk, role=EnrollmentRole.STUDENT)
        .values("user_id")
    )
    full_names = access is RosterAccess.FULL or (
        school_class.roster_visibility == RosterVisibility.FULL_NAMES
    )
    hidden_id = Value(None, output_field=BigIntegerField())
    roster_id = F("pk") if access is RosterAccess.FULL else hidden_id
    return (
        User.objects.filter(pk__in=enrolled, is_active=True)
        .annotate(
            roster_id=roster_id,
            roster_name=_full_name() if full_names else _first_name_and_initial(),
        )
        .order_by("last_name", "first_name", "id")
    )


def _given_name() -> Coalesce:
    return Coalesce(NullIf(F("preferred_name"), Value("")), F("first_name"))


def _full_name() -> Coalesce:
    """``User.display_name`` in SQL: given name and last name, trimmed, else the username
    (``test_names_sql`` checks the two agree)."""
    joined = Trim(Concat(_given_name(), Value(" "), F("last_name"), output_field=CharField()))
    return Coalesce(NullIf(joined, Value("")), F("username"), output_field=CharField())


def _first_name_and_initial() -> Concat:
    """``classmate_name`` for first names in SQL: the short name and the last name's initial."""
    short = Coalesce(
        NullIf(F("preferred_name"), Value("")), NullIf(F("first_name"), Value("")), F("username")
    )
    initial = Case(
        When(last_name="", then=Value("")),
        default=Concat(Value(" "), Left("last_name", 1), Value(".")),
        output_field=CharField(),
    )
    return Concat(short, initial, output_field=CharField())


# --- students --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentDetail:
    student: User
    school: Organisation | None
    classes: list[SchoolClass]
    #: Every guardian link of the student the caller sees as staff (empty for everyone else).
    guardian_links: list[GuardianLink]
    #: The caller's own link to the student, when the caller is one of their guardians.
    own_link: GuardianLink | None


def student_detail_for_api(user: AnyUser, student: User) -> StudentDetail:
    """What the API shows of a student the caller may see (``student_for_viewer``)."""
    links = list(
        visible_guardian_links(user)
        .filter(student_id=student.pk)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "guardian_id")
    )
    own_link = next((link for link in links if link.guardian_id == user.pk), None)
    return StudentDetail(
        student=student,
        school=_school_of_student(student),
        classes=_classes_of_student(user, student),
        guardian_links=links if roles_of(user).is_staff_member else [],
        own_link=own_link,
    )


def _school_of_student(student: User) -> Organisation | None:
    role = (
        OrgRole.objects.current(today())
        .filter(user_id=student.pk, role=Role.STUDENT)
        .select_related("organisation")
        .order_by("-is_primary", "organisation__name", "id")
        .first()
    )
    return role.organisation if role is not None else None


def _classes_of_student(user: AnyUser, student: User) -> list[SchoolClass]:
    """The student's current classes that the caller may see, with teachers."""
    enrolled = (
        Enrollment.objects.current(today())
        .filter(user_id=student.pk, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    return list(
        visible_classes(user)
        .filter(pk__in=enrolled)
        .prefetch_related(teachers_prefetch())
        .order_by("title", "id")
    )
