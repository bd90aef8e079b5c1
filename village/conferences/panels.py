"""Home-page panels this app adds (``village.community.home_panels``): for teachers and admins,
the conference rounds of their schools that are open or coming (counts only, no child's name),
with the way to their slots, their day's schedule, and (admins) the rounds."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.community.policies import roles_of
from village.conferences import policies
from village.conferences.selectors.staff import with_counts

#: Rounds whose booking closed longer ago than this are left off the home page.
RECENT = dt.timedelta(days=14)
SHOWN = 3


def staff_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """One query; nothing when no round is open or coming."""
    since = timezone.now() - RECENT
    rounds = list(
        with_counts(policies.staff_rounds(user), user)
        .filter(closes_at__gte=since)
        .select_related("school")
        .order_by("opens_at", "id")[:SHOWN]
    )
    roles = roles_of(user)
    if not rounds and not roles.is_admin:
        return None
    return Panel(
        "conferences/staff/_home_panel.html",
        {"rounds": rounds, "teaches": roles.has(Role.TEACHER), "admin": roles.is_admin},
    )


def _teacher_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    # An admin who also teaches sees the panel once, in the admin's section.
    return None if roles_of(user).is_admin else staff_panel(request, user, home)


def _school_admin_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    return staff_panel(request, user, home)


def _district_admin_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    # A district admin who also administers a school sees it once, in the school's section.
    return None if roles_of(user).has(Role.SCHOOL_ADMIN) else staff_panel(request, user, home)


def register() -> None:
    home_panels.register(Role.TEACHER, "conferences", _teacher_panel, order=40)
    home_panels.register(Role.SCHOOL_ADMIN, "conferences", _school_admin_panel, order=40)
    home_panels.register(Role.DISTRICT_ADMIN, "conferences", _district_admin_panel, order=40)
