"""Home-page panels this app adds (see ``village.community.home_panels``).

The guardian's home page opens with the family overview: what needs attention, what is due this
week and recent feedback, across every child and class. It writes no audit entry of its own: the
home page already records one view per child card in the same INSERT, and the overview shows
only children that have a card (usable links that also allow classwork).
"""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User
from village.classwork.grades import LOW_GRADE
from village.community import home_panels
from village.community.home_panels import Panel
from village.community.models import Role
from village.families import selectors

#: The home page lists this many works due this week; each child's page has the rest.
SHOWN = 8
#: Recent feedback on the home page (comments are long on a phone).
FEEDBACK_SHOWN = 5


def family_overview_panel(request: HttpRequest, user: User) -> Panel | None:
    """The overview panel, or nothing for a guardian without a child whose classwork they see."""
    overview = selectors.family_overview(user)
    if not overview.children:
        return None
    return Panel(
        "families/_overview_panel.html",
        {
            "overview": overview,
            # already at most a few per child: the overview counts the rest per child
            "attention": overview.needs_attention,
            "attention_more": overview.attention_more,
            "this_week": overview.this_week[:SHOWN],
            "this_week_more": max(len(overview.this_week) - SHOWN, 0),
            "feedback": overview.recent_feedback[:FEEDBACK_SHOWN],
            "low_grade": LOW_GRADE,
        },
    )


def register() -> None:
    """Register this app's panels with the home page."""
    home_panels.register(Role.GUARDIAN, "families.overview", family_overview_panel, order=10)
