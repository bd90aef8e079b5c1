"""Who may see and change conferences. Built on the community access policy.

Roles are current roles (``community.policies.roles_of``). What a user may not see is a 404.

- **Staff of a school** (a current teacher, or an admin of the school or its district) see its
  rounds, published or not. A teacher may start a round at a school where they teach and change
  the rounds they started while they teach there; admins change every round of their schools.
- **Slots**: a teacher adds and cancels their own slots in the rounds of schools where they
  teach; an admin does so for any current teacher of their schools. A teacher sees the bookings
  of their own slots (the child, the guardian and how to reach them); an admin every booking of
  their schools.
- **Families**: a guardian books for a child whose link is usable (active, not ``no_access``)
  and allows the ``messages`` area, in the published rounds of the child's school (the school of
  a current student role), with the child's current teachers (teachers of a class the child is
  enrolled in now; aides hold no conferences), in slots meant for the child (a slot's class, when
  it has one, is one of the child's). Any guardian whose link allows it sees and changes the
  child's bookings; nobody sees another family's child.
- **Households**: in a round that keeps households apart (``households_apart``), a guardian
  whose link says they do not live with the child is a household of their own: they book their
  own conference with each teacher, and see, move and cancel only those; the guardians who live
  with the child (the home) see only the home's. :func:`household` decides for one booking,
  :func:`_in_household` for a query of bookings. The school sees every booking.
- Students, partners and anyone else see nothing here.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgRole,
    Role,
    Scope,
)
from village.community.policies import (
    AnyUser,
    IdQuery,
    administered_schools,
    guardian_children_ids,
    guardian_link_q,
    roles_of,
    today,
)
from village.conferences.models import HOME, Booking, BookingState, ConferenceRound, Slot
from village.core.policies import one_or_404

#: The area of a guardian's link that conferences need: they are part of talking with school.
SCOPE = Scope.MESSAGES


# --- staff ------------------------------------------------------------------------------------


def _teaching_school_ids(user: AnyUser) -> frozenset[int]:
    return roles_of(user).orgs(Role.TEACHER)


def _admin_school_ids(user: AnyUser) -> IdQuery | None:
    return administered_schools(user).values("pk") if roles_of(user).is_admin else None


def staff_schools(user: AnyUser) -> QuerySet[Organisation]:
    """Schools whose conferences ``user`` organises: where they teach, or that they administer."""
    condition = Q(pk__in=_teaching_school_ids(user))
    admin = _admin_school_ids(user)
    if admin is not None:
        condition |= Q(pk__in=admin)
    return Organisation.objects.filter(condition, kind="school")


def may_organise(user: AnyUser) -> bool:
    """Does ``user`` take part in conferences as staff (a teacher or an admin)?"""
    roles = roles_of(user)
    return roles.has(Role.TEACHER) or roles.is_admin


def staff_rounds(user: AnyUser) -> QuerySet[ConferenceRound]:
    """Rounds of the schools ``user`` organises conferences at (published or not)."""
    return ConferenceRound.objects.filter(school_id__in=staff_schools(user).values("pk"))


def round_for_staff(user: AnyUser, round_id: int) -> ConferenceRound:
    return one_or_404(
        staff_rounds(user).select_related("school").filter(pk=round_id), "No such round."
    )


def may_edit_round(user: AnyUser, conference_round: ConferenceRound) -> bool:
    """Admins of the round's school, and the teacher who started it while they teach there."""
    admin = _admin_school_ids(user)
    if admin is not None and admin.filter(pk=conference_round.school_id).exists():
        return True
    return (
        conference_round.created_by_id == user.pk
        and conference_round.school_id in _teaching_school_ids(user)
    )


def round_for_editor(user: AnyUser, round_id: int) -> ConferenceRound:
    """A round ``user`` may change; 404 if they do not see it, 403 if they only see it."""
    conference_round = round_for_staff(user, round_id)
    if not may_edit_round(user, conference_round):
        raise PermissionDenied(_("Only the school's admins and whoever started it change a round."))
    return conference_round


