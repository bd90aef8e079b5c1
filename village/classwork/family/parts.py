"""Classwork's parts of the family surface (``village.families.surface``): its area, its part of
the guardian's overview (items that need attention, then this week's work, class events and
recent feedback) and its sections of each child's page and printable summary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from village.classwork import versions
from village.classwork.family import child, interests, overview, starters, translated
from village.classwork.grades import LOW_GRADE
from village.community.models import Scope
from village.families import surface
from village.families.surface import (
    Area,
    ChildRequest,
    OverviewPart,
    OverviewRequest,
    Section,
)

#: The home page lists this many works due this week; each child's page has the rest.
SHOWN = 8
#: Recent feedback on the home page (comments are long on a phone).
FEEDBACK_SHOWN = 5
#: Starters on the child page and on the printed summary.
PAGE_STARTERS = 4
PRINT_STARTERS = 2
#: Lines per list on the printed summary, so that it fits one page.
PRINT_ROWS = 6
#: Pieces of feedback on the printed summary.
PRINT_FEEDBACK = 3

ATTENTION_TEMPLATE = "classwork/family/_attention_item.html"
SECTIONS_TEMPLATE = "classwork/family/_overview_sections.html"


def overview_part(asked: OverviewRequest) -> OverviewPart:
    """Classwork's part of the overview: at most ``ATTENTION_PER_CHILD`` items per child (the
    rest counted), and the cards for this week's work, events coming up and recent feedback."""
    data = overview.family_overview(asked.user, now=asked.now, known=asked.children)
    panel = sections_context(data)
    shown = (
        translated.Wanted()
        .attention(data.needs_attention)
        .work([*panel["this_week"], *panel["feedback"]])
        .events(data.events)
        .shown_to(asked.user)
    )
    item_template = get_template(ATTENTION_TEMPLATE)
    context = {"low_grade": LOW_GRADE, "translations": shown}
    items = [
        overview.attention_item(
            item,
            html=mark_safe(  # noqa: S308 - our own template's output
                item_template.render({**context, "item": item})
            ),
        )
        for item in data.needs_attention
    ]
    html = render_to_string(
        SECTIONS_TEMPLATE, {"panel": panel, "translations": shown}, asked.request
    )
    return OverviewPart(
        attention=items,
        cut={more.child.id: more.count for more in data.attention_more},
        sections=[mark_safe(html)],  # noqa: S308 - our own template's output
        valid_until=translated.kept_until(shown, data.valid_until, asked.now),
    )


def sections_context(data: overview.FamilyOverview) -> dict[str, Any]:
    return {
        "this_week": data.this_week[:SHOWN],
        "this_week_more": max(len(data.this_week) - SHOWN, 0),
        "feedback": data.recent_feedback[:FEEDBACK_SHOWN],
        "events": data.events,
    }


def child_section(asked: ChildRequest) -> Section:
    """The child's classes, work, events, feedback and starters (the page), or their one-page
    summary (printing). The starters quote the child's interests the viewer may read (one
    query); whoever gives them gives the child a new classwork version when they change."""
    page = child.child_page(asked.user, asked.child, now=asked.now)
    limit = PRINT_STARTERS if asked.printing else PAGE_STARTERS
    shown = translated.child_page(asked.user, page)
    enjoys = interests.for_reader(asked.user, [asked.child.id]).get(asked.child.id, [])
    context: dict[str, Any] = {
        "page": page,
        "classes": [(view, child.sparkline(view.grade)) for view in page.classes],
        "starters": starters.for_child_page(page, limit=limit, interests=enjoys),
        "translations": shown,
    }
    until = translated.kept_until(shown, child_page_changes(page), asked.now)
    if not asked.printing:
        return Section("classwork/family/child_work.html", context, valid_until=until)
    context.update(
        missing=page.missing[:PRINT_ROWS],
        missing_more=max(len(page.missing) - PRINT_ROWS, 0),
        upcoming=page.upcoming[:PRINT_ROWS],
        upcoming_more=max(len(page.upcoming) - PRINT_ROWS, 0),
        feedback=page.recent_feedback[:PRINT_FEEDBACK],
    )
    return Section("classwork/family/child_print_work.html", context, valid_until=until)


def child_page_changes(page: child.ChildPage) -> dt.datetime | None:
    """The first moment after ``page.now`` at which the clock alone changes the child's
    section: work falls due (turns missing), feedback stops being recent or new, an event ends.
    Work published or entering the two weeks ahead later shows within the families' keep."""
    moments = [work.due_at for work in page.upcoming if work.due_at is not None]
    for work in page.recent_feedback:
        if work.returned_at is not None:
            moments += (
                work.returned_at + overview.RECENT_FEEDBACK,
                work.returned_at + overview.UNSEEN_FEEDBACK,
            )
    moments += (event.until for event in page.events)
    return min((moment for moment in moments if moment > page.now), default=None)


def register() -> None:
    """Add classwork's area and parts to the family surface."""
    surface.register_area(Area(versions.AREA, Scope.CLASSWORK, reader_versions=True))
    surface.register_overview(versions.AREA, overview_part)
    surface.register_child_section(
        versions.AREA, "classwork.work", child_section, order=10, keep=True
    )
