"""The conference policy as a matrix: every persona against rounds, slots, bookings and children
of their own school, the sister school and another district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tests.authorization import EVERYONE, olga_at_both_schools
from village.community.models import Enrollment, GuardianLink, LinkStatus, OrgRole, Role, Scope
from village.community.policies import forget_roles
from village.conferences import policies
from village.conferences.models import ConferenceRound
from village.conferences.services.bookings import booking_create
from village.conferences.tests.factories import add_slots, open_round
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(personas: Personas) -> dict[str, ConferenceRound]:
    """A round at each school: Riverside (by Principal Nguyen), Oak Hill (by Ms. Park) and
    Lakeside (by Ms. Stone), each with its teachers' times."""
    riverside = open_round(personas)
    oak_hill = open_round(personas, school=personas.sister_school, by=personas.park)
    lakeside = open_round(personas, school=personas.other_school, by=personas.stone)
    add_slots(riverside, personas.rivera)
    add_slots(riverside, personas.chen)
    add_slots(oak_hill, personas.park)
    add_slots(lakeside, personas.stone)
    return {"riverside": riverside, "oak_hill": oak_hill, "lakeside": lakeside}


def person(personas: Personas, name: str):
    return getattr(personas, name)


STAFF_ROUNDS = {
    "rivera": {"riverside"},
    "chen": {"riverside"},
    "nguyen": {"riverside"},
    "priya": {"riverside", "oak_hill"},
    "park": {"oak_hill"},
    "stone": {"lakeside"},
}
FAMILY_ROUNDS = {"sam": {"riverside"}, "olga": {"oak_hill"}, "eve": {"lakeside"}}


@pytest.mark.parametrize("name", EVERYONE)
def test_who_sees_which_rounds(personas, district, name):
    user = person(personas, name)
    seen = {key for key, value in district.items() if value in policies.visible_rounds(user)}
    expected = STAFF_ROUNDS.get(name, set()) | FAMILY_ROUNDS.get(name, set())
    assert seen == expected
    staff = {key for key, value in district.items() if value in policies.staff_rounds(user)}
    assert staff == STAFF_ROUNDS.get(name, set())


def test_an_unpublished_round_is_for_staff_only(personas, district):
    draft = open_round(personas, title="Spring", published=False)
    assert draft in policies.visible_rounds(personas.rivera)
    assert draft not in policies.visible_rounds(personas.sam)
    assert not policies.family_rounds(personas.leo.pk).filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("nguyen", "edit"),
        ("priya", "edit"),
        ("rivera", "403"),
        ("chen", "403"),
        ("park", "404"),
        ("stone", "404"),
        ("sam", "404"),
        ("leo", "404"),
        ("library", "404"),
    ],
)
def test_who_changes_a_round(personas, district, name, outcome):
    user = person(personas, name)
    pk = district["riverside"].pk
    if outcome == "edit":
        assert policies.round_for_editor(user, pk).pk == pk
    elif outcome == "403":
        with pytest.raises(PermissionDenied):
            policies.round_for_editor(user, pk)
    else:
        with pytest.raises(Http404):
            policies.round_for_editor(user, pk)


def test_the_teacher_who_started_a_round_changes_it_while_they_teach_there(personas):
    mine = open_round(personas, by=personas.rivera)
    assert policies.round_for_editor(personas.rivera, mine.pk) == mine
    OrgRole.objects.filter(user=personas.rivera, role=Role.TEACHER).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    forget_roles(personas.rivera)
    with pytest.raises(Http404):
        policies.round_for_editor(personas.rivera, mine.pk)


@pytest.mark.parametrize(
    ("name", "teachers"),
    [
        ("nguyen", {"rivera", "chen"}),
        ("priya", {"rivera", "chen"}),
        ("rivera", {"rivera"}),
        ("chen", {"chen"}),
        ("park", set()),
        ("stone", set()),
        ("sam", set()),
        ("ada", set()),
    ],
)
def test_whose_slots_each_one_manages_at_riverside(personas, district, name, teachers):
    user = person(personas, name)
    found = set(policies.slot_teachers(user, personas.school.pk).values_list("username", flat=True))
    assert found == teachers
    managed = set(
        policies.managed_slots(user)
        .filter(round=district["riverside"])
        .values_list("teacher__username", flat=True)
    )
    assert managed == teachers


# --- families ---------------------------------------------------------------------------------

BOOKS_FOR = {"sam": {"ada", "leo"}, "olga": {"mina"}, "eve": {"finn"}}


@pytest.mark.parametrize("name", EVERYONE)
def test_who_books_for_which_child(personas, name):
    user = person(personas, name)
    children = set(policies.family_children(user).values_list("username", flat=True))
    assert children == BOOKS_FOR.get(name, set())
    for child in ("ada", "leo", "maya", "mina", "finn"):
        pk = person(personas, child).pk
        if child in BOOKS_FOR.get(name, set()):
            assert policies.child_for_family(user, pk).pk == pk
        else:
            with pytest.raises(Http404):
                policies.child_for_family(user, pk)


