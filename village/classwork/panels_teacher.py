"""Home-page panels this app adds (see ``village.community.home_panels``): for a teacher, each
class they teach at a glance (work waiting for feedback, missing this week, next due)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from village.accounts.models import User
from village.classwork.selectors.stream import teacher_glance
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role, SchoolClass
from village.community.policies import taught_class_ids
from village.core.models import RosterStatus


def register() -> None:
    """Register this app's panels with the home page."""
    home_panels.register(Role.TEACHER, "classwork-teacher", teacher_panel, order=10)


def teacher_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """Counts only, no student's name: nothing here is a view of a student's record."""
    classes = list(
        SchoolClass.objects.filter(pk__in=taught_class_ids(user), status=RosterStatus.ACTIVE)
        .order_by("title", "id")
        .only("pk", "title")
    )
    if not classes:
        return None
    glances = teacher_glance(classes, now=timezone.now(), tz=timezone.get_current_timezone())
    return Panel("classwork/teacher/_home_panel.html", {"glances": glances})
