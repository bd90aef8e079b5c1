"""The home-page panel this app adds (``village.community.home_panels``) for teachers: how many
efforts wait for their feedback and how many plans for their approval (counts only, no
student's name), with the way to the feedback queue and to their classes' goal sets."""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.goals.policies import may_see_teacher_panel
from village.goals.selectors.queue import queue_counts


def teacher_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """Three queries; nothing for a teacher without a goal set (the sets page is in reach
    from each class)."""
    if not may_see_teacher_panel(user):
        return None
    counts = queue_counts(user)
    return Panel("goals/staff/_home_panel.html", {"efforts": counts.efforts, "plans": counts.plans})


def register() -> None:
    home_panels.register(Role.TEACHER, "goals", teacher_panel, order=35)
