"""The access policy: who may see or change which students, classes, people and guardian links.

Every rule is written once here and usable both ways: ``visible_*`` filters a queryset to what a
user may see, ``*_for_viewer`` loads one object or raises ``Http404``. Views and API endpoints load
student data only through these functions; what a user may not see does not exist for them.

Rules (roles are *current*: active, and today within their dates):
- student: themself;
- guardian: linked children whose link is active and not ``no_access``, within the link's scope;
- teacher/aide: students currently enrolled in classes they currently teach;
- school admin: students, classes and people of their schools;
- district admin: the same for every school of their district;
- community partner and anyone else: nothing personal.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    Role,
    RosterVisibility,
    SchoolClass,
    Scope,
)
from village.core.audit import Viewed, audit_views
from village.core.compiled import CompiledQuery
from village.core.models import AuditAction, RosterStatus
from village.core.policies import one_or_404

STAFF_CLASS_ROLES = (EnrollmentRole.TEACHER, EnrollmentRole.AIDE)

AnyUser = User | AnonymousUser
#: A ``values(...)`` queryset used as a subquery of ids.
IdQuery = QuerySet[Any, Any]


def _pk(user: AnyUser) -> int:
    """The user's id; 0 (which matches no row) for an anonymous user."""
    return user.pk or 0


@dataclass(frozen=True)
class Roles:
    """A user's current roles, read once per request (one query) and cached on the user."""

    by_role: dict[str, frozenset[int]] = field(default_factory=dict)

    def orgs(self, role: Role) -> frozenset[int]:
        return self.by_role.get(role, frozenset())

    def has(self, role: Role) -> bool:
        return bool(self.by_role.get(role))

    @property
    def is_admin(self) -> bool:
        return self.has(Role.SCHOOL_ADMIN) or self.has(Role.DISTRICT_ADMIN)

    @property
    def is_staff_member(self) -> bool:
        return self.is_admin or self.has(Role.TEACHER) or self.has(Role.AIDE)


def today() -> dt.date:
    return timezone.localdate()


def roles_of(user: AnyUser) -> Roles:
    """The user's current roles by organisation; empty for anonymous or inactive users."""
    if not user.is_authenticated or not user.is_active:
        return Roles()
    cached: Roles | None = getattr(user, "_village_roles", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {}
    for role, org_id in _CURRENT_ROLES.rows(user_id=user.pk, today=today()):
        by_role.setdefault(role, set()).add(org_id)
    roles = Roles({role: frozenset(ids) for role, ids in by_role.items()})
    user._village_roles = roles  # type: ignore[attr-defined]
    return roles


#: Every page asks for the signed-in user's roles: compiled once (``core.compiled``).
_CURRENT_ROLES = CompiledQuery(
    "community.current_roles",
    lambda user_id, today: (
        OrgRole.objects.current(today)
        .filter(user_id=user_id)
        .values_list("role", "organisation_id")
    ),
    user_id=int,
    today=dt.date,
)


def forget_roles(user: AnyUser) -> None:
    """Drop the cached roles (after a role changes within one request or test)."""
    if hasattr(user, "_village_roles"):
        del user._village_roles


def _admin_school_ids(roles: Roles) -> IdQuery | None:
    """Schools a user administers, directly or through their district; ``None`` when none."""
    school_ids = roles.orgs(Role.SCHOOL_ADMIN)
    district_ids = roles.orgs(Role.DISTRICT_ADMIN)
    if not school_ids and not district_ids:
        return None
    return Organisation.objects.filter(
        Q(pk__in=school_ids) | Q(parent_id__in=district_ids), kind=OrgKind.SCHOOL
    ).values("pk")


def administered_schools(user: AnyUser) -> QuerySet[Organisation]:
    roles = roles_of(user)
    ids = _admin_school_ids(roles)
    if ids is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=ids)


def taught_class_ids(user: AnyUser, *, aides: bool = True) -> IdQuery:
    """Ids of classes the user currently teaches or, unless ``aides`` is false, assists in
    (a subquery). This is the one definition of "teaches"."""
    roles = STAFF_CLASS_ROLES if aides else (EnrollmentRole.TEACHER,)
    return (
        Enrollment.objects.current(today())
        .filter(user_id=_pk(user), role__in=roles)
        .values("school_class_id")
    )


