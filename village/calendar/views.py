"""Calendar feeds: the guardian's page to create, revoke and regenerate them, and the feed itself.

The page shows a feed's full address only in the response that created it: Village keeps a
keyed digest of the token, never the token. The feed answers without signing in; its address is
the credential (``policies.feed_for_token``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from village.accounts.models import User
from village.calendar import feeds, policies, services
from village.calendar.models import CalendarFeed
from village.calendar.services import FeedExistsError, FeedRevokedError
from village.community.models import Scope
from village.community.policies import student_schools
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

FAMILY = "family"
_CHILD_ID = re.compile(r"[0-9]{1,18}")
CONFLICT = 409


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One calendar the guardian may have: a child's or the whole family's."""

    target: str  # what the create form posts: a child's id, or "family"
    title: str
    detail: str
    feed: CalendarFeed | None
    allowed: bool


@dataclass(frozen=True, slots=True)
class NewAddress:
    """A feed's address, shown once, right after it was made."""

    title: str  # the heading above it
    https: str
    webcal: str


def _rows(guardian: User) -> list[FeedRow]:
    links = list(policies.calendar_links(guardian))
    active = {feed.student_id: feed for feed in policies.own_active_feeds(guardian)}
    classwork = {link.student_id for link in links if link.allows(Scope.CLASSWORK)}
    shared = [link.student.short_name for link in links if link.student_id in classwork]
    family_detail = (
        _("Due work and class events of %(names)s.") % {"names": get_text_list(shared, _("and"))}
        if shared
        else _("No child's classwork is shared with you yet, so this calendar is empty for now.")
    )
    rows = [FeedRow(FAMILY, _("Whole family"), family_detail, active.get(None), allowed=True)]
    for link in links:
        name = link.student.short_name
        detail = (
            _("Due work and class events of %(name)s.") % {"name": name}
            if link.student_id in classwork
            else _(
                "The school does not share %(name)s's classwork with you, "
                "so there is no calendar for %(name)s."
            )
            % {"name": name}
        )
        rows.append(
            FeedRow(
                str(link.student_id),
                name,
                detail,
                active.get(link.student_id),
                allowed=link.student_id in classwork,
            )
        )
    return rows


def _new_address(request: HttpRequest, feed: CalendarFeed, token: str) -> NewAddress:
    https = request.build_absolute_uri(reverse("calendar:feed", args=[token]))
    title = (
        _("Your calendar address for %(name)s") % {"name": feed.student.short_name}
        if feed.student
        else _("Your family calendar address")
    )
    return NewAddress(title=title, https=https, webcal="webcal://" + https.split("://", 1)[1])


def _page(
    request: HttpRequest,
    guardian: User,
    *,
    new: NewAddress | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"rows": _rows(guardian), "new": new, "error": error}
    response = render(request, "calendar/manage.html", context, status=status)
    add_never_cache_headers(response)  # it may show a secret address
    return response


@login_required
@require_GET
def calendar_manage(request: HttpRequest) -> HttpResponse:
    return _page(request, policies.guardian_or_404(request.user))


def _target(raw: str) -> int | str | None:
    """A child's id, ``FAMILY``, or ``None`` when the form sent neither."""
    if raw == FAMILY:
        return FAMILY
    return int(raw) if _CHILD_ID.fullmatch(raw) else None


@login_required
@require_POST
def calendar_create(request: HttpRequest) -> HttpResponse:
    guardian = policies.guardian_or_404(request.user)
    target = _target(request.POST.get("child", ""))
    if target is None:
        error = _("Choose a child, or the whole family, to make a calendar for.")
        return _page(request, guardian, error=error, status=400)
    child = policies.child_for_calendar(guardian, target) if isinstance(target, int) else None
    try:
        feed, token = services.calendar_feed_create(owner=guardian, student=child)
    except FeedExistsError:
        return _page(request, guardian, error=_exists_message(child), status=CONFLICT)
    feed.student = child
    return _page(request, guardian, new=_new_address(request, feed, token))


def _exists_message(child: User | None) -> str:
    name = child.short_name if child else _("the whole family")
    return _(
        "There is already a calendar address for %(name)s. If you no longer have it, "
        "use “Get a new address”."
    ) % {"name": name}


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest, feed_id: int) -> HttpResponse:
    guardian = policies.guardian_or_404(request.user)
    feed = policies.feed_for_owner(guardian, feed_id)
    if feed.student_id is not None:
        policies.child_for_calendar(guardian, feed.student_id)
    try:
        new_feed, token = services.calendar_feed_regenerate(feed=feed)
    except (FeedExistsError, FeedRevokedError):
        error = _("This calendar changed in the meantime. Please try again.")
        return _page(request, guardian, error=error, status=CONFLICT)
    new_feed.student = feed.student
    return _page(request, guardian, new=_new_address(request, new_feed, token))


@login_required
@require_POST
def calendar_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    guardian = policies.guardian_or_404(request.user)
    feed = policies.feed_for_owner(guardian, feed_id)
    services.calendar_feed_revoke(feed=feed)
    name = feed.student.short_name if feed.student else _("the whole family")
    messages.success(
        request,
        _(
            "The calendar address for %(name)s no longer works. Calendars subscribed to it "
            "stop updating; you can make a new address at any time."
        )
        % {"name": name},
    )
    return redirect("calendar:manage")


# --- the feed ----------------------------------------------------------------------------------


def _organizer_email(host: str) -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"no-reply@{host}"


def _feed_read(feed: CalendarFeed, children: dict[int, str]) -> None:
    """Each read is a view of the records of the children it shows, by the feed's owner. The
    entry names the feed, never its address: that is the secret."""
    schools = {child: school.pk for child, school in student_schools(children).items()}
    audit_views(
        actor_id=feed.owner_id,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=child, organisation_id=schools.get(child)) for child in children],
        channel="calendar",
        path=f"calendar feed {feed.pk}",
    )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = policies.feed_for_token(token)
    now = timezone.now()
    children = feeds.feed_children(feed)
    # UIDs name the site, not the host name this request used: a calendar subscribed under two
    # names must see one event, not two.
    host = settings.VILLAGE_SITE_DOMAIN
    language = feed.owner.ui_language
    with translation.override(language):
        body = feeds.feed_ics(
            feed,
            children=children,
            now=now,
            host=host,
            site=request.build_absolute_uri("/").rstrip("/"),
            organizer_email=_organizer_email(host),
        )
    services.calendar_feed_touch(feed=feed, now=now)
    _feed_read(feed, children)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"  # a child's schoolwork: never kept
    response["Content-Language"] = language
    response["Content-Disposition"] = 'inline; filename="schoolwork.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
