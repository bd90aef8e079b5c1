"""Support's parts of the family surface (``village.families.surface``) and of the student's
home page (``village.community.home_panels``):

- the **area** ``support``: a guardian's link must allow ``Scope.SUPPORT_PLAN`` (its versions
  are written by ``versions``);
- the **child page**: a section leading to the child's profile, where the guardian reads it and
  writes *from home*, and the child's support plans not closed: each one's state, a progress
  check that is late, and whether it waits for this guardian's answer (read by
  ``selectors.plans.child_plans``, in two queries);
- the student's **home panel**: the way to their own profile, *about me*.

The home panel reads nothing: a student's profile is their own.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.families import surface
from village.families.surface import Area, ChildRequest, Section
from village.support import policies, versions
from village.support.plan_translations import Wanted
from village.support.selectors.plans import child_plans

#: A section whose plan titles are still being translated is kept this long at most.
PENDING_KEEP = dt.timedelta(seconds=30)


def child_section(asked: ChildRequest) -> Section | None:
    """The way to the child's profile and the child's support plans (not on the printed
    summary). Kept under the support area's versions of the child, the viewer and the day."""
    if asked.printing:
        return None
    rows = child_plans(asked.user, asked.child.id, day=timezone.localdate(asked.now))
    if not rows:
        return Section("support/_child_section.html")
    wanted = Wanted(rows[0].plan)
    shown = wanted.staff(*(row.plan.title for row in rows)).shown_to(asked.user)
    context = {"rows": rows, "translations": shown, "place": rows[0].plan.school_id}
    until = asked.now + PENDING_KEEP if shown.pending else None
    return Section("support/_child_section.html", context, valid_until=until)


def student_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    return Panel("support/_home_panel.html")


def register() -> None:
    """Add support's area and child-page section, and the student's home panel."""
    surface.register_area(Area(versions.AREA, policies.SCOPE))
    surface.register_child_section(
        versions.AREA, "support.profile", child_section, order=40, keep=True
    )
    home_panels.register(Role.STUDENT, "support.about_me", student_panel, order=60)
