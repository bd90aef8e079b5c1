"""Who may see and write which part of a student's profile. Built on the community policy.

**The student's staff** (``staff_student_ids``), all *current*:

- the teachers and aides of the classes the student is enrolled in now (``taught_class_ids``,
  community's one definition of teaching); a former teacher, or a teacher of another class at
  the same school, is not the student's staff;
- the admins of the student's current school, directly or through its district;
- the school's support team (``TeamMember``: counsellors and support staff) while they also
  hold a current staff role (teacher, aide or school admin) at that school.

**Reading an entry** (``visible_entries``), by its visibility:

- *student and family* (``FAMILY``): the student, each guardian whose link is usable (active,
  not ``no_access``) and allows ``support_plan``, and the student's staff;
- *all the student's current staff* (``STAFF``): the student's staff;
- *restricted* (``RESTRICTED``): the staff named on it while they are still the student's
  staff. Nobody else: not admins without a need to know, not the rest of the support team.

Its author also reads their entry while they may still open the profile (a guardian whose link
ended, or a former teacher, reads nothing). Every view of a restricted entry is written to the
audit log (``selectors.profile``).

**Accommodations** (``visible_accommodations``) are read by all the student's staff, so every
current teacher sees them whatever else of the profile they may; by the student and family when
shared with them (``FAMILY``).

**Writing**: the student writes *about me*, their guardians (through a usable ``support_plan``
link) *from home*, the student's staff *school notes*; each writes and removes only their own
entries, and names only the student's staff as readers. Accommodations are set by the admins of
the student's school and its support team; the support team by the school's admins.

Users of another school, partners and anonymous users see nothing. Lists are filtered in SQL:
every ``visible_*`` returns a queryset, every ``*_ids`` a subquery.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, Organisation, OrgRole, Role, Scope
from village.community.policies import (
    STAFF_CLASS_ROLES,
    AnyUser,
    IdQuery,
    Roles,
    administered_schools,
    can_manage_school,
    guardian_children_ids,
    roles_of,
    taught_class_ids,
    today,
)
from village.core.policies import one_or_404
from village.support.models import (
    Accommodation,
    Entry,
    EntryReader,
    Section,
    TeamMember,
    Visibility,
)

#: The guardian-link area profiles belong to.
SCOPE = Scope.SUPPORT_PLAN
#: Roles at a school that make a support-team member one of its staff.
SCHOOL_STAFF_ROLES = (Role.TEACHER, Role.AIDE, Role.SCHOOL_ADMIN)
#: Visibilities the student and family read.
FAMILY_VISIBLE = (Visibility.FAMILY,)
#: Visibilities all the student's staff read.
STAFF_VISIBLE = (Visibility.FAMILY, Visibility.STAFF)


def _none() -> Q:
    return Q(pk__in=[])


# --- the student's staff -------------------------------------------------------------------------


def _team_school_ids(user: AnyUser, roles: Roles) -> IdQuery | None:
    """Schools whose support team ``user`` is on while holding a staff role there."""
    staff_at = set().union(*(roles.orgs(role) for role in SCHOOL_STAFF_ROLES))
    if not staff_at:
        return None
    return TeamMember.objects.filter(user_id=user.pk or 0, school_id__in=staff_at).values(
        "school_id"
    )


def _school_q(user: AnyUser, roles: Roles, field: str) -> Q | None:
    """``field`` among the schools ``user`` administers or is on the support team of; ``None``
    when there are none."""
    parts: list[Q] = []
    if roles.is_admin:
        parts.append(Q(**{f"{field}__in": administered_schools(user).values("pk")}))
    team = _team_school_ids(user, roles)
    if team is not None:
        parts.append(Q(**{f"{field}__in": team}))
    return reduce(operator.or_, parts) if parts else None


def _staff_students_q(user: AnyUser, roles: Roles) -> Q:
    """Students (``User`` rows) whose current staff ``user`` is; see the module's rules."""
    condition = _none()
    if roles.has(Role.TEACHER) or roles.has(Role.AIDE):
        taught = Enrollment.objects.current(today()).filter(
            role=EnrollmentRole.STUDENT, school_class_id__in=taught_class_ids(user)
        )
        condition |= Q(pk__in=taught.values("user_id"))
    schools = _school_q(user, roles, "organisation_id")
    if schools is not None:
        at_schools = OrgRole.objects.current(today()).filter(schools, role=Role.STUDENT)
        condition |= Q(pk__in=at_schools.values("user_id"))
    return condition


