"""The families' pages: each child's rounds, the teachers to book in one round, one teacher's
free times (those next to the family's other conferences first), a booking (move it, cancel it,
add it to a calendar)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from village.accounts.models import User
from village.conferences import invitation, policies
from village.conferences.forms import BookForm, CancelForm, MoveForm
from village.conferences.models import Booking, BookingState, ConferenceRound, Slot
from village.conferences.notices import family_link
from village.conferences.selectors.family import FamilyChild, family_plan, free_slots
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
    changes_until,
    default_interpreter,
)
from village.conferences.views.common import GET_POST, viewer
from village.core.audit import students_shown
from village.core.policies import require_page
from village.notifications.services.notify import site_link


@login_required
@require_safe
def family(request: HttpRequest) -> HttpResponse:
    """Each child's conferences to come and the rounds open (or opening) at their school."""
    user = viewer(request)
    require_page(policies.may_book(user))
    plans = family_plan(user, timezone.now())
    students_shown(request, user, [(plan.child.pk, _school_id(plan)) for plan in plans])
    return render(request, "conferences/family/index.html", {"plans": plans})


def _school_id(plan: FamilyChild) -> int | None:
    if plan.rounds:
        return plan.rounds[0].round.school_id
    return plan.bookings[0].round.school_id if plan.bookings else None


@login_required
@require_safe
def family_round(request: HttpRequest, child_id: int, round_id: int) -> HttpResponse:
    """The child's teachers in the round: booked with them, or how many times are free."""
    user = viewer(request)
    child = policies.child_for_family(user, child_id)
    conference_round = policies.round_for_family(user, child, round_id)
    (plan,) = family_plan(user, timezone.now(), child_ids=[child.pk], round_id=round_id)
    students_shown(request, user, [(child.pk, conference_round.school_id)])
    context = {"child": child, "round": conference_round, "plan": plan, "choice": plan.rounds[0]}
    return render(request, "conferences/family/round.html", context)


def _bookable(child: User, conference_round: ConferenceRound, teacher: User) -> QuerySet[Slot]:
    return policies.family_slots(child.pk).filter(round=conference_round, teacher=teacher)


@login_required
@require_http_methods(GET_POST)
def family_teacher(
    request: HttpRequest, child_id: int, round_id: int, teacher_id: int
) -> HttpResponse:
    """One teacher's free times for the child; choosing one (and an interpreter) books it."""
    user = viewer(request)
    child = policies.child_for_family(user, child_id)
    conference_round = policies.round_for_family(user, child, round_id)
    teacher = policies.teacher_for_family(child, conference_round, teacher_id)
    now = timezone.now()
    free = free_slots(user, child, conference_round, teacher, now)
    form = BookForm(
        request.POST or None,
        slots=_bookable(child, conference_round, teacher),
        initial={"interpreter_language": default_interpreter(user)},
    )
    if request.method == "POST" and form.is_valid():
        slot = policies.slot_for_family(user, child, form.cleaned_data["slot"].pk)
        try:
            booking = booking_create(
                guardian=user,
                child=child,
                slot=slot,
                interpreter_language=form.cleaned_data["interpreter_language"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
            free = free_slots(user, child, conference_round, teacher, timezone.now())
        else:
            messages.success(
                request,
                _("Booked. The invitation is on its way to your email, and to %(teacher)s.")
                % {"teacher": teacher.display_name},
            )
            return redirect("conferences:family_booking", booking.pk)
    students_shown(request, user, [(child.pk, conference_round.school_id)])
    existing = (
        policies.family_bookings(user)
        .filter(child=child, round=conference_round, teacher=teacher, state=BookingState.BOOKED)
        .first()
    )
    context = {
        "child": child,
        "round": conference_round,
        "teacher": teacher,
        "free": free,
        "form": form,
        "existing": existing,
        "open": conference_round.is_open(now),
    }
    return render(request, "conferences/family/teacher.html", context)


def _booking_page(
    request: HttpRequest,
    user: User,
    booking: Booking,
    *,
    move: MoveForm | None = None,
    cancel: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    until = changes_until(booking.slot)
    changeable = booking.active and now < until
    free = (
        free_slots(user, booking.child, booking.round, booking.teacher, now, moving=booking)
        if changeable and booking.round.is_open(now)
        else []
    )
    students_shown(request, user, [(booking.child_id, booking.round.school_id)])
    context = {
        "booking": booking,
        "until": until,
        "changeable": changeable,
        "free": free,
        "move": move or MoveForm(slots=_bookable(booking.child, booking.round, booking.teacher)),
        "cancel": cancel or CancelForm(),
        "interpreter": invitation.language_name(booking.interpreter_language)
        if booking.interpreter_language
        else "",
    }
    return render(request, "conferences/family/booking.html", context, status=status)


@login_required
@require_safe
def family_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = viewer(request)
    return _booking_page(request, user, policies.booking_for_family(user, booking_id))


@login_required
@require_POST
def family_move(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Move the conference to another free time with the same teacher."""
    user = viewer(request)
    booking = policies.booking_for_family(user, booking_id)
    form = MoveForm(request.POST, slots=_bookable(booking.child, booking.round, booking.teacher))
    if form.is_valid():
        slot = policies.slot_for_family(user, booking.child, form.cleaned_data["slot"].pk)
        try:
            booking_reschedule(booking=booking, slot=slot)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Moved. The new invitation is on its way."))
            return redirect("conferences:family_booking", booking.pk)
    booking = policies.booking_for_family(user, booking_id)
    return _booking_page(request, user, booking, move=form, status=400)


@login_required
@require_http_methods(GET_POST)
def family_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """GET asks (changing nothing); POST cancels, until the round's cut-off."""
    user = viewer(request)
    booking = policies.booking_for_family(user, booking_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_cancel(booking=booking, by=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Cancelled. The teacher is told."))
            return redirect("conferences:family_booking", booking.pk)
    students_shown(request, user, [(booking.child_id, booking.round.school_id)])
    context = {
        "booking": booking,
        "form": form,
        "until": changes_until(booking.slot),
        "changeable": booking.active and timezone.now() < changes_until(booking.slot),
    }
    return render(request, "conferences/family/cancel.html", context)


@login_required
@require_safe
def family_invitation(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The booking as a calendar file to open: the invitation, or its cancellation."""
    user = viewer(request)
    booking = policies.booking_for_family(user, booking_id)
    method = invitation.Method.REQUEST if booking.active else invitation.Method.CANCEL
    text = invitation.invitation(
        booking, method=method, now=timezone.now(), link=site_link(family_link(booking))
    )
    response = HttpResponse(text, content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = f'attachment; filename="conference-{booking.pk}.ics"'
    return response