def school_for_new_round(user: AnyUser, school_id: int) -> Organisation:
    """A school ``user`` may start a round at, or ``Http404``."""
    return one_or_404(staff_schools(user).filter(pk=school_id), "No such school.")


def slot_teachers(user: AnyUser, school_id: int) -> QuerySet[User]:
    """Whom ``user`` may add slots for at the school: any current teacher of it (its admins),
    or themself (a teacher there)."""
    teachers = User.objects.filter(
        pk__in=OrgRole.objects.current(today())
        .filter(organisation_id=school_id, role=Role.TEACHER)
        .values("user_id"),
        is_active=True,
    )
    admin = _admin_school_ids(user)
    if admin is not None and admin.filter(pk=school_id).exists():
        return teachers
    return teachers.filter(pk=user.pk or 0)


def teacher_for_slots(user: AnyUser, school_id: int, teacher_id: int) -> User:
    """A teacher whose slots ``user`` manages at the school, or ``Http404``."""
    return one_or_404(slot_teachers(user, school_id).filter(pk=teacher_id), "No such teacher.")


def schedule_teachers(user: AnyUser) -> QuerySet[User]:
    """Teachers whose day ``user`` may look at: themself (a teacher), and the current teachers
    of the schools they administer."""
    condition = Q(pk=user.pk or 0) if roles_of(user).has(Role.TEACHER) else Q(pk__in=[])
    admin = _admin_school_ids(user)
    if admin is not None:
        condition |= Q(
            pk__in=OrgRole.objects.current(today())
            .filter(organisation_id__in=admin, role=Role.TEACHER)
            .values("user_id")
        )
    return User.objects.filter(condition, is_active=True)


def schedule_teacher_for_viewer(user: AnyUser, teacher_id: int) -> User:
    return one_or_404(schedule_teachers(user).filter(pk=teacher_id), "No such teacher.")


def managed_slots(user: AnyUser) -> QuerySet[Slot]:
    """Slots ``user`` manages and whose bookings they see: their own at schools where they teach,
    and every slot of the schools they administer."""
    condition = Q(teacher_id=user.pk or 0, round__school_id__in=_teaching_school_ids(user))
    admin = _admin_school_ids(user)
    if admin is not None:
        condition |= Q(round__school_id__in=admin)
    return Slot.objects.filter(condition)


def slot_for_editor(user: AnyUser, slot_id: int) -> Slot:
    return one_or_404(
        managed_slots(user).select_related("round", "round__school", "teacher").filter(pk=slot_id),
        "No such slot.",
    )


def staff_bookings(user: AnyUser) -> QuerySet[Booking]:
    """Bookings of the slots ``user`` manages."""
    return Booking.objects.filter(slot__in=managed_slots(user).values("pk"))


def booking_for_staff(user: AnyUser, booking_id: int) -> Booking:
    return one_or_404(
        staff_bookings(user)
        .select_related("slot", "round", "round__school", "teacher", "child", "guardian")
        .filter(pk=booking_id),
        "No such booking.",
    )


# --- families ---------------------------------------------------------------------------------


def family_child_ids(user: AnyUser) -> IdQuery:
    """The children ``user`` books conferences for (a subquery)."""
    return guardian_children_ids(user, scope=SCOPE)


def family_children(user: AnyUser) -> QuerySet[User]:
    return User.objects.filter(pk__in=family_child_ids(user), is_active=True)


def may_book(user: AnyUser) -> bool:
    return family_children(user).exists()


def child_for_family(user: AnyUser, child_id: int) -> User:
    """A child ``user`` books conferences for, or ``Http404`` (anyone's child but their own, a
    link ended, pending or ``no_access``, or one that does not allow messages)."""
    return one_or_404(family_children(user).filter(pk=child_id), "No such child.")


