"""Home-page panels this app adds for admins (see ``village.community.home_panels``): how many
messages to the people of their schools could not be delivered, and the way to the page that
lists them."""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.community.policies import roles_of
from village.notifications.policies import visible_failed_deliveries


def register() -> None:
    home_panels.register(Role.SCHOOL_ADMIN, "notifications-problems", admin_panel, order=50)
    home_panels.register(Role.DISTRICT_ADMIN, "notifications-problems", district_panel, order=50)


def admin_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """One count: messages that could not be delivered (no name, nothing of anyone's record)."""
    failed = visible_failed_deliveries(user).count()
    return Panel("notifications/staff_home_panel.html", {"failed": failed})


def district_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """A district admin who also runs a school sees the panel once, with the school admin's."""
    if roles_of(user).has(Role.SCHOOL_ADMIN):
        return None
    return admin_panel(request, user, home)