def teaches_class(user: AnyUser, school_class: SchoolClass | int, *, aides: bool = True) -> bool:
    """Does ``user`` currently teach (or, unless ``aides`` is false, assist in) the class?"""
    class_id = school_class if isinstance(school_class, int) else school_class.pk
    return taught_class_ids(user, aides=aides).filter(school_class_id=class_id).exists()


def teaches_student(user: AnyUser, student_id: int, *, aides: bool = True) -> bool:
    """Is the student currently enrolled in a class ``user`` teaches (or, unless ``aides`` is
    false, assists in)?"""
    return (
        Enrollment.objects.current(today())
        .filter(
            user_id=student_id,
            role=EnrollmentRole.STUDENT,
            school_class_id__in=taught_class_ids(user, aides=aides),
        )
        .exists()
    )


def _student_ids_at(school_ids: IdQuery) -> IdQuery:
    return (
        OrgRole.objects.current(today())
        .filter(role=Role.STUDENT, organisation_id__in=school_ids)
        .values("user_id")
    )


def _guardian_link_filter(user: AnyUser, scope: Scope | None) -> Q:
    return guardian_link_q(user.pk, scope)


def usable_link_q(scope: Scope | None = None) -> Q:
    """Usable guardian links (active, not ``no_access``), within ``scope`` if given."""
    condition = Q(status=LinkStatus.ACTIVE, no_access=False)
    if scope is not None:
        condition &= Q(**{GuardianLink.scope_field(scope): True})
    return condition


def guardian_link_q(guardian_id: int | None, scope: Scope | None = None) -> Q:
    """A guardian's usable links (active, not ``no_access``), within ``scope`` if given."""
    return Q(guardian_id=guardian_id) & usable_link_q(scope)


def visible_students(user: AnyUser, *, scope: Scope | None = None) -> QuerySet[User]:
    """Students whose record ``user`` may see; with ``scope``, only where that area is allowed.

    Scope limits guardians only: staff see every area of the students they work with.
    """
    condition = _students_condition(user, roles_of(user), scope)
    return get_user_model().objects.filter(condition, is_active=True)


def _students_condition(user: AnyUser, roles: Roles, scope: Scope | None) -> Q:
    condition = Q(pk__in=[])
    if roles.has(Role.STUDENT):
        condition |= Q(pk=user.pk)
    if roles.has(Role.GUARDIAN):
        links = GuardianLink.objects.filter(_guardian_link_filter(user, scope))
        condition |= Q(pk__in=links.values("student_id"))
    if roles.has(Role.TEACHER) or roles.has(Role.AIDE):
        enrolled = (
            Enrollment.objects.current(today())
            .filter(role=EnrollmentRole.STUDENT, school_class_id__in=taught_class_ids(user))
            .values("user_id")
        )
        condition |= Q(pk__in=enrolled)
    admin_schools = _admin_school_ids(roles)
    if admin_schools is not None:
        condition |= Q(pk__in=_student_ids_at(admin_schools))
    return condition


def visible_classes(user: AnyUser) -> QuerySet[SchoolClass]:
    """Classes ``user`` may see: their own, their children's, or their schools'."""
    roles = roles_of(user)
    condition = Q(pk__in=[])
    current = Enrollment.objects.current(today())
    if roles.has(Role.STUDENT):
        condition |= Q(
            pk__in=current.filter(user_id=_pk(user), role=EnrollmentRole.STUDENT).values(
                "school_class_id"
            )
        )
    if roles.has(Role.GUARDIAN):
        children = GuardianLink.objects.filter(_guardian_link_filter(user, None)).values(
            "student_id"
        )
        condition |= Q(
            pk__in=current.filter(user_id__in=children, role=EnrollmentRole.STUDENT).values(
                "school_class_id"
            )
        )
    if roles.has(Role.TEACHER) or roles.has(Role.AIDE):
        condition |= Q(pk__in=taught_class_ids(user))
    admin_schools = _admin_school_ids(roles)
    if admin_schools is not None:
        condition |= Q(school_id__in=admin_schools)
    return SchoolClass.objects.filter(condition, status=RosterStatus.ACTIVE)


