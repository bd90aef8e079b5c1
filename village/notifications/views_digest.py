"""The weekly family digest's pages: the "I've read this" link, a guardian's preview of their
next digest, a teacher's preview of what a family of their class receives, and the class's
report of which families the week's digest reached (with a printed copy for those it did not).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from village.accounts.models import User, short_name
from village.community.models import SchoolClass
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page
from village.notifications import digest, digest_report, policies
from village.notifications.services import digests as digest_services


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _audit(request: HttpRequest, user: User, student_ids: list[int], school_id: int | None) -> None:
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=pk, organisation_id=school_id) for pk in student_ids],
        request=request,
    )


# --- the read confirmation -----------------------------------------------------------------------


@csrf_exempt  # the link is signed: no session, and mail clients may open it anywhere
@require_http_methods(["GET", "POST"])
def digest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the "I've read this" page, which confirms with one press (its script presses it
    at once); POST: record it (the first time only)."""
    try:
        found = digest_services.digest_for_token(token)
    except digest_services.BadConfirmLinkError:
        return render(request, "notifications/digest_confirm_bad.html", status=400)
    if request.method == "POST":
        found = digest_services.digest_confirm(token)
        return render(request, "notifications/digest_confirm.html", {"digest": found, "done": True})
    return render(
        request,
        "notifications/digest_confirm.html",
        {"digest": found, "done": found.confirmed_at is not None, "token": token},
    )


# --- previews ------------------------------------------------------------------------------------


@login_required
@require_GET
def digest_preview(request: HttpRequest) -> HttpResponse:
    """What the signed-in guardian's next digest will say, as it would be sent now."""
    user = _user(request)
    require_page(policies.may_preview_own_digest(user))
    composed = digest.preview(user)
    _audit(request, user, composed.children if composed else [], None)
    left_out = policies.digest_links([user.pk]).filter(receives_communications=False)
    names = [
        short_name(username=username, first_name=first, preferred_name=preferred)
        for username, first, preferred in left_out.values_list(
            "student__username", "student__first_name", "student__preferred_name"
        ).order_by("student__first_name", "student_id")
    ]
    return render(
        request,
        "notifications/digest_preview.html",
        {"composed": composed, "left_out": names, "own": True},
    )


@login_required
@require_GET
def family_digest_preview(request: HttpRequest, class_id: int, guardian_id: int) -> HttpResponse:
    """What a family of the teacher's class receives: only their children in the teacher's
    classes, only those classes, and only what that family's links allow."""
    user = _user(request)
    school_class = policies.class_for_digest_preview(user, class_id)
    guardian = policies.family_for_digest_preview(school_class, guardian_id)
    children = policies.digest_links([guardian.pk]).values_list("student_id", flat=True)
    classes = policies.taught_student_classes(user, list(children))
    composed = digest.preview(guardian, classes=classes)
    _audit(request, user, composed.children if composed else [], school_class.school_id)
    return render(
        request,
        "notifications/digest_preview.html",
        {"composed": composed, "guardian": guardian, "school_class": school_class, "own": False},
    )


# --- the class's report --------------------------------------------------------------------------


class WeekForm(forms.Form):
    week = forms.DateField(
        label=_("Week"),
        required=False,
        help_text=_("Any day of the week; the report shows that week's digests."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _week(request: HttpRequest) -> tuple[WeekForm, dt.date]:
    """The week asked for (its Monday), or this week when none is, or what is asked is not a
    date (the form then says so)."""
    day = timezone.localdate()
    form = WeekForm(request.GET or None, initial={"week": day - dt.timedelta(days=day.weekday())})
    if form.is_valid() and form.cleaned_data.get("week"):
        day = form.cleaned_data["week"]
    return form, day - dt.timedelta(days=day.weekday())


def _report(
    request: HttpRequest, class_id: int
) -> tuple[User, SchoolClass, WeekForm, dt.date, list[digest_report.FamilyReach]]:
    user = _user(request)
    school_class = policies.class_for_digest_report(user, class_id)
    form, week = _week(request)
    families = digest_report.class_reach(school_class, week)
    shown = sorted({pk for family in families for pk, _name in family.children})
    _audit(request, user, shown, school_class.school_id)
    return user, school_class, form, week, families


@login_required
@require_GET
def class_digests(request: HttpRequest, class_id: int) -> HttpResponse:
    """Which families of the class the week's digest reached, read, or did not reach."""
    user, school_class, form, week, families = _report(request, class_id)
    groups = [
        (reach, [family for family in families if family.reach == reach])
        for reach in digest_report.Reach
    ]
    return render(
        request,
        "notifications/class_digests.html",
        {
            "school_class": school_class,
            "form": form,
            "week": week,
            "families": families,
            "groups": [(reach, found) for reach, found in groups if found],
            "not_reached": sum(1 for family in families if family.not_reached),
            "may_preview": policies.may_preview_family_digests(user, school_class),
        },
    )


@login_required
@require_GET
def class_digests_print(request: HttpRequest, class_id: int) -> HttpResponse:
    """A printed copy of the digest for each family the week's digest did not reach (but never
    for a family that does not receive school communications), each on a page of its own: only
    their children in this class, and only this class."""
    _viewer, school_class, _form, week, families = _report(request, class_id)
    missed = [family for family in families if family.printable]
    students = {pk for family in missed for pk, _name in family.children}
    guardians = list(User.objects.filter(pk__in=[family.guardian_id for family in missed]))
    composed = digest.previews(
        guardians, classes={pk: frozenset({school_class.pk}) for pk in students}
    )
    by_guardian = {one.family.user.pk: one for one in composed}
    pages = [(family, by_guardian.get(family.guardian_id)) for family in missed]
    return render(
        request,
        "notifications/class_digests_print.html",
        {"school_class": school_class, "week": week, "pages": pages},
    )
