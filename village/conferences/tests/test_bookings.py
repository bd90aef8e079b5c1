"""Booking, moving and cancelling a conference: the rules, the invitations both sides receive,
and the family's versions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.conferences import notices
from village.conferences.models import Booking, BookingState, ConferenceRound
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
    default_interpreter,
)
from village.conferences.services.rounds import RoundSpec, round_update
from village.conferences.tests.conftest import Conferences
from village.conferences.tests.factories import add_slots, open_round
from village.families.models import StudentVersion
from village.notifications.models import Delivery, EmailMode, KindSetting, Notification

pytestmark = pytest.mark.django_db


def book(c: Conferences, index: int = 0, *, child=None, guardian=None, **extra) -> Booking:
    return booking_create(
        guardian=guardian or c.people.sam,
        child=child or c.people.leo,
        slot=c.rivera[index],
        **extra,
    )


def errors(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


class TestBooking:
    def test_a_guardian_books_a_free_time_with_an_interpreter(self, conferences):
        booking = book(conferences, interpreter_language="es-mx", note="Reading at home")
        assert booking.state == BookingState.BOOKED
        assert (booking.round, booking.teacher) == (conferences.round, conferences.people.rivera)
        assert booking.interpreter_language == "es-MX"
        assert booking.note == "Reading at home"
        assert booking.sequence == 0

    def test_the_interpreter_offered_first_is_the_guardians_language_unless_english(self, personas):
        assert default_interpreter(personas.sam) == "es"
        assert default_interpreter(personas.jordan) == ""
        for tag, offered in (("es-MX", "es"), ("zh-Hant-TW", "zh-Hant"), ("vi", "vi")):
            personas.jordan.preferred_language = tag
            assert default_interpreter(personas.jordan) == offered

    def test_an_unknown_language_is_refused_naming_the_field(self, conferences):
        with pytest.raises(ValidationError) as caught:
            book(conferences, interpreter_language="klingon")
        assert "interpreter_language" in errors(caught)
        assert not Booking.objects.exists()

    def test_a_note_too_long_is_refused_naming_the_field(self, conferences):
        with pytest.raises(ValidationError) as caught:
            book(conferences, note="x" * 501)
        assert "note" in errors(caught)

    def test_a_time_taken_is_refused(self, conferences):
        book(conferences)
        with pytest.raises(ValidationError) as caught:
            book(conferences, child=conferences.people.ada)
        assert errors(caught)["slot"] == ["Someone has just booked this time. Choose another."]

    def test_one_conference_per_child_and_teacher_in_a_round(self, conferences):
        book(conferences, 0)
        with pytest.raises(ValidationError) as caught:
            book(conferences, 1, guardian=conferences.people.jordan)
        assert "Leo already has a conference with Elena Rivera" in errors(caught)["slot"][0]
        # with another teacher, and for a sister, it is fine
        booking_create(
            guardian=conferences.people.sam, child=conferences.people.leo, slot=conferences.chen[0]
        )
        book(conferences, 1, child=conferences.people.ada)
        assert Booking.objects.filter(state=BookingState.BOOKED).count() == 3

    def test_a_cancelled_booking_frees_the_time_and_the_teacher(self, conferences):
        first = book(conferences, 0)
        booking_cancel(booking=first, by=conferences.people.sam)
        again = book(conferences, 0)
        assert again.pk != first.pk
        assert Booking.objects.filter(slot=conferences.rivera[0]).count() == 2

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"published": False}, "Booking opens"),
            ({"opens_in": dt.timedelta(hours=2)}, "Booking opens"),
            ({"closes_in": dt.timedelta(hours=-1), "opens_in": dt.timedelta(days=-3)}, "closed"),
        ],
    )
    def test_only_while_the_round_is_open(self, conferences, change, message):
        now = timezone.now()
        round_update(
            conference_round=conferences.round,
            spec=RoundSpec(
                title="Fall conferences",
                opens_at=now + change.get("opens_in", dt.timedelta(days=-1)),
                closes_at=now + change.get("closes_in", dt.timedelta(days=3)),
                published=change.get("published", True),
            ),
        )
        with pytest.raises(ValidationError) as caught:
            book(conferences)
        assert message in errors(caught)["slot"][0]

    def test_not_within_the_cut_off_before_the_conference(self, conferences):
        starts = conferences.rivera[0].starts_at
        # booking is still open then: only the cut-off refuses
        ConferenceRound.objects.filter(pk=conferences.round.pk).update(closes_at=starts)
        with (
            time_machine.travel(starts - dt.timedelta(hours=23), tick=False),
            pytest.raises(ValidationError) as caught,
        ):
            book(conferences)
        assert "too soon" in errors(caught)["slot"][0]

    def test_a_withdrawn_time_cannot_be_booked(self, conferences):
        from village.conferences.services.slots import slot_cancel

        slot_cancel(slot=conferences.rivera[0], by=conferences.people.rivera)
        with pytest.raises(ValidationError) as caught:
            book(conferences)
        assert errors(caught)["slot"] == ["This time is no longer offered."]


class TestInvitations:
    def test_booking_tells_the_guardian_and_the_teacher_each_with_a_request(self, conferences):
        booking = book(conferences, interpreter_language="es")
        notes = {note.recipient_id: note for note in Notification.objects.all()}
        family = notes[conferences.people.sam.pk]
        teacher = notes[conferences.people.rivera.pk]
        assert family.kind == notices.BOOKED
        assert teacher.kind == notices.TEACHER_BOOKINGS
        assert family.language == "es"  # Sam reads Village in Spanish
        assert family.child_id == conferences.people.leo.pk
        assert family.link == f"/conferences/family/bookings/{booking.pk}/"
        mails = {row.address: row for row in Delivery.objects.all()}
        to_sam = mails[conferences.people.sam.email]
        to_rivera = mails[conferences.people.rivera.email]
        assert "METHOD:REQUEST" in to_sam.calendar
        assert "SEQUENCE:0" in to_sam.calendar
        assert "METHOD:REQUEST" in to_rivera.calendar
        assert f"UID:conference-booking-{booking.pk}@" in to_rivera.calendar

    def test_moving_sends_the_same_uid_with_a_higher_sequence(self, conferences):
        booking = book(conferences)
        moved = booking_reschedule(booking=booking, slot=conferences.rivera[2])
        assert moved.sequence == 1
        assert moved.slot == conferences.rivera[2]
        family = Delivery.objects.filter(address=conferences.people.sam.email).order_by("id")
        first, second = (row.calendar for row in family)
        uid = f"UID:conference-booking-{booking.pk}@"
        assert uid in first
        assert uid in second
        assert "SEQUENCE:1" in second
        assert Notification.objects.filter(kind=notices.MOVED).count() == 1

    def test_cancelling_sends_a_cancel_with_a_higher_sequence_to_both(self, conferences):
        booking = book(conferences)
        booking_reschedule(booking=booking, slot=conferences.rivera[1])
        cancelled = booking_cancel(booking=booking, by=conferences.people.sam, note="Sick")
        assert cancelled.state == BookingState.CANCELLED
        assert cancelled.sequence == 2
        last = {
            row.address: row.calendar
            for row in Delivery.objects.filter(notification__key__endswith=f":{booking.pk}:2")
        }
        assert set(last) == {conferences.people.sam.email, conferences.people.rivera.email}
        for calendar in last.values():
            assert "METHOD:CANCEL" in calendar
            assert "SEQUENCE:2" in calendar
            assert "STATUS:CANCELLED" in calendar

    def test_the_school_cancelling_tells_the_family_with_the_note(self, conferences):
        booking = book(conferences)
        booking_cancel(
            booking=booking, by=conferences.people.rivera, note="I am ill", by_school=True
        )
        note = Notification.objects.get(recipient=conferences.people.sam, kind=notices.CANCELLED)
        assert "Leo" in note.title
        assert "I am ill" in note.body

    def test_an_invitation_does_not_wait_for_the_weekly_digest(self, conferences):
        """Sam chose the weekly digest for conference notices: the invitation cannot wait a
        week, so it goes at once; Ms. Rivera turned her email off: she gets none."""
        people = conferences.people
        KindSetting.objects.create(user=people.sam, kind=notices.BOOKED, email=EmailMode.WEEKLY)
        KindSetting.objects.create(
            user=people.rivera, kind=notices.TEACHER_BOOKINGS, email=EmailMode.OFF
        )
        book(conferences)
        family = Notification.objects.get(recipient=people.sam)
        assert family.email_mode == EmailMode.IMMEDIATE
        (to_sam,) = Delivery.objects.filter(recipient=people.sam)
        assert "METHOD:REQUEST" in to_sam.calendar
        assert Notification.objects.get(recipient=people.rivera).email_mode == EmailMode.OFF
        assert not Delivery.objects.filter(recipient=people.rivera).exists()

    def test_a_guardian_without_email_still_gets_the_notification_in_village(self, conferences):
        conferences.people.sam.email = ""
        conferences.people.sam.save()
        book(conferences)
        assert Notification.objects.filter(recipient=conferences.people.sam).exists()
        assert not Delivery.objects.filter(recipient=conferences.people.sam).exists()


class TestChanges:
    def test_after_the_cut_off_nothing_changes_and_the_family_is_told_why(self, conferences):
        booking = book(conferences)
        starts = booking.slot.starts_at
        with time_machine.travel(starts - dt.timedelta(hours=2), tick=False):
            with pytest.raises(ValidationError) as caught:
                booking_cancel(booking=booking, by=conferences.people.sam)
            assert "contact the school" in errors(caught)["booking"][0]
            with pytest.raises(ValidationError):
                booking_reschedule(booking=booking, slot=conferences.rivera[2])
        booking.refresh_from_db()
        assert (booking.state, booking.sequence, booking.slot) == (
            BookingState.BOOKED,
            0,
            conferences.rivera[0],
        )

    def test_the_school_cancels_after_the_cut_off(self, conferences):
        booking = book(conferences)
        with time_machine.travel(booking.slot.starts_at - dt.timedelta(hours=1), tick=False):
            booking_cancel(booking=booking, by=conferences.people.rivera, by_school=True)
        booking.refresh_from_db()
        assert booking.state == BookingState.CANCELLED

    def test_a_move_stays_with_the_same_teacher(self, conferences):
        booking = book(conferences)
        with pytest.raises(ValidationError) as caught:
            booking_reschedule(booking=booking, slot=conferences.chen[0])
        assert errors(caught)["slot"] == ["Choose another time with the same teacher."]

    def test_a_move_to_a_taken_time_is_refused(self, conferences):
        booking = book(conferences)
        book(conferences, 1, child=conferences.people.ada)
        with pytest.raises(ValidationError) as caught:
            booking_reschedule(booking=booking, slot=conferences.rivera[1])
        assert "Someone has just booked" in errors(caught)["slot"][0]

    def test_a_cancelled_booking_is_not_cancelled_twice(self, conferences):
        booking = book(conferences)
        booking_cancel(booking=booking, by=conferences.people.sam)
        with pytest.raises(ValidationError):
            booking_cancel(booking=booking, by=conferences.people.sam)
        with pytest.raises(ValidationError):
            booking_cancel(booking=booking, by=conferences.people.rivera, by_school=True)


def test_bookings_give_the_child_a_new_conferences_version(conferences):
    def token() -> int | None:
        return (
            StudentVersion.objects.filter(student=conferences.people.leo, area="conferences")
            .values_list("token", flat=True)
            .first()
        )

    before = token()
    booking = book(conferences)
    booked = token()
    booking_cancel(booking=booking, by=conferences.people.sam)
    assert len({before, booked, token()}) == 3


def test_a_new_round_and_new_times_change_the_versions_of_the_students_concerned(personas):
    conference_round = open_round(personas)
    at_school = set(
        StudentVersion.objects.filter(area="conferences").values_list("student_id", flat=True)
    )
    assert {personas.ada.pk, personas.leo.pk, personas.maya.pk} <= at_school
    assert personas.mina.pk not in at_school  # Oak Hill
    StudentVersion.objects.all().delete()
    add_slots(conference_round, personas.chen)
    assert set(
        StudentVersion.objects.filter(area="conferences").values_list("student_id", flat=True)
    ) == {personas.leo.pk}
