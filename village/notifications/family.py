"""The notifications part of each child's family page: a short box leading to the guardian's
alerts about the child (``village.families.surface``)."""

from __future__ import annotations

from village.families import surface
from village.families.surface import ChildRequest, Section

#: The family surface's area the box shows with: classwork's (alerts are about classwork
#: first, and a link that does not allow it has no child page to show the box on). Named, not
#: registered here: a second area would be one more set of versions on every home page.
AREA = "classwork"


def alerts_section(asked: ChildRequest) -> Section | None:
    """The "Alerts about <child>" box; none on the printed summary."""
    if asked.printing:
        return None
    return Section(template="notifications/_child_section.html")


def register() -> None:
    surface.register_child_section(AREA, "notifications.alerts", alerts_section, order=900)
