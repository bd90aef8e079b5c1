"""Who may announce to whom, who reads an announcement and who sees whom it reached: one policy.

**Announcing.** An announcement goes to a *target* (a class, a grade of a school, a school or a
district) and, of its people, to its families, its students, its staff, or a mix:

- a teacher (not an aide) to a class they currently teach: its families and students;
- a school admin to their school, a grade of it, or a class of it: families, students and
  staff, and may mark it urgent;
- a district admin to the district or any of its schools: the same;
- nobody else: a class, school or district one may not announce to is a 404, as if it did not
  exist (guardians, students, partners, and staff of another school or district).

**Reading.** A recipient reads it while they are still what made them one: a guardian while
their link to the child through whom it came is usable (active, not ``no_access``), a student
while a student, staff while staff. Its sender (the author, while still staff of its school or
district) and the admins of its school or district read it too, and see whom it reached (its
read receipts and who was not reached). Whatever a user may not reach is a 404.

**Replying.** A family or a student may reply when replies are open: the reply is a private
conversation with the sender about the child (``village.messaging``), so messaging's own rules
apply: a guardian's link must allow messages, and the sender must still be staff of the child.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.announcements.models import Announcement, Attachment, AudienceScope, Recipient
from village.announcements.models import RecipientRole as As
from village.community.models import (
    GuardianLink,
    Organisation,
    OrgKind,
    Role,
    SchoolClass,
    Scope,
)
from village.community.policies import (
    AnyUser,
    Roles,
    guardian_link_q,
    roles_of,
    student_schools,
    taught_class_ids,
    visible_students,
)
from village.core.models import RosterStatus
from village.core.policies import one_or_404
from village.messaging.policies import student_staff_ids

#: Roles that make someone staff of an organisation, for announcements.
STAFF_ROLES = (Role.TEACHER, Role.AIDE, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


@dataclass(frozen=True)
class Target:
    """Whom an announcement is for. ``organisation_id``: the school (of a class, a grade, a
    school) or the district. ``as_admin``: the announcer administers it (may write to its
    staff, and mark it urgent)."""

    scope: AudienceScope
    organisation_id: int
    class_id: int | None = None
    grade: str = ""
    as_admin: bool = False

    @property
    def value(self) -> str:
        """The target as a form's choice names it."""
        if self.scope == AudienceScope.CLASS:
            return f"class:{self.class_id}"
        if self.scope == AudienceScope.GRADE:
            return f"grade:{self.organisation_id}:{self.grade}"
        return f"{self.scope}:{self.organisation_id}"


class NotAllowedError(Exception):
    """The announcer may not send this announcement to these people."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


# --- announcing ----------------------------------------------------------------------------------


def _school_admin_of(roles: Roles) -> frozenset[int]:
    return roles.orgs(Role.SCHOOL_ADMIN)


def _district_schools(roles: Roles) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrgKind.SCHOOL, parent_id__in=roles.orgs(Role.DISTRICT_ADMIN)
    )


def announceable_classes(user: AnyUser) -> QuerySet[SchoolClass]:
    """Classes ``user`` may announce to: those they teach now, and those of the schools they
    administer (as school admin)."""
    roles = roles_of(user)
    if not roles.is_staff_member:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(
        Q(pk__in=taught_class_ids(user, aides=False)) | Q(school_id__in=_school_admin_of(roles)),
        status=RosterStatus.ACTIVE,
    )


def announceable_schools(user: AnyUser) -> QuerySet[Organisation]:
    """Schools ``user`` may announce to as a whole: those they administer, and every school of
    the districts they administer."""
    roles = roles_of(user)
    return Organisation.objects.filter(
        Q(pk__in=_school_admin_of(roles)) | Q(pk__in=_district_schools(roles).values("pk")),
        kind=OrgKind.SCHOOL,
    )


def announceable_districts(user: AnyUser) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrgKind.DISTRICT, pk__in=roles_of(user).orgs(Role.DISTRICT_ADMIN)
    )


def may_announce(user: AnyUser) -> bool:
    """May ``user`` announce to anyone at all (one query at most)?"""
    roles = roles_of(user)
    if roles.has(Role.SCHOOL_ADMIN) or roles.has(Role.DISTRICT_ADMIN):
        return True
    return roles.has(Role.TEACHER) and announceable_classes(user).exists()


def administers(user: AnyUser, organisation_id: int) -> bool:
    """Does ``user`` administer this school or district (as admin of it or of its district)?"""
    roles = roles_of(user)
    if organisation_id in _school_admin_of(roles) | roles.orgs(Role.DISTRICT_ADMIN):
        return True
    return _district_schools(roles).filter(pk=organisation_id).exists()


def target_for_announcer(
    user: AnyUser,
    *,
    scope: AudienceScope,
    class_id: int | None = None,
    school_id: int | None = None,
    grade: str = "",
    district_id: int | None = None,
) -> Target:
    """The target ``user`` names, if they may announce to it, or 404 ("No such class.")."""
    roles = roles_of(user)
    if scope == AudienceScope.CLASS:
        found = one_or_404(announceable_classes(user).filter(pk=class_id or 0), "No such class.")
        as_admin = found.school_id in _school_admin_of(roles)
        return Target(scope, found.school_id, class_id=found.pk, as_admin=as_admin)
    if scope == AudienceScope.GRADE:
        school = one_or_404(
            Organisation.objects.filter(pk=school_id or 0, pk__in=_school_admin_of(roles)),
            "No such school.",
        )
        return Target(scope, school.pk, grade=grade, as_admin=True)
    if scope == AudienceScope.SCHOOL:
        school = one_or_404(announceable_schools(user).filter(pk=school_id or 0), "No such school.")
        return Target(scope, school.pk, as_admin=True)
    district = one_or_404(
        announceable_districts(user).filter(pk=district_id or 0), "No such district."
    )
    return Target(AudienceScope.DISTRICT, district.pk, as_admin=True)


def check_audience(
    target: Target, *, to_families: bool, to_students: bool, to_staff: bool, urgent: bool
) -> None:
    """Raise :class:`NotAllowedError` unless the target's announcer may send this."""
    if not (to_families or to_students or to_staff):
        raise NotAllowedError(
            "to_families", _("Choose whom it is for: families, students or staff.")
        )
    if to_staff and not target.as_admin:
        raise NotAllowedError(
            "to_staff", _("Only a school's administrators can announce to its staff.")
        )
    if urgent and not target.as_admin:
        raise NotAllowedError("urgent", _("Only administrators can send an urgent announcement."))


