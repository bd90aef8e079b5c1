"""Support's parts of the family surface (``village.families.surface``) and of the student's
home page (``village.community.home_panels``):

- the **area** ``support``: a guardian's link must allow ``Scope.SUPPORT_PLAN`` (its versions
  are written by ``versions``);
- the **child page**: a section leading to the child's profile, where the guardian reads it and
  writes *from home*;
- the student's **home panel**: the way to their own profile, *about me*.

Neither reads anything: the child page has checked the link's scope, and a student's profile is
their own.
"""

from __future__ import annotations

from django.http import HttpRequest

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.families import surface
from village.families.surface import Area, ChildRequest, Section
from village.support import policies, versions


def child_section(asked: ChildRequest) -> Section | None:
    """The way to the child's profile (not on the printed summary)."""
    if asked.printing:
        return None
    return Section("support/_child_section.html")


def student_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    return Panel("support/_home_panel.html")


def register() -> None:
    """Add support's area and child-page section, and the student's home panel."""
    surface.register_area(Area(versions.AREA, policies.SCOPE))
    surface.register_child_section(
        versions.AREA, "support.profile", child_section, order=40, keep=True
    )
    home_panels.register(Role.STUDENT, "support.about_me", student_panel, order=60)