def _books_for(user: AnyUser, child_id: int) -> Exists:
    """A condition true when ``user`` books for the child (for a query of anything)."""
    return Exists(family_child_ids(user).filter(student_id=child_id))


def child_school_ids(child_id: int) -> IdQuery:
    """The schools the child attends now (a subquery)."""
    return (
        OrgRole.objects.current(today())
        .filter(user_id=child_id, role=Role.STUDENT)
        .values("organisation_id")
    )


def child_class_ids(child_id: int) -> IdQuery:
    """The classes the child is enrolled in now (a subquery)."""
    return (
        Enrollment.objects.current(today())
        .filter(user_id=child_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )


def child_teacher_ids(child_id: int) -> IdQuery:
    """The child's teachers now: teachers (not aides) of the child's current classes."""
    return (
        Enrollment.objects.current(today())
        .filter(role=EnrollmentRole.TEACHER, school_class_id__in=child_class_ids(child_id))
        .values("user_id")
    )


def family_rounds(child_id: int) -> QuerySet[ConferenceRound]:
    """The published rounds of the child's school."""
    return ConferenceRound.objects.filter(published=True, school_id__in=child_school_ids(child_id))


def round_for_family(user: AnyUser, child: User, round_id: int) -> ConferenceRound:
    """A published round of ``child``'s school, or ``Http404`` (also when ``user`` does not
    book for ``child``)."""
    return one_or_404(
        family_rounds(child.pk)
        .filter(_books_for(user, child.pk))
        .select_related("school")
        .filter(pk=round_id),
        "No such round.",
    )


def family_slots(child_id: int) -> QuerySet[Slot]:
    """Slots the child's family may book: not cancelled, in the published rounds of the child's
    school, by the child's teachers, for any of their students or for one of the child's
    classes. Whether one is free, and the round open, the services decide."""
    return Slot.objects.filter(
        Q(school_class__isnull=True) | Q(school_class_id__in=child_class_ids(child_id)),
        cancelled_at__isnull=True,
        round__in=family_rounds(child_id).values("pk"),
        teacher_id__in=child_teacher_ids(child_id),
    )


def slot_for_family(user: AnyUser, child: User, slot_id: int) -> Slot:
    """A slot ``user`` may book for ``child``, or ``Http404``."""
    return one_or_404(
        family_slots(child.pk)
        .filter(_books_for(user, child.pk))
        .select_related("round", "round__school", "teacher")
        .filter(pk=slot_id),
        "No such slot.",
    )


def teacher_for_family(child: User, conference_round: ConferenceRound, teacher_id: int) -> User:
    """One of ``child``'s teachers with slots in the round, or ``Http404``."""
    return one_or_404(
        User.objects.filter(
            pk=teacher_id,
            pk__in=family_slots(child.pk).filter(round=conference_round).values("teacher_id"),
        ),
        "No such teacher.",
    )


def _apart_child_ids(user: AnyUser) -> IdQuery:
    """The children ``user`` books for but does not live with (a subquery)."""
    return (
        GuardianLink.objects.filter(guardian_link_q(user.pk, SCOPE), student__is_active=True)
        .filter(lives_with=False)
        .values("student_id")
    )


def household(user: AnyUser, child_id: int, conference_round: ConferenceRound) -> int:
    """The household ``user`` books for the child in the round: their own (their id) when the
    round keeps households apart and their link to the child says they do not live with the
    child; else the child's home (:data:`HOME`). No query unless the round keeps them apart."""
    if not conference_round.households_apart:
        return HOME
    apart = _apart_child_ids(user).filter(student_id=child_id).exists()
    return user.pk if apart and user.pk else HOME


def _in_household(user: AnyUser) -> Q:
    """Bookings of the household ``user`` belongs to, as :func:`household` decides, for a query
    of bookings: every booking of a round that does not keep households apart; in one that does,
    the user's own (a child they do not live with) or the home's (a child they live with)."""
    apart = _apart_child_ids(user)
    return (
        Q(round__households_apart=False)
        | Q(household=user.pk or 0, child_id__in=apart)
        | (Q(household=HOME) & ~Q(child_id__in=apart))
    )


def _booker_link(**condition: bool) -> Exists:
    """True, in a query of bookings, when the guardian who booked one books for its child (a
    usable link that allows messages) and the link meets ``condition``."""
    # The outer booking's guardian: the same usable link as everywhere else.
    guardian_id = cast(int, OuterRef("guardian_id"))
    return Exists(
        GuardianLink.objects.filter(
            guardian_link_q(guardian_id, SCOPE),
            student_id=OuterRef("child_id"),
            student__is_active=True,
            **condition,
        )
    )


def booked_apart() -> Exists:
    """True, in a query of bookings, for one booked by a guardian who does not live with its
    child: the bookings :func:`household` gives that guardian's own household once the round
    keeps households apart."""
    return _booker_link(lives_with=False)


def booker_in_household() -> Q:
    """True, in a query of bookings, when the guardian who booked one is still told of it: in a
    round that keeps households apart, while they book for the child and belong to the
    booking's household (a guardian who has since moved out, or in, is not); in other rounds,
    always."""
    return (
        Q(round__households_apart=False)
        | (Q(household=F("guardian_id")) & _booker_link(lives_with=False))
        | (Q(household=HOME) & _booker_link(lives_with=True))
    )


def family_bookings(user: AnyUser) -> QuerySet[Booking]:
    """Bookings for the children ``user`` books for, of their own household (cancelled ones
    included)."""
    return Booking.objects.filter(_in_household(user), child_id__in=family_child_ids(user))


def booking_for_family(user: AnyUser, booking_id: int, *, active: bool = False) -> Booking:
    """A booking of one of ``user``'s children (``active``: not cancelled), or ``Http404``."""
    bookings = family_bookings(user)
    if active:
        bookings = bookings.filter(state=BookingState.BOOKED)
    return one_or_404(
        bookings.select_related(
            "slot", "round", "round__school", "teacher", "child", "guardian"
        ).filter(pk=booking_id),
        "No such booking.",
    )


# --- either -----------------------------------------------------------------------------------


def visible_rounds(user: AnyUser) -> QuerySet[ConferenceRound]:
    """Rounds ``user`` sees: as staff (every round of their schools), and as a guardian (the
    published rounds of the schools of the children they book for)."""
    family_schools = (
        OrgRole.objects.current(today())
        .filter(user_id__in=family_child_ids(user), role=Role.STUDENT)
        .values("organisation_id")
    )
    condition = Q(school_id__in=staff_schools(user).values("pk")) | Q(
        published=True, school_id__in=family_schools
    )
    return ConferenceRound.objects.filter(condition)


def round_for_viewer(user: AnyUser, round_id: int) -> ConferenceRound:
    return one_or_404(
        visible_rounds(user).select_related("school").filter(pk=round_id), "No such round."
    )


def visible_bookings(user: AnyUser) -> QuerySet[Booking]:
    """Bookings ``user`` sees: of the slots they manage, and of the children they book for
    (their own household's)."""
    return Booking.objects.filter(
        Q(slot__in=managed_slots(user).values("pk"))
        | (Q(child_id__in=family_child_ids(user)) & _in_household(user))
    )


def booking_for_viewer(user: AnyUser, booking_id: int) -> Booking:
    return one_or_404(
        visible_bookings(user)
        .select_related("slot", "round", "round__school", "teacher", "child", "guardian")
        .filter(pk=booking_id),
        "No such booking.",
    )


def manages_booking(user: AnyUser, booking: Booking) -> bool:
    """Does ``user`` see ``booking`` as the school (its teacher, or an admin of its school)?"""
    return managed_slots(user).filter(pk=booking.slot_id).exists()
