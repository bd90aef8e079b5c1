"""Who may start which conversation about which student, whom they may include, and who reads
and writes in it afterwards: one policy, tested as a matrix over the persona district (see
``village.demo.personas``: Riverside's Ms. Rivera teaches Ada's homeroom and Leo's science,
Mr. Chen Leo's maths; Sam is Ada's and Leo's mother; Jordan, Leo's father, has a link without
messages; Eve's child Finn is at Lakeside, another district)."""

from __future__ import annotations

import pytest
from django.http import Http404

from village.community.models import GuardianLink, LinkStatus
from village.community.policies import forget_roles
from village.demo.personas import Personas
from village.messaging import policies, services
from village.messaging.models import ConversationKind, ParticipantRole
from village.messaging.policies import Invitees

pytestmark = pytest.mark.django_db

FAMILY = ConversationKind.FAMILY
STUDENT = ConversationKind.STUDENT
STAFF = ConversationKind.STAFF
ALL = (FAMILY, STUDENT, STAFF)

#: persona → student → the kinds they may start about that student ("404": not even the student).
STARTS: dict[str, dict[str, tuple[ConversationKind, ...] | str]] = {
    "rivera": {"ada": ALL, "leo": ALL, "maya": ALL, "mina": "404", "finn": "404"},
    "chen": {"leo": ALL, "ada": "404", "finn": "404"},
    "nguyen": {"ada": ALL, "leo": ALL, "mina": "404", "finn": "404"},
    "priya": {"ada": ALL, "leo": ALL, "mina": ALL, "finn": "404"},
    "park": {"mina": ALL, "ada": "404"},
    "stone": {"finn": ALL, "ada": "404", "leo": "404"},
    "sam": {"ada": (FAMILY,), "leo": (FAMILY,), "maya": "404", "finn": "404"},
    "jordan": {"leo": "404", "ada": "404"},
    "olga": {"mina": (FAMILY,), "ada": "404"},
    "eve": {"finn": (FAMILY,), "ada": "404", "leo": "404", "mina": "404"},
    "ada": {"ada": (STUDENT,), "maya": "404", "leo": "404"},
    "leo": {"leo": (STUDENT,), "ada": "404"},
    "library": {"ada": "404", "leo": "404", "finn": "404"},
}


def matrix() -> list[tuple[str, str, tuple[ConversationKind, ...] | str]]:
    return [
        (persona, student, expected)
        for persona, students in STARTS.items()
        for student, expected in students.items()
    ]


@pytest.mark.parametrize(("persona", "student", "expected"), matrix())
def test_who_may_start_which_kind_about_whom(personas, persona, student, expected):
    user = getattr(personas, persona)
    child = getattr(personas, student)
    if expected == "404":
        with pytest.raises(Http404):
            policies.student_for_messages(user, child.pk)
        return
    found, school_id = policies.student_for_messages(user, child.pk)
    assert found == child
    role = policies.starter_role(user, child, school_id)
    assert policies.kinds_startable(role) == expected


def _start(personas: Personas, starter: str, student: str, kind, **chosen):
    user = getattr(personas, starter)
    child, school_id = policies.student_for_messages(user, getattr(personas, student).pk)
    return services.start(
        starter=user,
        student=child,
        school_id=school_id,
        kind=kind,
        subject="Leo's lab report",
        body="Leo's lab report is late. Can we talk?",
        invitees=Invitees(**chosen),
    )


def ids(personas: Personas, *names: str) -> list[int]:
    return [getattr(personas, name).pk for name in names]


# --- whom a starter may include ------------------------------------------------------------------


def test_the_family_of_a_student_are_the_guardians_whose_link_allows_messages(personas):
    found = policies.candidates(FAMILY, personas.leo, personas.school.pk)
    assert [user.username for user in found.guardians] == ["sam"]  # Jordan: no messages area
    staff = {user.username for user in found.staff}
    assert staff == {"rivera", "chen", "nguyen", "priya"}
    assert found.student == personas.leo
    assert policies.candidates(STAFF, personas.leo, personas.school.pk).guardians == []
    assert policies.candidates(STAFF, personas.leo, personas.school.pk).student is None


