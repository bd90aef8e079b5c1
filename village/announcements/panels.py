"""The home page's announcements (``village.community.home_panels``): for families and students,
the pinned ones and those not read yet, a few at most, and the way to all of them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from village.accounts.models import User
from village.announcements.selectors.lists import on_home
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.community.policies import roles_of


def register() -> None:
    home_panels.register(Role.GUARDIAN, "announcements", family_panel, order=5)
    home_panels.register(Role.STUDENT, "announcements", student_panel, order=5)


def family_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    found = on_home(user, today=timezone.localdate())
    if found is None:
        return None
    return Panel("announcements/home_panel.html", {"found": found})


def student_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """A student who is also a guardian sees the panel once, with the family's."""
    if roles_of(user).has(Role.GUARDIAN):
        return None
    return family_panel(request, user, home)