def visible_guardian_links(user: AnyUser) -> QuerySet[GuardianLink]:
    """Guardian links ``user`` may see.

    A guardian sees their own usable links; staff see the links of students they may see,
    including ``no_access`` ones (the school must know about a court order); a student sees
    their own guardians.
    """
    roles = roles_of(user)
    condition = Q(pk__in=[])
    if roles.has(Role.GUARDIAN):
        condition |= _guardian_link_filter(user, None)
    if roles.has(Role.STUDENT):
        condition |= Q(student_id=user.pk, status=LinkStatus.ACTIVE, no_access=False)
    if roles.is_staff_member:
        condition |= Q(student_id__in=_staff_student_ids(user))
    return GuardianLink.objects.filter(condition)


def _staff_student_ids(user: AnyUser) -> IdQuery:
    """Students ``user`` sees as teacher, aide or admin (not as guardian or student)."""
    staff_roles = Roles(
        {
            role: ids
            for role, ids in roles_of(user).by_role.items()
            if role not in (Role.GUARDIAN, Role.STUDENT)
        }
    )
    condition = _students_condition(user, staff_roles, None)
    return get_user_model().objects.filter(condition).values("pk")


def visible_people(user: AnyUser) -> QuerySet[User]:
    """People whose name and school contact ``user`` may see.

    Themself; visible students; the teachers of visible classes; guardians on visible links;
    and, for admins, every person with a role in their schools.
    """
    roles = roles_of(user)
    if not user.is_authenticated:
        return get_user_model().objects.none()
    condition = Q(pk=user.pk) | Q(pk__in=visible_students(user).values("pk"))
    condition |= Q(
        pk__in=Enrollment.objects.current(today())
        .filter(role__in=STAFF_CLASS_ROLES, school_class_id__in=visible_classes(user).values("pk"))
        .values("user_id")
    )
    condition |= Q(pk__in=visible_guardian_links(user).values("guardian_id"))
    admin_schools = _admin_school_ids(roles)
    if admin_schools is not None:
        condition |= Q(
            pk__in=OrgRole.objects.filter(organisation_id__in=admin_schools).values("user_id")
        )
    return get_user_model().objects.filter(condition)


# --- single objects -------------------------------------------------------------------------


#: Which of a student's roles names their school in the audit log (any role, current or not)…
RECORDED_SCHOOL_ORDER = ("-is_primary", "-status", "id")
#: … and on pages (``student_schools``: current roles only).
SHOWN_SCHOOL_ORDER = ("-is_primary", "id")


def _student_school_id(student_id: int) -> int | None:
    return (
        OrgRole.objects.filter(user_id=student_id, role=Role.STUDENT)
        .order_by(*RECORDED_SCHOOL_ORDER)
        .values_list("organisation_id", flat=True)
        .first()
    )


def student_for_viewer(
    user: AnyUser,
    student_id: int,
    *,
    scope: Scope | None = None,
    request: HttpRequest | None = None,
    channel: str = "web",
) -> User:
    """Load one student ``user`` may see (within ``scope``) or raise ``Http404``.

    A successful view by anyone but the student is written to the audit log; a refused one is not
    (it showed nothing).
    """
    student = visible_students(user, scope=scope).filter(pk=student_id).first()
    if student is None:
        raise Http404("No such student.")
    audit_views(
        actor_id=user.pk,  # type: ignore[arg-type]
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=student.pk, organisation_id=_student_school_id(student.pk))],
        request=request,
        channel=channel,
    )
    return student


def class_for_viewer(user: AnyUser, class_id: int) -> SchoolClass:
    school_class = (
        visible_classes(user).select_related("course", "school").filter(pk=class_id).first()
    )
    if school_class is None:
        raise Http404("No such class.")
    return school_class


def guardian_link_for_viewer(user: AnyUser, link_id: int) -> GuardianLink:
    return one_or_404(visible_guardian_links(user).filter(pk=link_id), "No such guardian link.")


# --- questions about one object --------------------------------------------------------------


def can_view_student(user: AnyUser, student: User, *, scope: Scope | None = None) -> bool:
    return visible_students(user, scope=scope).filter(pk=student.pk).exists()


def can_manage_student(user: AnyUser, student: User) -> bool:
    """Admins of the student's school (or district) may change the record and its guardians."""
    admin_schools = _admin_school_ids(roles_of(user))
    if admin_schools is None:
        return False
    return _student_ids_at(admin_schools).filter(user_id=student.pk).exists()