def test_jordan_whose_link_does_not_allow_messages_books_nothing(personas, district):
    assert not policies.may_book(personas.jordan)
    with pytest.raises(Http404):
        policies.child_for_family(personas.jordan, personas.leo.pk)
    slot = district["riverside"].slots.filter(teacher=personas.rivera).first()
    with pytest.raises(Http404):
        policies.slot_for_family(personas.jordan, personas.leo, slot.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"status": LinkStatus.ENDED},
        {"status": LinkStatus.PENDING},
        {"no_access": True},
        {"scope_messages": False},
    ],
)
def test_a_link_ended_pending_no_access_or_without_messages_books_nothing(personas, change):
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(**change)
    with pytest.raises(Http404):
        policies.child_for_family(personas.sam, personas.leo.pk)
    assert policies.child_for_family(personas.sam, personas.ada.pk) == personas.ada


def test_the_links_end_hides_the_childs_bookings_too(personas, district):
    slot = district["riverside"].slots.filter(teacher=personas.rivera).first()
    booking = booking_create(guardian=personas.sam, child=personas.leo, slot=slot)
    assert policies.booking_for_family(personas.sam, booking.pk) == booking
    GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
        status=LinkStatus.ENDED
    )
    with pytest.raises(Http404):
        policies.booking_for_family(personas.sam, booking.pk)
    # the school still sees it
    assert policies.booking_for_staff(personas.rivera, booking.pk) == booking


def test_a_family_books_with_the_childs_current_teachers_only(personas, district):
    riverside = district["riverside"]
    leo = set(policies.family_slots(personas.leo.pk).values_list("teacher__username", flat=True))
    ada = set(policies.family_slots(personas.ada.pk).values_list("teacher__username", flat=True))
    assert leo == {"rivera", "chen"}
    assert ada == {"rivera"}
    chen_slot = riverside.slots.filter(teacher=personas.chen).first()
    with pytest.raises(Http404):
        policies.slot_for_family(personas.sam, personas.ada, chen_slot.pk)
    with pytest.raises(Http404):
        policies.teacher_for_family(personas.ada, riverside, personas.chen.pk)
    # Leo's math enrolment ended yesterday: Mr. Chen is no longer his teacher
    Enrollment.objects.filter(user=personas.leo, school_class=personas.math8).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(Http404):
        policies.slot_for_family(personas.sam, personas.leo, chen_slot.pk)


def test_a_slot_for_one_class_is_for_that_class_only(personas):
    conference_round = open_round(personas)
    (science,) = add_slots(
        conference_round,
        personas.rivera,
        school_class=personas.science8,
        start=dt.time(17),
        end=dt.time(17, 20),
    )
    assert policies.slot_for_family(personas.sam, personas.leo, science.pk) == science
    with pytest.raises(Http404):
        policies.slot_for_family(personas.sam, personas.ada, science.pk)


def test_olga_with_children_at_two_schools_sees_each_schools_round_for_the_right_child(
    personas, district
):
    olga = olga_at_both_schools(personas)
    riverside, oak_hill = district["riverside"], district["oak_hill"]
    assert set(policies.visible_rounds(olga)) == {riverside, oak_hill}
    assert policies.round_for_family(olga, personas.maya, riverside.pk) == riverside
    assert policies.round_for_family(olga, personas.mina, oak_hill.pk) == oak_hill
    with pytest.raises(Http404):
        policies.round_for_family(olga, personas.mina, riverside.pk)
    with pytest.raises(Http404):
        policies.round_for_family(olga, personas.maya, oak_hill.pk)
    park_slot = oak_hill.slots.first()
    with pytest.raises(Http404):
        policies.slot_for_family(olga, personas.maya, park_slot.pk)
    # and never another family's child, even at the same school
    with pytest.raises(Http404):
        policies.round_for_family(olga, personas.ada, riverside.pk)


@pytest.mark.parametrize("name", EVERYONE)
def test_who_sees_a_booking(personas, district, name):
    slot = district["riverside"].slots.filter(teacher=personas.rivera).first()
    booking = booking_create(guardian=personas.sam, child=personas.leo, slot=slot)
    user = person(personas, name)
    sees = policies.visible_bookings(user).filter(pk=booking.pk).exists()
    assert sees == (name in {"sam", "rivera", "nguyen", "priya"})
    assert policies.manages_booking(user, booking) == (name in {"rivera", "nguyen", "priya"})


def test_students_and_partners_have_no_conference_pages(personas):
    for name in ("ada", "leo", "library"):
        user = person(personas, name)
        assert not policies.may_organise(user)
        assert not policies.may_book(user)


def test_scope_is_messages(personas):
    assert policies.SCOPE == Scope.MESSAGES