# --- reading -------------------------------------------------------------------------------------


def _still_allowed(roles: Roles, user_id: int) -> Q:
    """On ``Recipient`` rows of one user: what made them a recipient still holds."""
    allowed = Q(pk__in=[])
    if roles.has(Role.GUARDIAN):
        links = GuardianLink.objects.filter(
            guardian_link_q(user_id), student_id=OuterRef("child_id")
        )
        allowed |= Q(role=As.GUARDIAN) & Q(Exists(links))
    if roles.has(Role.STUDENT):
        allowed |= Q(role=As.STUDENT)
    if roles.is_staff_member:
        allowed |= Q(role=As.STAFF)
    return allowed


def my_receipts(user: AnyUser) -> QuerySet[Recipient]:
    """The user's receipts of announcements sent to them that they may still read."""
    if not user.is_authenticated or not user.is_active:
        return Recipient.objects.none()
    return Recipient.objects.filter(
        _still_allowed(roles_of(user), user.pk),
        user_id=user.pk,
        announcement__sent_at__isnull=False,
        announcement__cancelled_at__isnull=True,
    )


def visible_announcements(user: AnyUser) -> QuerySet[Announcement]:
    """Announcements sent to ``user`` that they may still read."""
    return Announcement.objects.filter(pk__in=my_receipts(user).values("announcement_id"))


def managed_announcements(user: AnyUser) -> QuerySet[Announcement]:
    """Announcements whose reach ``user`` sees: their own, while still staff of its school or
    district, and those of the schools and districts they administer."""
    roles = roles_of(user)
    if not roles.is_staff_member:
        return Announcement.objects.none()
    staff_of = {org for role in STAFF_ROLES for org in roles.orgs(role)}
    districts = roles.orgs(Role.DISTRICT_ADMIN)
    return Announcement.objects.filter(
        Q(author_id=user.pk, organisation_id__in=staff_of)
        | Q(organisation_id__in=_school_admin_of(roles) | districts)
        | Q(organisation__parent_id__in=districts)
    )


@dataclass(frozen=True)
class Reading:
    """An announcement as one user opens it: as a recipient (``receipt``), as its sender or an
    admin (``manages``), or both."""

    announcement: Announcement
    receipt: Recipient | None
    manages: bool


_LOADED = ("author", "organisation", "school_class")


def announcement_for_reader(user: AnyUser, pk: int) -> Reading:
    """The announcement ``pk`` for a recipient, its sender or an admin of it, or 404."""
    manages = managed_announcements(user).filter(pk=pk).exists()
    receipt = (
        my_receipts(user)
        .filter(announcement_id=pk)
        .select_related(*(f"announcement__{name}" for name in _LOADED))
        .first()
    )
    if receipt is not None:
        return Reading(receipt.announcement, receipt, manages)
    found = one_or_404(
        managed_announcements(user).filter(pk=pk).select_related(*_LOADED),
        "No such announcement.",
    )
    return Reading(found, None, True)


def announcement_for_manager(user: AnyUser, pk: int) -> Announcement:
    """The announcement ``pk`` for its sender or an admin of it (its reach), or 404."""
    return one_or_404(
        managed_announcements(user).filter(pk=pk).select_related(*_LOADED),
        "No such announcement.",
    )


def attachment_of(reading: Reading, attachment_id: int) -> Attachment:
    return one_or_404(
        Attachment.objects.filter(announcement=reading.announcement, pk=attachment_id),
        "No such file.",
    )


# --- replying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyAbout:
    """Whom a recipient's reply is about: the student, at their school."""

    student: User
    school_id: int


def reply_about(user: AnyUser, reading: Reading) -> ReplyAbout | None:
    """What ``user``'s reply to the announcement would be about, if they may reply: a family
    about the child it came through (a link that allows messages), a student about themself;
    the sender must still be the student's staff. ``None`` otherwise (staff do not reply here:
    they write to the sender directly)."""
    receipt = reading.receipt
    announcement = reading.announcement
    if receipt is None or not announcement.replies_allowed or receipt.role == As.STAFF:
        return None
    about = receipt.child_id if receipt.role == As.GUARDIAN else user.pk
    student = visible_students(user, scope=Scope.MESSAGES).filter(pk=about or 0).first()
    if student is None:
        return None
    school = student_schools([student.pk]).get(student.pk)
    if school is None:
        return None
    if not student_staff_ids(student.pk, school.pk).filter(pk=announcement.author_id).exists():
        return None
    return ReplyAbout(student, school.pk)
