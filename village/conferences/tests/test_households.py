"""Separated households: in a round that keeps households apart, Jordan (Leo's father, who does
not live with him) books his own conference with each of Leo's teachers, and Sam (who lives with
Leo) the home's; neither sees, moves, cancels or hears of the other's. In a round that does not,
nothing changes: one conference per child and teacher, shared by every guardian."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from village.community import services as community_services
from village.community.models import GuardianLink, LinkStatus, Role
from village.conferences import notices, policies
from village.conferences.models import HOME, Booking, BookingState
from village.conferences.selectors.family import family_plan, free_slots
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from village.conferences.services.slots import PlaceChange, slot_change_place
from village.conferences.tests.conftest import Conferences
from village.conferences.tests.factories import jordan_talks_with_school, keep_households_apart
from village.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def book(c: Conferences, guardian, index: int = 0, *, slots=None) -> Booking:
    return booking_create(guardian=guardian, child=c.people.leo, slot=(slots or c.rivera)[index])


def both(c: Conferences) -> tuple[Booking, Booking]:
    """Sam books Leo's home conference with Ms. Rivera at 15:00, Jordan his own at 15:40."""
    return book(c, c.people.sam, 0), book(c, c.people.jordan, 2)


def sweep(at: dt.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return notices.reminder_sweep(at)


def moves_out(c: Conferences) -> None:
    """Sam no longer lives with Leo (the school updated the link)."""
    GuardianLink.objects.filter(guardian=c.people.sam, student=c.people.leo).update(
        lives_with=False
    )


# --- the model ----------------------------------------------------------------------------------


class TestConstraint:
    def test_two_households_each_hold_a_booking_with_the_same_teacher(self, apart):
        home, own = both(apart)
        assert (home.household, own.household) == (HOME, apart.people.jordan.pk)
        assert (
            Booking.objects.filter(child=apart.people.leo, state=BookingState.BOOKED).count() == 2
        )

    def test_one_household_cannot_hold_two_even_written_around_the_services(self, apart):
        home, _own = both(apart)
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.create(
                slot=apart.rivera[1],
                round=apart.round,
                teacher=apart.people.rivera,
                child=apart.people.leo,
                guardian=apart.people.sam,
                household=HOME,
            )
        # a cancelled one does not count
        Booking.objects.filter(pk=home.pk).update(state=BookingState.CANCELLED)
        Booking.objects.create(
            slot=apart.rivera[1],
            round=apart.round,
            teacher=apart.people.rivera,
            child=apart.people.leo,
            guardian=apart.people.sam,
            household=HOME,
        )


# --- the services -------------------------------------------------------------------------------


class TestBooking:
    def test_the_household_is_the_childs_home_unless_the_guardian_lives_apart(self, apart):
        people = apart.people
        assert policies.household(people.sam, people.leo.pk, apart.round) == HOME
        assert policies.household(people.jordan, people.leo.pk, apart.round) == people.jordan.pk
        keep_households_apart(apart.round, on=False)
        assert policies.household(people.jordan, people.leo.pk, apart.round) == HOME

    def test_each_household_books_one_conference_with_each_teacher(self, apart):
        people = apart.people
        both(apart)
        for guardian, index in ((people.sam, 1), (people.jordan, 1)):
            with pytest.raises(ValidationError) as caught:
                book(apart, guardian, index)
            assert caught.value.message_dict["slot"] == [
                "Leo already has a conference with Elena Rivera in this round: "
                "move that one instead."
            ]
        # with another teacher, each household again
        book(apart, people.jordan, 0, slots=apart.chen)
        book(apart, people.sam, 1, slots=apart.chen)
        assert Booking.objects.filter(state=BookingState.BOOKED).count() == 4

    def test_a_time_taken_by_the_other_household_is_taken(self, apart):
        book(apart, apart.people.sam, 0)
        with pytest.raises(ValidationError) as caught:
            book(apart, apart.people.jordan, 0)
        assert caught.value.message_dict["slot"] == [
            "Someone has just booked this time. Choose another."
        ]

    def test_a_second_guardian_living_with_the_child_shares_the_homes_conference(self, apart):
        people = apart.people
        kim = community_services.person_create(
            username="kim",
            first_name="Kim",
            last_name="Okoye",
            role=Role.GUARDIAN,
            organisation=people.school,
        )
        community_services.guardian_link(guardian=kim, student=people.leo)
        home = book(apart, people.sam, 0)
        with pytest.raises(ValidationError):
            book(apart, kim, 1)
        assert policies.booking_for_family(kim, home.pk) == home
        moved = booking_reschedule(booking=home, slot=apart.rivera[1])
        assert moved.household == HOME

    def test_moving_and_cancelling_keep_the_household(self, apart):
        _home, own = both(apart)
        moved = booking_reschedule(booking=own, slot=apart.rivera[1])
        assert (moved.household, moved.slot) == (apart.people.jordan.pk, apart.rivera[1])
        cancelled = booking_cancel(booking=own, by=apart.people.jordan)
        assert cancelled.household == apart.people.jordan.pk
        again = book(apart, apart.people.jordan, 2)
        assert again.household == apart.people.jordan.pk


class TestFlagOff:
    """A round that does not keep households apart: as before, for Jordan too."""

    def test_the_guardian_living_apart_is_refused_a_second_booking_and_sees_the_shared_one(
        self, conferences
    ):
        people = conferences.people
        jordan = jordan_talks_with_school(people)
        home = book(conferences, people.sam, 0)
        assert home.household == HOME
        with pytest.raises(ValidationError) as caught:
            book(conferences, jordan, 2)
        assert (
            "Leo already has a conference with Elena Rivera" in caught.value.message_dict["slot"][0]
        )
        assert policies.booking_for_family(jordan, home.pk) == home
        (plan,) = family_plan(jordan, timezone.now())
        assert [booking.pk for booking in plan.bookings] == [home.pk]
        # and he may move it, as any guardian of the child
        moved = booking_reschedule(
            booking=policies.booking_for_family(jordan, home.pk), slot=conferences.rivera[1]
        )
        assert moved.slot == conferences.rivera[1]


# --- what each one sees -------------------------------------------------------------------------


class TestVisibility:
    def test_each_household_sees_only_its_own(self, apart):
        people = apart.people
        home, own = both(apart)
        assert list(policies.family_bookings(people.sam)) == [home]
        assert list(policies.family_bookings(people.jordan)) == [own]
        assert set(policies.visible_bookings(people.sam)) == {home}
        assert set(policies.visible_bookings(people.jordan)) == {own}
        for guardian, other in ((people.sam, own), (people.jordan, home)):
            for active in (False, True):
                with pytest.raises(Http404):
                    policies.booking_for_family(guardian, other.pk, active=active)
            with pytest.raises(Http404):
                policies.booking_for_viewer(guardian, other.pk)
        # the school sees both
        for staff in (people.rivera, people.nguyen, people.priya):
            assert set(policies.visible_bookings(staff)) == {home, own}
            assert policies.booking_for_staff(staff, own.pk) == own

    def test_a_cancelled_booking_stays_with_its_household(self, apart):
        home, _own = both(apart)
        booking_cancel(booking=home, by=apart.people.sam)
        assert home.pk not in {b.pk for b in policies.family_bookings(apart.people.jordan)}
        assert home.pk in {b.pk for b in policies.family_bookings(apart.people.sam)}

    def test_each_households_plan_has_its_own_conferences_and_teachers_to_book(self, apart):
        people = apart.people
        home = book(apart, people.sam, 0)
        (jordans,) = family_plan(people.jordan, timezone.now())
        assert jordans.bookings == []
        (choice,) = jordans.rounds
        assert {entry.teacher.username for entry in choice.to_book} == {"rivera", "chen"}
        own = book(apart, people.jordan, 2)
        (jordans,) = family_plan(people.jordan, timezone.now())
        assert jordans.bookings == [own]
        rivera = next(e for e in jordans.rounds[0].teachers if e.teacher == people.rivera)
        assert rivera.booking == own
        sams = {plan.child.username: plan for plan in family_plan(people.sam, timezone.now())}
        assert sams["leo"].bookings == [home]

    def test_the_other_households_conference_is_not_suggested_nor_a_clash(self, apart):
        """Sam's home conference at 15:00 with Ms. Rivera: for Jordan, Mr. Chen's 15:00 is no
        clash and his 15:20 no suggestion; for Sam they are."""
        people = apart.people
        book(apart, people.sam, 0)
        now = timezone.now()
        jordans = free_slots(people.jordan, people.leo, apart.round, people.chen, now)
        assert [(f.beside, f.clash) for f in jordans] == [(None, None)] * 3
        sams = free_slots(people.sam, people.leo, apart.round, people.chen, now)
        assert any(f.clash for f in sams)
        assert any(f.suggested for f in sams)

    @pytest.mark.parametrize(
        "change",
        [{"status": LinkStatus.ENDED}, {"no_access": True}, {"scope_messages": False}],
    )
    def test_a_guardian_whose_link_ended_or_gives_no_access_sees_neither(self, apart, change):
        people = apart.people
        home, own = both(apart)
        GuardianLink.objects.filter(guardian=people.jordan, student=people.leo).update(**change)
        assert not policies.family_bookings(people.jordan).exists()
        assert not policies.visible_bookings(people.jordan).exists()
        for booking in (home, own):
            with pytest.raises(Http404):
                policies.booking_for_family(people.jordan, booking.pk)
        assert family_plan(people.jordan, timezone.now()) == []

    def test_a_guardian_who_moves_out_no_longer_sees_the_homes_conference(self, apart):
        home, _own = both(apart)
        moves_out(apart)
        with pytest.raises(Http404):
            policies.booking_for_family(apart.people.sam, home.pk)
        assert policies.household(apart.people.sam, apart.people.leo.pk, apart.round) == (
            apart.people.sam.pk
        )

    def test_another_family_and_another_school_see_neither(self, apart):
        from tests.authorization import olga_at_both_schools

        people = apart.people
        home, own = both(apart)
        olga = olga_at_both_schools(people)
        for user in (olga, people.eve, people.stone, people.park, people.ada, people.library):
            assert not policies.visible_bookings(user).filter(pk__in=[home.pk, own.pk]).exists()
            for booking in (home, own):
                with pytest.raises(Http404):
                    policies.booking_for_viewer(user, booking.pk)


# --- who is told ----------------------------------------------------------------------------------


def family_told(booking: Booking) -> set[str]:
    """Usernames of the guardians notified of ``booking`` (any family kind)."""
    return set(
        Notification.objects.filter(
            kind__in=[notices.BOOKED, notices.MOVED, notices.CANCELLED, notices.REMINDER],
            link=notices.family_link(booking),
        ).values_list("recipient__username", flat=True)
    )


class TestNotices:
    def test_each_households_booking_tells_that_household_and_the_teacher(self, apart):
        home, own = both(apart)
        assert family_told(home) == {"sam"}
        assert family_told(own) == {"jordan"}
        teacher = Notification.objects.filter(kind=notices.TEACHER_BOOKINGS)
        assert set(teacher.values_list("recipient__username", flat=True)) == {"rivera"}
        assert teacher.count() == 2
        jordans_mail = Delivery.objects.filter(recipient=apart.people.jordan)
        assert all(f"conference-booking-{own.pk}@" in row.calendar for row in jordans_mail)
        assert not Delivery.objects.filter(
            recipient=apart.people.jordan, calendar__contains=f"conference-booking-{home.pk}@"
        ).exists()

    def test_the_school_moving_or_cancelling_one_tells_only_its_household(self, apart):
        people = apart.people
        home, own = both(apart)
        slot_change_place(slot=own.slot, change=PlaceChange(mode="in_person", place="Library"))
        booking_cancel(booking=home, by=people.rivera, note="Ill", by_school=True)
        assert family_told(home) == {"sam"}
        assert family_told(own) == {"jordan"}
        moved = Notification.objects.get(kind=notices.MOVED)
        assert moved.recipient == people.jordan
        cancelled = Notification.objects.get(kind=notices.CANCELLED)
        assert cancelled.recipient == people.sam

    def test_a_guardian_who_moved_out_is_no_longer_told_of_the_homes_conference(self, apart):
        people = apart.people
        home, _own = both(apart)
        moves_out(apart)
        booking_cancel(booking=home, by=people.rivera, note="Ill", by_school=True)
        assert not Notification.objects.filter(kind=notices.CANCELLED).exists()
        # the teacher is told as before
        told = Notification.objects.filter(kind=notices.TEACHER_BOOKINGS, recipient=people.rivera)
        assert told.count() == 3

    def test_without_households_apart_the_booker_is_told_as_before(self, conferences):
        people = conferences.people
        home = book(conferences, people.sam, 0)
        moves_out(conferences)
        booking_cancel(booking=home, by=people.rivera, by_school=True)
        assert Notification.objects.get(kind=notices.CANCELLED).recipient == people.sam

    def test_each_household_is_reminded_of_its_own(self, apart):
        home, own = both(apart)
        assert sweep(home.slot.starts_at - dt.timedelta(hours=23)) == 3  # and the teacher's day
        reminded = Notification.objects.filter(kind=notices.REMINDER)
        assert {(n.recipient.username, n.link) for n in reminded} == {
            ("sam", notices.family_link(home)),
            ("jordan", notices.family_link(own)),
        }
        (day,) = Notification.objects.filter(kind=notices.TEACHER_REMINDER)
        assert day.title.startswith("Tomorrow: 2 conferences")

    def test_a_guardian_who_moved_out_is_not_reminded_of_the_homes_conference(self, apart):
        home, _own = both(apart)
        moves_out(apart)
        assert sweep(home.slot.starts_at - dt.timedelta(hours=23)) == 2  # Jordan, the teacher
        assert not Notification.objects.filter(
            kind=notices.REMINDER, recipient=apart.people.sam
        ).exists()


# --- a round that starts or stops keeping households apart ---------------------------------------


class TestRoundChanges:
    def test_starting_gives_the_guardian_living_apart_their_own_bookings(self, conferences):
        people = conferences.people
        jordan = jordan_talks_with_school(people)
        theirs = book(conferences, jordan, 2)
        sams = book(conferences, people.sam, 0, slots=conferences.chen)
        assert policies.booking_for_family(people.sam, theirs.pk) == theirs
        keep_households_apart(conferences.round)
        theirs.refresh_from_db()
        sams.refresh_from_db()
        assert (theirs.household, sams.household) == (jordan.pk, HOME)
        with pytest.raises(Http404):
            policies.booking_for_family(people.sam, theirs.pk)
        # Sam may now book the home's conference with Ms. Rivera
        assert book(conferences, people.sam, 0).household == HOME

    def test_stopping_is_refused_while_a_child_has_a_conference_for_each_household(self, apart):
        home, own = both(apart)
        with pytest.raises(ValidationError) as caught:
            keep_households_apart(apart.round, on=False)
        assert "households_apart" in caught.value.message_dict
        apart.round.refresh_from_db()
        assert apart.round.households_apart
        booking_cancel(booking=home, by=apart.people.sam)
        keep_households_apart(apart.round, on=False)
        own.refresh_from_db()
        assert own.household == HOME
        assert policies.booking_for_family(apart.people.sam, own.pk) == own
        assert not Booking.objects.exclude(household=HOME).exists()
