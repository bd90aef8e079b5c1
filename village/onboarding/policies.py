"""Who may bring families into Village: issue pairing codes, invite guardians, print a class's
code sheet, approve links made with a code and change a school's settings for new links.

Built on the community access policy: a student is loaded only if ``visible_students`` allows it,
and only then are the onboarding roles checked. A guardian or a partner never issues codes, and
neither does an aide: "a teacher of the student" here is a teacher, not an aide.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from village.accounts.models import User
from village.community import policies
from village.community.models import (
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.community.policies import AnyUser
from village.core.policies import one_or_404
from village.onboarding.models import FamilySignup


def may_onboard_families(user: AnyUser, student: User) -> bool:
    """The student themself, a teacher of the student, or an admin of the student's school."""
    if user.pk == student.pk and policies.roles_of(user).has(Role.STUDENT):
        return True
    return may_invite_guardians(user, student)


def may_invite_guardians(user: AnyUser, student: User) -> bool:
    """A teacher (not an aide) of the student or an admin of the student's school."""
    if policies.teaches_student(user, student.pk, aides=False):
        return True
    return policies.can_manage_student(user, student)


def student_for_onboarding(user: AnyUser, student_id: int) -> User:
    """The student whose family ``user`` may bring in, or ``Http404``."""
    student = policies.visible_students(user).filter(pk=student_id).first()
    if student is None or not may_onboard_families(user, student):
        raise Http404("No such student.")
    return student


def class_for_code_sheet(user: AnyUser, class_id: int) -> SchoolClass:
    """A class ``user`` teaches now, or one at a school they administer; else ``Http404``."""
    school_class = policies.class_for_viewer(user, class_id)
    teaches = policies.teaches_class(user, school_class, aides=False)
    if not teaches and not policies.can_manage_school(user, school_class.school):
        raise Http404("No such class.")
    return school_class


def may_redeem_codes(user: AnyUser) -> bool:
    """Anyone signed in who is not a student or a member of staff may become a guardian."""
    roles = policies.roles_of(user)
    return user.is_authenticated and not (roles.has(Role.STUDENT) or roles.is_staff_member)


def may_approve_links(user: AnyUser) -> bool:
    """School and district admins decide on links waiting for their schools."""
    return policies.administered_schools(user).exists()


def approvable_links(user: AnyUser) -> QuerySet[GuardianLink]:
    """Links waiting for approval whose student is at a school ``user`` administers, once the
    guardian's address is confirmed: until then the account may be anyone's, and it is
    removed if nobody confirms it."""
    students = (
        OrgRole.objects.current(policies.today())
        .filter(role=Role.STUDENT, organisation__in=policies.administered_schools(user))
        .values("user_id")
    )
    unconfirmed = FamilySignup.objects.filter(
        user_id=OuterRef("guardian_id"), confirmed_at__isnull=True, user__is_active=False
    )
    return GuardianLink.objects.filter(status=LinkStatus.PENDING, student_id__in=students).exclude(
        Exists(unconfirmed)
    )


def pending_link_for_approver(user: AnyUser, link_id: int) -> GuardianLink:
    return one_or_404(approvable_links(user).filter(pk=link_id), "No such guardian link.")


def may_change_school_settings(user: AnyUser, school: Organisation) -> bool:
    """An admin of the school, or of its district, sets how families link to its students."""
    return policies.can_manage_school(user, school)


def school_for_settings(user: AnyUser, school_id: int) -> Organisation:
    """A school whose onboarding settings ``user`` may change, or ``Http404``."""
    return one_or_404(policies.administered_schools(user).filter(pk=school_id), "No such school.")
