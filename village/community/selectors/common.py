"""Building blocks shared by the community selectors: class summaries, staff, schools and
guardian coverage (can a student's family actually sign in?).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from village.accounts.models import User
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
)
from village.core.models import RosterStatus

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


def reaches_family_q(prefix: str = "") -> Q:
    """The one rule for "the school can reach this student's family through Village", on
    ``GuardianLink`` rows (``prefix`` reaches the link through a relation).

    A link reaches the family when it is active and not ``no_access`` (a court order: the
    guardian sees nothing of the child), the guardian receives school communications, and the
    guardian's account is active and can sign in (a usable password, or a past sign-in through
    single sign-on). The teacher's and the principal's pages both count with this rule.
    """
    return Q(
        can_sign_in_q(f"{prefix}guardian__"),
        **{
            f"{prefix}status": LinkStatus.ACTIVE,
            f"{prefix}no_access": False,
            f"{prefix}receives_communications": True,
            f"{prefix}guardian__is_active": True,
            f"{prefix}guardian__status": RosterStatus.ACTIVE,
        },
    )


def family_reachable() -> Exists:
    """For rows with a ``user_id`` student: a guardian link that reaches the family
    (``reaches_family_q``)."""
    return Exists(GuardianLink.objects.filter(reaches_family_q(), student_id=OuterRef("user_id")))


def _student_roles_at(school_ids: Iterable[int]) -> QuerySet[OrgRole]:
    return OrgRole.objects.current(policies.today()).filter(
        role=Role.STUDENT, organisation_id__in=list(school_ids), user__is_active=True
    )


def class_rosters(class_ids: list[int]) -> dict[int, list[User]]:
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