@pytest.mark.parametrize(
    ("starter", "student", "kind", "chosen", "field"),
    [
        # Families and students add staff only, and at least one.
        ("sam", "leo", FAMILY, {"staff": ["rivera"], "guardians": ["jordan"]}, "guardians"),
        ("sam", "leo", FAMILY, {"staff": ["rivera"], "with_student": True}, "guardians"),
        ("sam", "leo", FAMILY, {}, "staff"),
        ("sam", "leo", FAMILY, {"staff": ["eve"]}, "staff"),
        ("sam", "leo", FAMILY, {"staff": ["stone"]}, "staff"),
        ("sam", "leo", FAMILY, {"staff": ["maya"]}, "staff"),
        ("sam", "leo", STUDENT, {"staff": ["rivera"]}, "kind"),
        ("ada", "ada", STUDENT, {"staff": ["chen"]}, "staff"),  # not Ada's teacher
        ("ada", "ada", STUDENT, {"staff": ["maya"]}, "staff"),  # another student
        ("ada", "ada", FAMILY, {"staff": ["rivera"]}, "kind"),
        ("leo", "leo", STUDENT, {"staff": ["rivera"], "guardians": ["sam"]}, "guardians"),
        # Staff: a family conversation has a family; nobody from outside.
        ("rivera", "leo", FAMILY, {}, "guardians"),
        ("rivera", "leo", FAMILY, {"guardians": ["jordan"]}, "guardians"),
        ("rivera", "leo", FAMILY, {"guardians": ["eve"]}, "guardians"),
        ("rivera", "leo", FAMILY, {"guardians": ["sam"], "staff": ["stone"]}, "staff"),
        ("rivera", "leo", FAMILY, {"guardians": ["sam"], "staff": ["park"]}, "staff"),
        ("rivera", "leo", STAFF, {"staff": ["chen"], "guardians": ["sam"]}, "staff"),
        ("rivera", "leo", STAFF, {"staff": ["chen"], "with_student": True}, "staff"),
        ("rivera", "leo", STAFF, {}, "staff"),
        ("rivera", "leo", STUDENT, {"guardians": ["sam"]}, "guardians"),
        ("rivera", "ada", FAMILY, {"guardians": ["sam"], "staff": ["ada"]}, "staff"),
    ],
)
def test_a_starter_may_include_only_whom_the_kind_allows(
    personas, starter, student, kind, chosen, field
):
    picked = {
        key: (value if isinstance(value, bool) else ids(personas, *value))
        for key, value in chosen.items()
    }
    with pytest.raises(services.ValidationError) as refused:
        _start(personas, starter, student, kind, **picked)
    assert field in refused.value.message_dict
    assert not services.Conversation.objects.exists()


def test_a_guardian_writes_to_the_teacher_alone_not_to_the_other_household(personas):
    GuardianLink.objects.filter(guardian=personas.jordan).update(scope_messages=True)
    started = _start(personas, "sam", "leo", FAMILY, staff=ids(personas, "rivera"))
    people = dict(started.conversation.participants.values_list("user__username", "role"))
    assert people == {"sam": ParticipantRole.GUARDIAN, "rivera": ParticipantRole.STAFF}


def test_a_teacher_includes_the_guardians_chosen_and_the_student_if_asked(personas):
    started = _start(
        personas,
        "rivera",
        "leo",
        FAMILY,
        guardians=ids(personas, "sam"),
        staff=ids(personas, "chen"),
        with_student=True,
    )
    people = dict(started.conversation.participants.values_list("user__username", "role"))
    assert people == {
        "rivera": ParticipantRole.STAFF,
        "chen": ParticipantRole.STAFF,
        "sam": ParticipantRole.GUARDIAN,
        "leo": ParticipantRole.STUDENT,
    }


