"""Conference pages under ``/conferences/``: the staff's (rounds, slots, the day's schedule) and,
under ``family/``, the families' (book, move, cancel)."""

from django.urls import URLPattern, path

from village.conferences.views import family, staff

app_name = "conferences"

BOOKING = "family/bookings/<int:booking_id>/"
CHILD_ROUND = "family/<int:child_id>/rounds/<int:round_id>/"

urlpatterns: list[URLPattern] = [
    path("", staff.index, name="index"),
    path("rounds/new/", staff.round_new, name="round_new"),
    path("rounds/<int:round_id>/", staff.round_detail, name="round"),
    path("rounds/<int:round_id>/edit/", staff.round_edit, name="round_edit"),
    path("rounds/<int:round_id>/slots/", staff.slots, name="slots"),
    path("slots/<int:slot_id>/cancel/", staff.slot_cancel_view, name="slot_cancel"),
    path("slots/<int:slot_id>/place/", staff.slot_place_view, name="slot_place"),
    path("bookings/<int:booking_id>/cancel/", staff.booking_cancel_view, name="booking_cancel"),
    path("schedule/", staff.schedule, name="schedule"),
    path("schedule/print/", staff.schedule_print, name="schedule_print"),
    path("family/", family.family, name="family"),
    path(CHILD_ROUND, family.family_round, name="family_round"),
    path(CHILD_ROUND + "teachers/<int:teacher_id>/", family.family_teacher, name="family_teacher"),
    path(BOOKING, family.family_booking, name="family_booking"),
    path(BOOKING + "move/", family.family_move, name="family_move"),
    path(BOOKING + "cancel/", family.family_cancel, name="family_cancel"),
    path(BOOKING + "invitation.ics", family.family_invitation, name="family_invitation"),
]
