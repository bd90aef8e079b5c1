"""Who may message whom, about which student, and who reads which conversation: one policy.

Every conversation is about one student, at that student's school. The people who may be in it
are, by kind:

- **family** (staff and the student's guardians): the student's staff (current teachers and
  aides, the school's admins), guardians whose link to the student is usable (active, not
  ``no_access``) and allows messages, and the student themself when staff add them;
- **student**: the student's staff and the student;
- **staff**: the student's staff only.

A student or a guardian may start a conversation only with the student's staff in it, and may
add nobody: so no student or family ever reaches another student or family without staff in the
thread, and a guardian never reaches the other household (split families) unless staff add them.
Staff may start any kind about a student they work with and add anyone the kind allows.

Taking part is checked every time, not only when someone is added: a guardian whose link ends,
loses the messages area or is marked ``no_access`` sees the conversation no more, nor does a
teacher who no longer works at the school. A school admin also reads the conversations of their
schools for safeguarding (read only; each read is audited by the view).

Whatever a user may not reach is a 404, as everywhere in Village.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    OrgRole,
    Role,
    Scope,
)
from village.community.policies import (
    AnyUser,
    administered_schools,
    guardian_link_q,
    roles_of,
    student_schools,
    today,
    visible_students,
)
from village.core.policies import one_or_404
from village.messaging.models import (
    Conversation,
    ConversationKind,
    Message,
    Participant,
    ParticipantRole,
)

#: The roles that make someone staff of a school, for messages.
STAFF_ROLES = (Role.TEACHER, Role.AIDE, Role.SCHOOL_ADMIN)
#: Staff roles of a class.
CLASS_STAFF = (EnrollmentRole.TEACHER, EnrollmentRole.AIDE)


# --- who may be in a conversation about a student --------------------------------------------


def student_staff_ids(student_id: int, school_id: int) -> QuerySet[User]:
    """The student's staff: current teachers and aides of the student's current classes, and
    the admins of the student's school (and of its district)."""
    now = today()
    classes = (
        Enrollment.objects.current(now)
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    teachers = (
        Enrollment.objects.current(now)
        .filter(school_class_id__in=classes, role__in=CLASS_STAFF)
        .values("user_id")
    )
    admins = (
        OrgRole.objects.current(now)
        .filter(
            Q(role=Role.SCHOOL_ADMIN, organisation_id=school_id)
            | Q(role=Role.DISTRICT_ADMIN, organisation__children__pk=school_id)
        )
        .values("user_id")
    )
    return User.objects.filter(Q(pk__in=teachers) | Q(pk__in=admins), is_active=True)


def student_guardians(student_id: int) -> QuerySet[User]:
    """Guardians who may take part in messages about the student (usable link with messages)."""
    links = GuardianLink.objects.filter(
        student_id=student_id,
        status=LinkStatus.ACTIVE,
        no_access=False,
        scope_messages=True,
    )
    return User.objects.filter(pk__in=links.values("guardian_id"), is_active=True)


@dataclass(frozen=True)
class Candidates:
    """Whom a conversation of one kind about one student may include, besides its starter."""

    staff: list[User]
    guardians: list[User]
    student: User | None


def candidates(kind: ConversationKind, student: User, school_id: int) -> Candidates:
    """Everyone a conversation of ``kind`` about ``student`` may include (two queries)."""
    staff = list(student_staff_ids(student.pk, school_id).order_by("last_name", "first_name"))
    guardians: list[User] = []
    if kind == ConversationKind.FAMILY:
        guardians = list(student_guardians(student.pk).order_by("last_name", "first_name"))
    with_student = kind in (ConversationKind.FAMILY, ConversationKind.STUDENT)
    return Candidates(staff=staff, guardians=guardians, student=student if with_student else None)


# --- who may start what ------------------------------------------------------------------------


def starter_role(user: AnyUser, student: User, school_id: int) -> ParticipantRole | None:
    """As whom ``user`` may start a conversation about ``student``: staff of the student, one
    of the student's guardians (with messages), the student themself, or ``None``."""
    if not user.is_authenticated:
        return None
    roles = roles_of(user)
    if (
        roles.is_staff_member
        and student_staff_ids(student.pk, school_id).filter(pk=user.pk).exists()
    ):
        return ParticipantRole.STAFF
    if roles.has(Role.GUARDIAN) and student_guardians(student.pk).filter(pk=user.pk).exists():
        return ParticipantRole.GUARDIAN
    if user.pk == student.pk and roles.has(Role.STUDENT):
        return ParticipantRole.STUDENT
    return None


#: The kinds each role may start.
STARTS: dict[ParticipantRole, tuple[ConversationKind, ...]] = {
    ParticipantRole.STAFF: (
        ConversationKind.FAMILY,
        ConversationKind.STUDENT,
        ConversationKind.STAFF,
    ),
    ParticipantRole.GUARDIAN: (ConversationKind.FAMILY,),
    ParticipantRole.STUDENT: (ConversationKind.STUDENT,),
}


def kinds_startable(role: ParticipantRole | None) -> tuple[ConversationKind, ...]:
    return STARTS.get(role, ()) if role is not None else ()


def student_for_messages(user: AnyUser, student_id: int) -> tuple[User, int]:
    """The student (and their school) ``user`` may start a conversation about, or 404: a
    student visible to them (a guardian: through a link that allows messages)."""
    student = one_or_404(
        visible_students(user, scope=Scope.MESSAGES).filter(pk=student_id),
        "No such student.",
    )
    school = student_schools([student.pk]).get(student.pk)
    if school is None:
        one_or_404(User.objects.none(), "No such student.")
    assert school is not None
    return student, school.pk


@dataclass(frozen=True)
class Invitees:
    """The people a new conversation is to include, as the starter chose them."""

    staff: Collection[int] = ()
    guardians: Collection[int] = ()
    with_student: bool = False


class NotAllowedError(Exception):
    """The starter may not include these people in this kind of conversation."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def check_invitees(
    role: ParticipantRole,
    kind: ConversationKind,
    starter: User,
    found: Candidates,
    chosen: Invitees,
) -> None:
    """Raise :class:`NotAllowedError` unless ``role`` may start ``kind`` with ``chosen``."""
    if kind not in kinds_startable(role):
        raise NotAllowedError("kind", _("You cannot start this kind of conversation."))
    if role != ParticipantRole.STAFF and (chosen.guardians or chosen.with_student):
        # Students and families never add anyone but staff.
        raise NotAllowedError("guardians", _("Only staff can add family members or students."))
    if kind == ConversationKind.STAFF and (chosen.guardians or chosen.with_student):
        raise NotAllowedError("staff", _("A staff conversation includes staff only."))
    if kind == ConversationKind.STUDENT and chosen.guardians:
        raise NotAllowedError("guardians", _("A conversation with a student has no family in it."))
    staff_ids = {user.pk for user in found.staff} - {starter.pk}
    guardian_ids = {user.pk for user in found.guardians} - {starter.pk}
    if set(chosen.staff) - staff_ids:
        raise NotAllowedError("staff", _("Choose among the student's teachers and school staff."))
    if set(chosen.guardians) - guardian_ids:
        raise NotAllowedError("guardians", _("Choose among the student's guardians."))
    if role != ParticipantRole.STAFF and not chosen.staff:
        raise NotAllowedError("staff", _("Choose a teacher or staff member to write to."))
    if kind == ConversationKind.FAMILY and role == ParticipantRole.STAFF and not chosen.guardians:
        raise NotAllowedError("guardians", _("Choose at least one guardian."))
    if kind == ConversationKind.STAFF and not chosen.staff:
        raise NotAllowedError("staff", _("Choose at least one other staff member."))


# --- reading conversations ---------------------------------------------------------------------


def _still_allowed(user: AnyUser) -> Q:
    """On ``Participant`` rows of ``user``: their place still holds (see the module)."""
    roles = roles_of(user)
    staff_schools = [org for role in STAFF_ROLES for org in roles.orgs(role)]
    allowed = Q(pk__in=[])
    if roles.is_staff_member:
        allowed |= Q(role=ParticipantRole.STAFF) & (
            Q(conversation__school_id__in=staff_schools)
            | Q(conversation__school__in=administered_schools(user).values("pk"))
        )
    if roles.has(Role.GUARDIAN):
        links = GuardianLink.objects.filter(
            guardian_link_q(user.pk, Scope.MESSAGES),
            student_id=OuterRef("conversation__student_id"),
        )
        allowed |= Q(role=ParticipantRole.GUARDIAN) & Q(Exists(links))
    if roles.has(Role.STUDENT):
        allowed |= Q(role=ParticipantRole.STUDENT, conversation__student_id=user.pk)
    return allowed


def my_places(user: AnyUser) -> QuerySet[Participant]:
    """The user's places in conversations that still hold."""
    if not user.is_authenticated or not user.is_active:
        return Participant.objects.none()
    return Participant.objects.filter(
        _still_allowed(user), user_id=user.pk, removed_at__isnull=True
    )


def visible_conversations(user: AnyUser) -> QuerySet[Conversation]:
    """Conversations ``user`` takes part in (newest first)."""
    return Conversation.objects.filter(pk__in=my_places(user).values("conversation_id"))


def safeguarding_conversations(user: AnyUser) -> QuerySet[Conversation]:
    """Conversations of the schools ``user`` administers (read only, each read audited)."""
    return Conversation.objects.filter(school__in=administered_schools(user).values("pk"))


@dataclass(frozen=True)
class Access:
    conversation: Conversation
    #: Their place in it; ``None`` for an admin reading for safeguarding.
    place: Participant | None

    @property
    def safeguarding(self) -> bool:
        return self.place is None


def conversation_for_reader(user: AnyUser, pk: int) -> Access:
    """The conversation ``pk`` as a participant, or as an admin of its school, or 404."""
    place = my_places(user).filter(conversation_id=pk).select_related("conversation").first()
    if place is not None:
        return Access(place.conversation, place)
    conversation = one_or_404(
        safeguarding_conversations(user).filter(pk=pk), "No such conversation."
    )
    return Access(conversation, None)


def conversation_for_participant(user: AnyUser, pk: int) -> Access:
    """The conversation ``pk`` for writing in it: its participants only, or 404."""
    place = one_or_404(
        my_places(user).filter(conversation_id=pk).select_related("conversation"),
        "No such conversation.",
    )
    return Access(place.conversation, place)


def may_moderate(user: AnyUser, conversation: Conversation) -> bool:
    """May ``user`` hide others' messages in ``conversation`` and see its reports (an admin of
    its school)?"""
    return administered_schools(user).filter(pk=conversation.school_id).exists()


def message_in(access: Access, message_id: int) -> Message:
    return one_or_404(
        Message.objects.filter(conversation=access.conversation, pk=message_id),
        "No such message.",
    )
