"""The notification centre, notification settings, a guardian's alerts about each child, and
one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from village.accounts.models import User
from village.notifications import policies, selectors
from village.notifications.forms import AlertRulesForm, NotificationSettingsForm
from village.notifications.services import centre as centre_services
from village.notifications.services import preferences


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def local_path(link: str) -> str | None:
    """``link`` if it is a path in Village (``/…``, never ``//host`` or ``/\\host``)."""
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 32 for char in link):
        return None
    return link


def _back_to_centre(request: HttpRequest) -> HttpResponse:
    """The centre, on the page the form was on."""
    url = reverse("notifications:centre")
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return redirect(url)


# --- the centre ------------------------------------------------------------------------------


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = selectors.centre_page(user, request.GET.get("page"))
    return render(request, "notifications/centre.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = centre_services.mark_all_read(_user(request))
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return _back_to_centre(request)


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to the thing itself (a path in Village only)."""
    note = policies.notification_for_recipient(_user(request), pk)
    centre_services.mark_read(note)
    target = local_path(note.link)
    return redirect(target) if target else redirect("notifications:centre")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = policies.notification_for_recipient(_user(request), pk)
    centre_services.mark_read(note)
    return _back_to_centre(request)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    note = policies.notification_for_recipient(_user(request), pk)
    centre_services.dismiss(note)
    messages.success(request, _("The notification is removed from your list."))
    return _back_to_centre(request)


# --- settings --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    view = selectors.settings_view(user)
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None, view=view)
    if form.is_valid():
        allowed = [row.name for row in view.rows]
        try:
            preferences.settings_update(user=user, allowed=allowed, changes=form.changes())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
    groups = [(group.audience, form.kind_fields(group.rows)) for group in view.groups]
    context = {"view": view, "form": form, "groups": groups}
    return render(request, "notifications/settings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def child_alerts(request: HttpRequest, child_id: int) -> HttpResponse:
    user = _user(request)
    child = policies.alert_child_for_guardian(user, child_id)
    alerts = selectors.child_alerts(user, child)
    rows = [
        (row.kind, row.rule.enabled, row.rule.threshold, row.rule.weeks, row.rule.source)
        for row in alerts.offered
    ]
    form = AlertRulesForm(request.POST if request.method == "POST" else None, rows=rows)
    if form.is_valid():
        try:
            preferences.child_rules_update(guardian=user, child=child, rules=form.rules())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            saved = _("Your alerts about %(name)s are saved.")
            messages.success(request, saved % {"name": child.child.name})
            return redirect("notifications:child_alerts", child_id=child.child.id)
    context = {"alerts": alerts, "child": child.child, "form": form}
    return render(request, "notifications/child_alerts.html", context)


# --- unsubscribe -----------------------------------------------------------------------------


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
