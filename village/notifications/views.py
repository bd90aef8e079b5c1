"""The notification centre, notification settings, and one-click unsubscribe."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts.models import User
from village.notifications.policies import notification_for_recipient, visible_notifications
from village.notifications.services import centre as centre_services


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(visible_notifications(user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {"page": page, "unread": centre_services.unread_count(user)},
    )


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    centre_services.mark_all_read(_user(request))
    return redirect("notifications:centre")


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to the thing itself."""
    note = notification_for_recipient(_user(request), pk)
    if request.method == "POST":
        centre_services.mark_read(note)
        return redirect("notifications:centre")
    centre_services.mark_read(note)
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("notifications:centre")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/settings.html", {})


@csrf_exempt  # RFC 8058: the mail client posts without a session or token; the link is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click in the email (GET shows a button, POST turns the kind's email off); a mail
    client's one-click ``List-Unsubscribe-Post`` posts here directly."""
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", {"token": token, "done": False})
    try:
        _user_found, kind = centre_services.unsubscribe(token)
    except centre_services.BadUnsubscribeLinkError:
        return render(request, "notifications/unsubscribe_bad.html", status=400)
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": True})