def staff_student_ids(user: AnyUser) -> IdQuery:
    """Ids of the students ``user`` is current staff of (a subquery)."""
    roles = roles_of(user)
    if not roles.is_staff_member:
        return User.objects.none().values("pk")
    return User.objects.filter(_staff_students_q(user, roles), is_active=True).values("pk")


def is_student_staff(user: AnyUser, student_id: int) -> bool:
    """Is ``user`` one of the student's current staff?"""
    return staff_student_ids(user).filter(pk=student_id).exists()


def student_staff_ids(student_id: int) -> IdQuery:
    """Ids of the student's current staff (a subquery): the same people, seen from the student,
    as ``is_student_staff`` tells one by one — the teachers and aides of the student's current
    classes (holding a teacher or aide role), the admins of the student's current schools and of
    their districts, and those schools' support team while they hold a staff role there."""
    now = today()
    current = OrgRole.objects.current(now)
    classes = (
        Enrollment.objects.current(now)
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    teaching = (
        Enrollment.objects.current(now)
        .filter(school_class_id__in=classes, role__in=STAFF_CLASS_ROLES)
        .values("user_id")
    )
    class_staff = current.filter(user_id__in=teaching, role__in=(Role.TEACHER, Role.AIDE))
    schools = current.filter(user_id=student_id, role=Role.STUDENT).values("organisation_id")
    districts = Organisation.objects.filter(pk__in=schools).values("parent_id")
    admins = current.filter(
        Q(organisation_id__in=schools, role=Role.SCHOOL_ADMIN)
        | Q(organisation_id__in=districts, role=Role.DISTRICT_ADMIN)
    )
    team = TeamMember.objects.filter(
        school_id__in=schools,
        user_id__in=current.filter(
            organisation_id=OuterRef("school_id"), role__in=SCHOOL_STAFF_ROLES
        ).values("user_id"),
    )
    condition = (
        Q(pk__in=class_staff.values("user_id"))
        | Q(pk__in=admins.values("user_id"))
        | Q(pk__in=team.values("user_id"))
    )
    return User.objects.filter(condition, is_active=True).values("pk")


def profile_student_ids(user: AnyUser) -> IdQuery:
    """Ids of the students whose profile ``user`` may open: themself, their children through a
    usable ``support_plan`` link, the students they are staff of (a subquery)."""
    roles = roles_of(user)
    condition = _none()
    if roles.has(Role.STUDENT):
        condition |= Q(pk=user.pk)
    if roles.has(Role.GUARDIAN):
        condition |= Q(pk__in=guardian_children_ids(user, scope=SCOPE))
    if roles.is_staff_member:
        condition |= Q(pk__in=staff_student_ids(user))
    return User.objects.filter(condition, is_active=True).values("pk")


# --- entries -------------------------------------------------------------------------------------


def _entries_q(user: AnyUser) -> Q:
    roles = roles_of(user)
    own = Q(author_id=user.pk)
    condition = _none()
    if roles.has(Role.STUDENT):
        condition |= Q(student_id=user.pk) & (Q(visibility__in=FAMILY_VISIBLE) | own)
    if roles.has(Role.GUARDIAN):
        children = guardian_children_ids(user, scope=SCOPE)
        condition |= Q(student_id__in=children) & (Q(visibility__in=FAMILY_VISIBLE) | own)
    if roles.is_staff_member:
        named = EntryReader.objects.filter(reader_id=user.pk).values("entry_id")
        condition |= Q(student_id__in=staff_student_ids(user)) & (
            Q(visibility__in=STAFF_VISIBLE)
            | own
            | Q(visibility=Visibility.RESTRICTED, pk__in=named)
        )
    return condition


def visible_entries(user: AnyUser) -> QuerySet[Entry]:
    """Profile entries ``user`` may read (see the module's rules)."""
    return Entry.objects.filter(_entries_q(user))


def profile_student_for_viewer(user: AnyUser, student_id: int) -> User:
    """The student whose profile ``user`` may open, or ``Http404`` (nothing is audited here:
    ``selectors.profile`` audits what it shows)."""
    return one_or_404(
        User.objects.filter(pk=student_id, pk__in=profile_student_ids(user)), "No such student."
    )


def entry_for_author(user: AnyUser, entry_id: int) -> Entry:
    """One of ``user``'s own entries they may still change, or ``Http404``."""
    entry = one_or_404(
        visible_entries(user).filter(pk=entry_id, author_id=user.pk).select_related("student"),
        "No such entry.",
    )
    if not may_write_section(user, entry.student_id, Section(entry.section)):
        raise Http404("No such entry.")
    return entry


def may_write_section(user: AnyUser, student_id: int, section: Section) -> bool:
    """May ``user`` write entries of ``section`` on the student's profile?"""
    roles = roles_of(user)
    if section == Section.ABOUT_ME:
        return roles.has(Role.STUDENT) and user.pk == student_id
    if section == Section.FROM_HOME:
        return guardian_children_ids(user, scope=SCOPE).filter(student_id=student_id).exists()
    return is_student_staff(user, student_id)


def readers_not_staff(readers: Iterable[User], student_id: int) -> list[User]:
    """Those of ``readers`` who are not the student's staff now, so may not be named (one
    query)."""
    named = list(readers)
    if not named:
        return []
    staff = set(
        student_staff_ids(student_id)
        .filter(pk__in=[reader.pk for reader in named])
        .values_list("pk", flat=True)
    )
    return [reader for reader in named if reader.pk not in staff]


# --- accommodations -----------------------------------------------------------------------------


def visible_accommodations(user: AnyUser) -> QuerySet[Accommodation]:
    """Accommodations ``user`` may read: all of their students' as staff; those shared with the
    family as the student or a guardian (usable ``support_plan`` link)."""
    roles = roles_of(user)
    condition = _none()
    if roles.has(Role.STUDENT):
        condition |= Q(student_id=user.pk, visibility__in=FAMILY_VISIBLE)
    if roles.has(Role.GUARDIAN):
        children = guardian_children_ids(user, scope=SCOPE)
        condition |= Q(student_id__in=children, visibility__in=FAMILY_VISIBLE)
    if roles.is_staff_member:
        condition |= Q(student_id__in=staff_student_ids(user))
    return Accommodation.objects.filter(condition)


def may_manage_accommodations(user: AnyUser, student_id: int) -> bool:
    """Admins of the student's current school and its support team set accommodations."""
    schools = _school_q(user, roles_of(user), "organisation_id")
    if schools is None:
        return False
    return (
        OrgRole.objects.current(today())
        .filter(schools, user_id=student_id, role=Role.STUDENT)
        .exists()
    )


def accommodation_for_editor(user: AnyUser, accommodation_id: int) -> Accommodation:
    """An accommodation ``user`` may change, or ``Http404``."""
    accommodation = one_or_404(
        visible_accommodations(user).filter(pk=accommodation_id), "No such accommodation."
    )
    if not may_manage_accommodations(user, accommodation.student_id):
        raise Http404("No such accommodation.")
    return accommodation


# --- the support team ---------------------------------------------------------------------------


def may_manage_team(user: AnyUser, school: Organisation) -> bool:
    """The school's admins (and its district's) choose its support team."""
    return can_manage_school(user, school)


def holds_staff_role(user: User, school: Organisation) -> bool:
    """Does ``user`` hold a current staff role (teacher, aide, school admin) at ``school``?"""
    return (
        OrgRole.objects.current(today())
        .filter(user_id=user.pk, organisation_id=school.pk, role__in=SCHOOL_STAFF_ROLES)
        .exists()
    )
