"""Who may reach which notification (only its recipient), which kinds a user sets (those of
their current roles), whose alerts a guardian sets (a child of a usable link), whose
deliveries staff see, and the weekly family digest: whose links it reads, who previews it, and
who follows which families of a class confirmed it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from village.accounts.models import User
from village.community import policies as community
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    OrgRole,
    Role,
    SchoolClass,
    Scope,
)
from village.community.policies import (
    administered_schools,
    roles_of,
    taught_class_ids,
    teaches_class,
    today,
)
from village.community.selectors import guardian_links
from village.core.models import RosterStatus
from village.core.policies import one_or_404
from village.families.selectors import linked_child
from village.families.surface import Child
from village.notifications.models import Delivery, DeliveryState, Notification
from village.notifications.registry import AlertKind, Audience


def visible_notifications(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (dismissed ones are left out)."""
    return Notification.objects.filter(recipient=user, dismissed_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def notification_for_recipient(user: User, pk: int) -> Notification:
    return one_or_404(visible_notifications(user).filter(pk=pk), "No such notification.")


# --- which kinds a user sets -----------------------------------------------------------------

#: The roles whose kinds each audience is: teachers' kinds reach aides too.
_AUDIENCE_ROLES = {
    Audience.GUARDIAN: (Role.GUARDIAN,),
    Audience.STUDENT: (Role.STUDENT,),
    Audience.TEACHER: (Role.TEACHER, Role.AIDE),
}


def audiences_of(user: User) -> list[Audience]:
    """The audiences whose kinds ``user`` receives: one per current role that has kinds, and
    everyone's kinds for anyone signed in."""
    roles = community.roles_of(user)
    found = [
        audience
        for audience, held in _AUDIENCE_ROLES.items()
        if any(roles.has(role) for role in held)
    ]
    return [*found, Audience.ANYONE]


# --- a guardian's alerts about one child -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertChild:
    """A child whose alerts a guardian sets, with what the guardian's link allows."""

    child: Child
    scopes: frozenset[Scope]

    def allows(self, kind: AlertKind) -> bool:
        return kind.scope in self.scopes


def alert_children(user: User) -> list[AlertChild]:
    """The children whose alerts ``user`` sets: every child of a usable guardian link (one
    query; none without a current guardian role)."""
    return [
        AlertChild(
            child=linked_child(link),
            scopes=frozenset(scope for scope in Scope if link.allows(scope)),
        )
        for link in guardian_links(user)
    ]


def alert_child_for_guardian(user: User, child_id: int) -> AlertChild:
    """A child whose alerts ``user`` sets as a guardian, or ``Http404``: staff who see the
    student at school, the student, and guardians of other children get a 404."""
    for found in alert_children(user):
        if found.child.id == child_id:
            return found
    raise Http404("No such student.")


# --- delivery problems (staff) ------------------------------------------------------------------
# A school admin sees the deliveries of their schools' people: everyone with a current role at
# the school (students, staff, guardians) and the guardians linked to its students; a district
# admin the same for every school of the district. Nobody else sees anyone's deliveries.


def may_see_delivery_problems(user: User) -> bool:
    return roles_of(user).is_admin


def _admin_students(user: User) -> QuerySet[OrgRole]:
    schools = administered_schools(user).values("pk")
    return OrgRole.objects.current(today()).filter(role=Role.STUDENT, organisation_id__in=schools)


def visible_family_links(user: User) -> QuerySet[GuardianLink]:
    """Active links of guardians to the students of the schools ``user`` administers."""
    return GuardianLink.objects.filter(
        status=LinkStatus.ACTIVE, student_id__in=_admin_students(user).values("user_id")
    )


def visible_delivery_recipients(user: User) -> QuerySet[User]:
    """People whose deliveries ``user`` may see: nobody unless ``user`` is an admin."""
    if not may_see_delivery_problems(user):
        return User.objects.none()
    schools = administered_schools(user).values("pk")
    members = OrgRole.objects.current(today()).filter(organisation_id__in=schools)
    guardians = visible_family_links(user).values("guardian_id")
    return User.objects.filter(Q(pk__in=members.values("user_id")) | Q(pk__in=guardians))


def visible_failed_deliveries(user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        state=DeliveryState.FAILED,
        recipient_id__in=visible_delivery_recipients(user).values("pk"),
    )


def failed_delivery_for_editor(user: User, pk: int) -> Delivery:
    """A failed delivery ``user`` may send again, or ``Http404``."""
    return one_or_404(
        visible_failed_deliveries(user).filter(pk=pk).select_related("recipient"),
        "No such delivery.",
    )


# --- the weekly family digest ------------------------------------------------------------------


def digest_links(guardian_ids: Collection[int] | None = None) -> QuerySet[GuardianLink]:
    """The usable links of these guardians (``None``: of every guardian), as
    ``community.policies.usable_links`` reads one guardian's: active, not ``no_access``, to an
    active child, and only for an active guardian who holds a current guardian role. Each
    link's scopes say what its part of the digest shows."""
    guardians = OrgRole.objects.current(today()).filter(role=Role.GUARDIAN).values("user_id")
    links = GuardianLink.objects.filter(
        status=LinkStatus.ACTIVE,
        no_access=False,
        student__is_active=True,
        guardian__is_active=True,
        guardian_id__in=guardians,
    )
    if guardian_ids is not None:
        links = links.filter(guardian_id__in=list(guardian_ids))
    return links


def may_preview_own_digest(user: User) -> bool:
    """A guardian sees what their next digest will say."""
    return roles_of(user).has(Role.GUARDIAN)


def report_classes(user: User) -> QuerySet[SchoolClass]:
    """Classes whose families' digests ``user`` may follow: those they teach (or assist in),
    and every class of the schools they administer."""
    condition = Q(pk__in=taught_class_ids(user))
    if roles_of(user).is_admin:
        condition |= Q(school_id__in=administered_schools(user).values("pk"))
    return SchoolClass.objects.filter(condition, status=RosterStatus.ACTIVE)


def class_for_digest_report(user: User, class_id: int) -> SchoolClass:
    """A class ``user`` teaches, or one of a school they administer; ``Http404`` otherwise."""
    return one_or_404(
        report_classes(user).select_related("school").filter(pk=class_id), "No such class."
    )


def class_for_digest_preview(user: User, class_id: int) -> SchoolClass:
    """A class ``user`` teaches or assists in (a teacher previews its families' digests);
    ``Http404`` for anyone else."""
    taught = SchoolClass.objects.filter(pk__in=taught_class_ids(user), status=RosterStatus.ACTIVE)
    return one_or_404(taught.filter(pk=class_id), "No such class.")


def class_families(school_class: SchoolClass) -> QuerySet[GuardianLink]:
    """The usable links to the class's current students: whose families its digests reach."""
    students = (
        Enrollment.objects.current(today())
        .filter(school_class=school_class, role=EnrollmentRole.STUDENT)
        .values("user_id")
    )
    guardians = OrgRole.objects.current(today()).filter(role=Role.GUARDIAN).values("user_id")
    return GuardianLink.objects.filter(
        student_id__in=students,
        status=LinkStatus.ACTIVE,
        no_access=False,
        student__is_active=True,
        guardian_id__in=guardians,
    )


def may_preview_family_digests(user: User, school_class: SchoolClass) -> bool:
    """Does ``user`` teach (or assist in) the class, and so preview its families' digests?"""
    return teaches_class(user, school_class)


def family_for_digest_preview(school_class: SchoolClass, guardian_id: int) -> User:
    """A guardian with a usable link to a current student of ``school_class`` (which the
    caller loaded for the viewer), or ``Http404``."""
    linked = class_families(school_class).filter(guardian_id=guardian_id)
    return one_or_404(
        User.objects.filter(pk=guardian_id, is_active=True, pk__in=linked.values("guardian_id")),
        "No such family.",
    )


def taught_student_classes(user: User, student_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """For each of these students, the classes ``user`` teaches (or assists in) that the
    student is currently in; students in none of them are left out (one query)."""
    rows = (
        Enrollment.objects.current(today())
        .filter(
            user_id__in=list(student_ids),
            role=EnrollmentRole.STUDENT,
            school_class_id__in=taught_class_ids(user),
        )
        .values_list("user_id", "school_class_id")
    )
    found: dict[int, set[int]] = {}
    for student_id, class_id in rows:
        found.setdefault(student_id, set()).add(class_id)
    return {student_id: frozenset(ids) for student_id, ids in found.items()}