def can_manage_school(user: AnyUser, school: Organisation) -> bool:
    admin_schools = _admin_school_ids(roles_of(user))
    return admin_schools is not None and admin_schools.filter(pk=school.pk).exists()


def can_see_class_roster(user: AnyUser, school_class: SchoolClass) -> bool:
    """Staff of the class and admins see the full roster; students see it as the class allows."""
    if can_see_full_class_roster(user, school_class):
        return True
    if school_class.roster_visibility == RosterVisibility.HIDDEN:
        return False
    return (
        Enrollment.objects.current(today())
        .filter(user_id=_pk(user), school_class_id=school_class.pk, role=EnrollmentRole.STUDENT)
        .exists()
    )


def may_read_audit_log(user: AnyUser) -> bool:
    """School and district admins read the audit log of their schools."""
    return administered_schools(user).exists()


def audit_organisation_ids(user: AnyUser) -> IdQuery:
    """Organisations whose audit entries ``user`` may read: the schools they administer."""
    return administered_schools(user).values("pk")


# --- rules for the community pages -------------------------------------------------------------


def children_links(user: AnyUser) -> QuerySet[GuardianLink]:
    """The user's own usable links as a guardian (active, not ``no_access``, active child)."""
    if not roles_of(user).has(Role.GUARDIAN):
        return GuardianLink.objects.none()
    return usable_links(user.pk)


def usable_links(guardian_id: int | None) -> QuerySet[GuardianLink]:
    """``children_links`` by the guardian's id, for a caller that checked the guardian role."""
    return GuardianLink.objects.filter(guardian_link_q(guardian_id), student__is_active=True)


def guardian_children_ids(user: AnyUser, *, scope: Scope | None = None) -> IdQuery:
    """Ids of the user's children as a guardian (usable links, within ``scope``): a subquery."""
    if not roles_of(user).has(Role.GUARDIAN):
        return GuardianLink.objects.none().values("student_id")
    return GuardianLink.objects.filter(
        _guardian_link_filter(user, scope), student__is_active=True
    ).values("student_id")


def student_schools(student_ids: Iterable[int]) -> dict[int, Organisation]:
    """Each student's school, as the pages and the audit log name it: the primary current
    student role wins (one query)."""
    rows = (
        OrgRole.objects.current(today())
        .filter(user_id__in=list(student_ids), role=Role.STUDENT)
        .select_related("organisation")
        .order_by(*SHOWN_SCHOOL_ORDER)
    )
    schools: dict[int, Organisation] = {}
    for org_role in rows:
        schools.setdefault(org_role.user_id, org_role.organisation)
    return schools


def sees_student_as_staff(user: AnyUser, student_id: int) -> bool:
    """Does ``user`` see this student as teacher, aide or admin (not merely as guardian)?"""
    if not roles_of(user).is_staff_member:
        return False
    return _staff_student_ids(user).filter(pk=student_id).exists()


def student_guardian_links(user: AnyUser, student_id: int) -> QuerySet[GuardianLink]:
    """The links of one student that ``user`` may see on that student's page.

    Staff of the student see every link (court orders included); the student sees their own
    usable links; a guardian sees only their own link, never the other guardians.
    """
    condition = _guardian_link_filter(user, None)
    if sees_student_as_staff(user, student_id):
        condition |= Q(pk__isnull=False)
    elif user.pk == student_id and roles_of(user).has(Role.STUDENT):
        condition |= Q(status=LinkStatus.ACTIVE, no_access=False)
    return GuardianLink.objects.filter(condition, student_id=student_id)


class RosterAccess(enum.Enum):
    NONE = "none"
    NAMES = "names"  # a student of the class: names as the class's roster visibility allows
    FULL = "full"  # staff of the class or admins of its school: full names and ids


def roster_access(user: AnyUser, school_class: SchoolClass) -> RosterAccess:
    """How much of a visible class's roster ``user`` sees."""
    if not can_see_class_roster(user, school_class):
        return RosterAccess.NONE
    if can_see_full_class_roster(user, school_class):
        return RosterAccess.FULL
    return RosterAccess.NAMES


def can_see_full_class_roster(user: AnyUser, school_class: SchoolClass) -> bool:
    """Staff of the class and admins of its school see the roster with full names and links."""
    roles = roles_of(user)
    if roles.is_admin and administered_schools(user).filter(pk=school_class.school_id).exists():
        return True
    return teaches_class(user, school_class)
