"""The staff's pages: the rounds of their schools, a round (with each teacher's counts for
admins), a teacher's slots (made from a stretch of time, moved to another place, cancelled one by
one), a teacher's day
and its printable list, and cancelling a booking with a note for the family."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from village.accounts.models import User
from village.community.models import Role, SchoolClass
from village.community.policies import roles_of, taught_class_ids, today
from village.conferences import policies
from village.conferences.forms import (
    CancelForm,
    PlaceForm,
    RoundForm,
    SlotRangeForm,
    round_initial,
)
from village.conferences.models import ConferenceRound
from village.conferences.selectors import staff as selectors
from village.conferences.services.bookings import booking_cancel
from village.conferences.services.rounds import round_create, round_update
from village.conferences.services.slots import (
    PlaceChange,
    slot_cancel,
    slot_change_place,
    slots_generate,
)
from village.conferences.views.common import GET_POST, viewer
from village.core.audit import students_shown
from village.core.policies import require_page


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The rounds of the user's schools; a guardian who is not staff goes to the family page."""
    user = viewer(request)
    if not policies.may_organise(user):
        require_page(policies.may_book(user))
        return redirect("conferences:family")
    rounds = (
        selectors.with_counts(policies.staff_rounds(user), user)
        .select_related("school")
        .order_by("-opens_at", "id")
    )
    context = {
        "rounds": rounds,
        "may_start": policies.staff_schools(user).exists(),
        "guardian": policies.may_book(user),
    }
    return render(request, "conferences/staff/index.html", context)


