"""The messaging pages: the inbox, starting a conversation, a conversation, office hours, and
for school admins the reported messages."""

from __future__ import annotations

from typing import cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from village.accounts.models import User
from village.community.models import Scope
from village.community.policies import roles_of, visible_students
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import one_or_404, require_page
from village.messaging import inbox_list, policies, selectors, services
from village.messaging.forms import OfficeHoursForm, ReasonForm, ReplyForm, ReportForm, StartForm
from village.messaging.models import (
    Attachment,
    ConversationKind,
    MessageReport,
    OfficeHours,
    ParticipantRole,
)

#: Students listed on the "write about" page for staff at most (the rest: search by name).
STUDENTS_LISTED = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("show") == "unread"
    listing = inbox_list.rendered(request, user, request.GET.get("page"), unread_only=unread_only)
    return render(
        request,
        "messaging/inbox.html",
        {
            "listing": listing,
            "unread_only": unread_only,
            "may_start": _may_start_any(user),
            "is_staff_member": roles_of(user).is_staff_member,
        },
    )


def _may_start_any(user: User) -> bool:
    return visible_students(user, scope=Scope.MESSAGES).exists()


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    raw = request.POST.get("student") or request.GET.get("student")
    if not raw or not raw.isdigit():
        return _choose_student(request, user)
    student, school_id = policies.student_for_messages(user, int(raw))
    role = policies.starter_role(user, student, school_id)
    require_page(role is not None)
    assert role is not None
    kind_raw = request.POST.get("kind") or request.GET.get("kind") or ""
    kinds = policies.kinds_startable(role)
    kind = ConversationKind(kind_raw) if kind_raw in kinds else kinds[0]
    found = policies.candidates(kind, student, school_id)
    initial: dict[str, object] = {"kind": kind.value}
    if role == ParticipantRole.STAFF and kind == ConversationKind.FAMILY:
        initial["guardians"] = [guardian.pk for guardian in found.guardians]
    if role != ParticipantRole.STAFF and len(found.staff) == 1:
        initial["staff"] = [found.staff[0].pk]
    form = StartForm(
        request.POST or None,
        request.FILES or None,
        role=role,
        found=found,
        starter=user,
        initial=initial,
    )
    if request.method == "POST" and "choose" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            started = services.start(
                starter=user,
                student=student,
                school_id=school_id,
                kind=kind,
                subject=data["subject"],
                body=data["body"],
                invitees=policies.Invitees(
                    staff=data.get("staff") or [],
                    guardians=data.get("guardians") or [],
                    with_student=bool(data.get("with_student")),
                ),
                files=data.get("attachments") or [],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            flash.success(request, _("Your message is sent."))
            return redirect("messaging:conversation", started.conversation.pk)
    return render(
        request,
        "messaging/start.html",
        {
            "form": form,
            "student": student,
            "kind": kind,
            "kinds": kinds,
            "role": role,
            "found": found,
        },
    )


def _choose_student(request: HttpRequest, user: User) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    students = visible_students(user, scope=Scope.MESSAGES).order_by(
        "last_name", "first_name", "pk"
    )
    students = selectors.named(students, query)
    shown = list(students[: STUDENTS_LISTED + 1])
    return render(
        request,
        "messaging/choose_student.html",
        {
            "students": shown[:STUDENTS_LISTED],
            "more": len(shown) > STUDENTS_LISTED,
            "query": query,
        },
    )


def _audit(request: HttpRequest, access: policies.Access) -> None:
    user = _user(request)
    conversation = access.conversation
    if user.pk == conversation.student_id:
        return
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(
                student_id=conversation.student_id,
                organisation_id=conversation.school_id,
                object_type="conversation",
                object_id=str(conversation.pk),
            )
        ],
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    access = policies.conversation_for_reader(user, pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_page(access.place is not None)
        if form.is_valid():
            try:
                message = services.reply(
                    access, user, form.cleaned_data["body"], form.cleaned_data["attachments"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect(
                    reverse("messaging:conversation", args=[pk]) + f"#message-{message.pk}"
                )
    _audit(request, access)
    services.mark_read(access)
    shown = selectors.thread(
        access,
        now=timezone.now(),
        hide_window=services.HIDE_WINDOW,
        reader_language=user.preferred_language,
    )
    return render(
        request,
        "messaging/conversation.html",
        {
            "thread": shown,
            "conversation": access.conversation,
            "form": form,
            "safeguarding": access.safeguarding,
            "may_admin": policies.may_moderate(user, access.conversation),
        },
    )


@login_required
@require_POST
def hide(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    user = _user(request)
    access = policies.conversation_for_reader(user, pk)
    message = policies.message_in(access, message_id)
    as_admin = access.place is None or (
        message.author_id != user.pk and policies.may_moderate(user, access.conversation)
    )
    require_page(access.place is not None or as_admin)
    if as_admin:
        require_page(policies.may_moderate(user, access.conversation))
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.hide(access, message, user, reason=str(reason), as_admin=as_admin)
    except ValidationError as error:
        for problem in error.messages:
            flash.error(request, problem)
    else:
        flash.success(request, _("The message is hidden. It is kept in the school's record."))
    return redirect(reverse("messaging:conversation", args=[pk]) + f"#message-{message.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    user = _user(request)
    access = policies.conversation_for_participant(user, pk)
    message = policies.message_in(access, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(message, user, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            flash.success(request, _("Thank you. The school will look at this message."))
            return redirect("messaging:conversation", pk)
    return render(
        request,
        "messaging/report.html",
        {"form": form, "conversation": access.conversation, "message": message},
    )


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    user = _user(request)
    access = policies.conversation_for_reader(user, pk)
    found = one_or_404(
        Attachment.objects.filter(
            pk=attachment_id, message__conversation=access.conversation, message__hidden_at=None
        ),
        "No such file.",
    )
    _audit(request, access)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def office_hours(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_page(roles_of(user).is_staff_member)
    current = {row.weekday: row for row in OfficeHours.objects.filter(user=user)}
    initial = {}
    for day, row in current.items():
        initial[f"starts_{day}"] = row.starts
        initial[f"ends_{day}"] = row.ends
    form = OfficeHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_office_hours(user, form.stretches())
        flash.success(request, _("Your office hours are saved."))
        return redirect("messaging:office_hours")
    return render(request, "messaging/office_hours.html", {"form": form})


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_page(roles_of(user).is_admin)
    found = list(
        MessageReport.objects.filter(
            message__conversation__in=policies.safeguarding_conversations(user)
        )
        .select_related("message__author", "message__conversation", "reporter")
        .order_by("handled_at", "-created_at")[:100]
    )
    return render(request, "messaging/reports.html", {"reports": found})