def test_a_conversation_with_a_student_includes_the_student(personas):
    started = _start(personas, "rivera", "ada", STUDENT)
    people = set(started.conversation.participants.values_list("user__username", flat=True))
    assert people == {"rivera", "ada"}


# --- reading and writing afterwards ------------------------------------------------------------


@pytest.fixture
def about_leo(personas):
    """Ms. Rivera, Sam and Leo in a conversation about Leo's lab report."""
    return _start(
        personas, "rivera", "leo", FAMILY, guardians=ids(personas, "sam"), with_student=True
    ).conversation


#: persona → how they reach the conversation about Leo: "write", "read" (an admin of the
#: school, for safeguarding) or "404".
READS = {
    "rivera": "write",
    "sam": "write",
    "leo": "write",
    "chen": "404",  # Leo's teacher, but not in this conversation
    "nguyen": "read",
    "priya": "read",
    "jordan": "404",
    "ada": "404",
    "maya": "404",
    "eve": "404",
    "stone": "404",
    "park": "404",
    "olga": "404",
    "library": "404",
}


@pytest.mark.parametrize(("persona", "expected"), READS.items())
def test_who_reads_and_writes_in_a_conversation(personas, about_leo, persona, expected):
    user = getattr(personas, persona)
    if expected == "404":
        with pytest.raises(Http404):
            policies.conversation_for_reader(user, about_leo.pk)
        assert not policies.visible_conversations(user).filter(pk=about_leo.pk).exists()
        return
    access = policies.conversation_for_reader(user, about_leo.pk)
    assert access.safeguarding == (expected == "read")
    in_inbox = policies.visible_conversations(user).filter(pk=about_leo.pk).exists()
    assert in_inbox == (expected == "write")
    if expected == "read":
        with pytest.raises(Http404):
            policies.conversation_for_participant(user, about_leo.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"status": LinkStatus.ENDED},
        {"status": LinkStatus.PENDING},
        {"no_access": True},
        {"scope_messages": False},
    ],
    ids=["ended", "pending", "no-access", "no-messages-area"],
)
def test_a_guardian_whose_link_no_longer_allows_messages_loses_the_conversation(
    personas, about_leo, change
):
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(**change)
    forget_roles(personas.sam)
    with pytest.raises(Http404):
        policies.conversation_for_reader(personas.sam, about_leo.pk)
    assert not policies.visible_conversations(personas.sam).exists()


def test_a_guardian_of_two_children_keeps_each_childs_conversations_apart(personas, about_leo):
    """Sam's link to Leo ending hides Leo's conversation, not Ada's."""
    about_ada = _start(personas, "sam", "ada", FAMILY, staff=ids(personas, "rivera")).conversation
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        status=LinkStatus.ENDED
    )
    visible = set(policies.visible_conversations(personas.sam).values_list("pk", flat=True))
    assert visible == {about_ada.pk}


def test_a_teacher_who_leaves_the_school_loses_its_conversations(personas, about_leo):
    from village.community.models import OrgRole, Role

    OrgRole.objects.filter(user=personas.rivera, role=Role.TEACHER).delete()
    forget_roles(personas.rivera)
    with pytest.raises(Http404):
        policies.conversation_for_reader(personas.rivera, about_leo.pk)


def test_a_person_taken_out_of_a_conversation_sees_it_no_more(personas, about_leo):
    from django.utils import timezone

    about_leo.participants.filter(user=personas.leo).update(removed_at=timezone.now())
    with pytest.raises(Http404):
        policies.conversation_for_reader(personas.leo, about_leo.pk)


def test_only_admins_of_the_conversations_school_moderate_it(personas, about_leo):
    assert policies.may_moderate(personas.nguyen, about_leo)
    assert policies.may_moderate(personas.priya, about_leo)
    for name in ("rivera", "chen", "sam", "leo", "stone", "park", "eve"):
        assert not policies.may_moderate(getattr(personas, name), about_leo), name
