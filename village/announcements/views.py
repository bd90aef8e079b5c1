"""The announcement pages: a recipient's list and an announcement (in their language, with a
private reply), and for staff the announcements they sent, a new one, and whom one reached
(read receipts, the "not reached" list, printable, and its text fallback)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from village.accounts.models import User
from village.announcements import labels, policies
from village.announcements.forms import AnnouncementForm, ReplyForm
from village.announcements.models import Announcement
from village.announcements.selectors import lists
from village.announcements.selectors import reach as reach_selectors
from village.announcements.selectors.options import announcement_options
from village.announcements.services import announcements as services
from village.announcements.services import fallback, replies
from village.community.policies import roles_of
from village.core.audit import audit_views
from village.core.models import AuditAction
from village.core.policies import require_page


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = lists.received(user, request.GET.get("page"), today=timezone.localdate())
    return render(
        request,
        "announcements/inbox.html",
        {"page": page, "may_announce": policies.may_announce(user)},
    )


@login_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_page(roles_of(user).is_staff_member)
    mine_only = request.GET.get("show") == "mine"
    page = lists.sent(user, request.GET.get("page"), mine_only=mine_only)
    return render(
        request,
        "announcements/sent.html",
        {
            "page": page,
            "rows": [(item, labels.audience_html(item)) for item in page.object_list],
            "mine_only": mine_only,
            "may_announce": policies.may_announce(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_page(policies.may_announce(user))
    options = announcement_options(user)
    require_page(bool(options.all))
    form = AnnouncementForm(request.POST or None, request.FILES or None, options=options)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(
                author=user,
                target=form.chosen(),
                draft=form.draft(),
                files=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if announcement.sent_at is not None:
                flash.success(request, _("Your announcement is sent."))
            else:
                flash.success(request, _("Your announcement is scheduled."))
            return redirect("announcements:reach", announcement.pk)
    return render(request, "announcements/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    reading = policies.announcement_for_reader(user, pk)
    about = policies.reply_about(user, reading)
    form = ReplyForm(request.POST or None, request.FILES or None)
    shown = lists.opened(reading, user)
    if request.method == "POST":
        require_page(about is not None)
        assert about is not None
        if form.is_valid():
            try:
                message = replies.announcement_reply(
                    reading=reading,
                    writer=user,
                    about=about,
                    title=shown.title,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                flash.success(request, _("Your reply is sent to the sender only."))
                return redirect(
                    reverse("messaging:conversation", args=[message.conversation_id])
                    + f"#message-{message.pk}"
                )
    if reading.receipt is not None:
        services.announcement_open(receipt=reading.receipt)
    return render(
        request,
        "announcements/detail.html",
        {
            "shown": shown,
            "announcement": reading.announcement,
            "audience": labels.audience_html(reading.announcement),
            "form": form,
            "may_reply": about is not None,
            "manages": reading.manages,
        },
    )


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    reading = policies.announcement_for_reader(_user(request), pk)
    found = policies.attachment_of(reading, attachment_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit(request: HttpRequest, announcement: Announcement, lines: list[Any]) -> None:
    """Reading who was and was not reached shows students' records (a child's name beside their
    family's contact): each is recorded."""
    audit_views(
        actor_id=_user(request).pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=reach_selectors.students_shown(announcement, lines),
        request=request,
    )


def _reach_context(request: HttpRequest, pk: int) -> dict[str, object]:
    announcement = policies.announcement_for_manager(_user(request), pk)
    reach = reach_selectors.reach(announcement, now=timezone.now())
    _audit(request, announcement, [*reach.readers, *reach.not_reached.people])
    return {
        "announcement": announcement,
        "audience": labels.audience_html(announcement),
        "reach": reach,
        "texts_on": fallback.texts_on(),
    }


@login_required
@require_GET
def reach(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "announcements/reach.html", _reach_context(request, pk))


@login_required
@require_GET
def reach_print(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = policies.announcement_for_manager(_user(request), pk)
    missed = reach_selectors.not_reached(announcement, now=timezone.now(), limit=None)
    _audit(request, announcement, missed.people)
    return render(
        request,
        "announcements/reach_print.html",
        {
            "announcement": announcement,
            "audience": labels.audience_html(announcement),
            "counts": reach_selectors.counts(announcement),
            "not_reached": missed,
            "printed_at": timezone.now(),
        },
    )


@login_required
@require_POST
def text_fallback(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = policies.announcement_for_manager(_user(request), pk)
    try:
        queued = fallback.not_reached_text(announcement=announcement)
    except ValidationError as error:
        for problem in error.messages:
            flash.error(request, problem)
    else:
        if queued:
            flash.success(
                request,
                ngettext(
                    "%(count)s text is on its way.", "%(count)s texts are on their way.", queued
                )
                % {"count": queued},
            )
        else:
            flash.info(request, _("Nobody new to text: each has been texted, or has no phone."))
    return redirect("announcements:reach", pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = policies.announcement_for_manager(_user(request), pk)
    try:
        services.announcement_cancel(announcement=announcement)
    except ValidationError as error:
        for problem in error.messages:
            flash.error(request, problem)
    else:
        flash.success(request, _("The announcement is withdrawn: it will not be sent."))
    return redirect("announcements:reach", pk)
