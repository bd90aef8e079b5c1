"""Home-page panels this app adds (see ``village.community.home_panels``)."""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User
from village.classwork.selectors.my_work import my_work
from village.community.home_panels import HomeData, Panel
from village.community.home_panels import register as register_panel
from village.community.models import Role

#: How many pieces of work the student's home shows as due next.
NEXT_DUE_SHOWN = 3
#: How many class events coming up the student's home shows ("my work" has them all).
EVENTS_SHOWN = 3


def student_work_panel(request: HttpRequest, user: User, home: HomeData | None = None) -> Panel:
    """What is due next across the student's classes, and how much is missing (five queries)."""
    work = my_work(user)
    return Panel(
        template="classwork/student/_home_panel.html",
        context={
            "next_due": work.to_do[:NEXT_DUE_SHOWN],
            "missing": len(work.missing),
            "feedback": len(work.feedback),
            "events": work.events[:EVENTS_SHOWN],
        },
    )


def register() -> None:
    """Register this app's panels with the home page."""
    register_panel(Role.STUDENT, "classwork-student-work", student_work_panel, order=10)