@login_required
@require_http_methods(GET_POST)
def round_new(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    schools = policies.staff_schools(user).order_by("name", "pk")
    require_page(policies.may_organise(user) and schools.exists())
    form = RoundForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        school = policies.school_for_new_round(user, form.cleaned_data["school"].pk)
        try:
            made = round_create(school=school, by=user, spec=form.spec())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The round is started: now add the teachers' times."))
            return redirect("conferences:round", made.pk)
    return render(request, "conferences/staff/round_form.html", {"form": form, "round": None})


@login_required
@require_http_methods(GET_POST)
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    user = viewer(request)
    conference_round = policies.round_for_editor(user, round_id)
    form = RoundForm(
        request.POST or None,
        initial=round_initial(conference_round),
        schools=policies.staff_schools(user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_update(conference_round=conference_round, spec=form.spec())
        except ValidationError as error:
            conference_round.refresh_from_db()
            form.add_service_errors(error)
        else:
            messages.success(request, _("The round is saved."))
            return redirect("conferences:round", conference_round.pk)
    context = {"form": form, "round": conference_round}
    return render(request, "conferences/staff/round_form.html", context)


@login_required
@require_safe
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = viewer(request)
    conference_round = policies.round_for_staff(user, round_id)
    teachers = policies.slot_teachers(user, conference_round.school_id)
    context = {
        "round": conference_round,
        "teachers": selectors.round_teachers(conference_round, teachers),
        "may_edit": policies.may_edit_round(user, conference_round),
        "state": conference_round.state_at(timezone.now()),
    }
    return render(request, "conferences/staff/round.html", context)


def _teacher_classes(teacher: User, conference_round: ConferenceRound) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(
        pk__in=taught_class_ids(teacher, aides=False), school_id=conference_round.school_id
    ).order_by("title", "pk")


def _slots_url(conference_round: ConferenceRound, teacher: User, user: User) -> str:
    url = reverse("conferences:slots", args=[conference_round.pk])
    return url if teacher.pk == user.pk else f"{url}?teacher={teacher.pk}"


def _asked_id(request: HttpRequest, name: str) -> int | None:
    """A positive id in the query string, ``None`` when absent; a bad one is a 404."""
    value = request.GET.get(name, "")
    if not value:
        return None
    require_page(value.isdigit() and 0 < len(value) <= 18)
    return int(value)


@login_required
@require_http_methods(GET_POST)
def slots(request: HttpRequest, round_id: int) -> HttpResponse:
    """One teacher's slots in the round (the user's own, or ``?teacher=`` for admins)."""
    user = viewer(request)
    conference_round = policies.round_for_staff(user, round_id)
    asked = _asked_id(request, "teacher")
    if asked is None and not roles_of(user).has(Role.TEACHER):
        return redirect("conferences:round", conference_round.pk)  # an admin picks a teacher
    teacher = policies.teacher_for_slots(user, conference_round.school_id, asked or user.pk)
    classes = _teacher_classes(teacher, conference_round)
    form = SlotRangeForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        try:
            made = slots_generate(
                conference_round=conference_round, teacher=teacher, spec=form.spec()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext("%(count)s slot added.", "%(count)s slots added.", len(made))
                % {"count": len(made)},
            )
            return redirect(_slots_url(conference_round, teacher, user))
    rows = selectors.teacher_slots(conference_round, teacher)
    students_shown(
        request,
        user,
        [(row.booking.child_id, conference_round.school_id) for row in rows if row.booking],
    )
    context = {
        "round": conference_round,
        "teacher": teacher,
        "own": teacher.pk == user.pk,
        "form": form,
        "rows": rows,
        "now": timezone.now(),
    }
    return render(request, "conferences/staff/slots.html", context)


@login_required
@require_http_methods(GET_POST)
def slot_cancel_view(request: HttpRequest, slot_id: int) -> HttpResponse:
    """GET asks (changing nothing); POST withdraws the slot and cancels its booking, if any."""
    user = viewer(request)
    slot = policies.slot_for_editor(user, slot_id)
    booked = selectors.active_booking(slot)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slot_cancel(slot=slot, by=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if booked is not None:
                messages.success(request, _("The slot is cancelled, and the family is told."))
            else:
                messages.success(request, _("The slot is cancelled."))
            return redirect(_slots_url(slot.round, slot.teacher, user))
    if booked is not None:
        students_shown(request, user, [(booked.child_id, slot.round.school_id)])
    context = {"slot": slot, "booking": booked, "form": form}
    return render(request, "conferences/staff/slot_cancel.html", context)


@login_required
@require_http_methods(GET_POST)
def slot_place_view(request: HttpRequest, slot_id: int) -> HttpResponse:
    """GET shows how and where the time takes place; POST changes it, and the family who booked
    it gets the updated invitation."""
    user = viewer(request)
    slot = policies.slot_for_editor(user, slot_id)
    booked = selectors.active_booking(slot)
    form = PlaceForm(request.POST or None, initial={"mode": slot.mode, "place": slot.place})
    if request.method == "POST" and form.is_valid():
        change = PlaceChange(mode=form.cleaned_data["mode"], place=form.cleaned_data["place"])
        try:
            slot_change_place(slot=slot, change=change)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if booked is not None:
                messages.success(
                    request, _("The place is changed, and the family has the new invitation.")
                )
            else:
                messages.success(request, _("The place is changed."))
            return redirect(_slots_url(slot.round, slot.teacher, user))
    if booked is not None:
        students_shown(request, user, [(booked.child_id, slot.round.school_id)])
    context = {"slot": slot, "booking": booked, "form": form}
    return render(request, "conferences/staff/slot_place.html", context)


@login_required
@require_http_methods(GET_POST)
def booking_cancel_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The school cancels a family's conference, with a note the family reads."""
    user = viewer(request)
    booking = policies.booking_for_staff(user, booking_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_cancel(booking=booking, by=user, note=form.cleaned_data["note"], by_school=True)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The conference is cancelled, and the family is told."))
            return redirect(_day_url(booking.teacher, user, booking.slot.starts_at))
    students_shown(request, user, [(booking.child_id, booking.round.school_id)])
    return render(
        request, "conferences/staff/booking_cancel.html", {"booking": booking, "form": form}
    )


def _day_url(teacher: User, user: User, moment: dt.datetime) -> str:
    day = timezone.localdate(moment)
    url = f"{reverse('conferences:schedule')}?day={day.isoformat()}"
    return url if teacher.pk == user.pk else f"{url}&teacher={teacher.pk}"


def _asked_day(request: HttpRequest) -> tuple[dt.date | None, str]:
    """The ``day`` asked for, or ``None`` with why when it is not a date."""
    value = request.GET.get("day", "")
    if not value:
        return None, ""
    try:
        return dt.date.fromisoformat(value), ""
    except ValueError:
        return None, _("“%(value)s” is not a day: showing the next day with conferences.") % {
            "value": value[:20]
        }


def _schedule_teacher(user: User, asked: int | None) -> User:
    """The teacher asked for; else the user (a teacher), or an admin's first teacher."""
    if asked is not None:
        return policies.schedule_teacher_for_viewer(user, asked)
    if roles_of(user).has(Role.TEACHER):
        return user
    first = policies.schedule_teachers(user).order_by("last_name", "first_name", "pk").first()
    require_page(first is not None)
    assert first is not None
    return first


def _schedule(request: HttpRequest, template: str) -> HttpResponse:
    user = viewer(request)
    require_page(policies.may_organise(user))
    teacher = _schedule_teacher(user, _asked_id(request, "teacher"))
    zone = timezone.get_current_timezone()
    slots = policies.managed_slots(user)
    days = selectors.schedule_days(slots, teacher, today(), zone)
    asked, problem = _asked_day(request)
    day = asked or (days[0] if days else timezone.localdate())
    rows = selectors.day_schedule(slots, teacher, day, zone)
    students_shown(
        request,
        user,
        [(row.booking.child_id, row.slot.round.school_id) for row in rows if row.booking],
    )
    context = {
        "teacher": teacher,
        "own": teacher.pk == user.pk,
        "day": day,
        "days": days,
        "rows": rows,
        "booked": sum(1 for row in rows if row.booking),
        "problem": problem,
        "printed_at": timezone.localtime(),
        "teachers": (
            policies.schedule_teachers(user).order_by("last_name", "first_name", "pk")
            if roles_of(user).is_admin
            else None
        ),
    }
    return render(request, template, context)


@login_required
@require_safe
def schedule(request: HttpRequest) -> HttpResponse:
    """A teacher's conferences on one day (the next day with any, unless ``?day=``)."""
    return _schedule(request, "conferences/staff/schedule.html")


@login_required
@require_safe
def schedule_print(request: HttpRequest) -> HttpResponse:
    """The same day as a list to print: child, guardian, how to reach them, interpreter."""
    return _schedule(request, "conferences/staff/schedule_print.html")
