"""Goals' parts of the family surface (``village.families.surface``):

- the **area** ``goals``: a guardian's link must allow ``Scope.GOALS``;
- the **overview**: an item under "needs attention" for each request for help at home a child
  has sent that no guardian has answered yet;
- the **child page**: a section with the child's goal sets, per set a picture of the goals by
  state, the counts, the requests for help, and a link to the whole plan.

What they show is read by ``village.goals.selectors.family`` (a constant number of queries).
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from village.families import surface
from village.families.surface import (
    Area,
    AttentionItem,
    Child,
    ChildRequest,
    OverviewPart,
    OverviewRequest,
    Section,
)
from village.goals import policies, versions
from village.goals.models import HelpRequest
from village.goals.selectors.family import SetProgress, children_progress
from village.goals.translations import progress_translations

#: Where a child's request for help comes among the other areas' items (classwork's run from 0
#: to 3: after missing work and low grades, beside new feedback).
HELP_URGENCY = 2
HELP_KIND = "goal_help"
ITEM_TEMPLATE = "goals/family/_attention_item.html"
#: A part whose texts are still being translated is kept this long at most.
PENDING_KEEP = dt.timedelta(seconds=30)


def plan_link(child_id: int, set_id: int) -> str:
    return reverse("goals:family_plan", args=[child_id, set_id])


# --- the overview ------------------------------------------------------------------------------


def overview_part(asked: OverviewRequest) -> OverviewPart:
    """An item for each open request for help, oldest first (kept briefly while a translation
    it shows is on its way)."""
    children = {one.child.id: one.child for one in asked.children}
    today = timezone.localdate(asked.now)
    found = [one for one in children_progress(asked.user, list(children), today=today) if one.help]
    if not found:
        return OverviewPart()
    shown = progress_translations(asked.user, found)
    template = get_template(ITEM_TEMPLATE)
    items: list[AttentionItem] = []
    for one in found:
        child = children[one.child_id]
        for ask in one.help:
            context = {"child": child, "ask": ask, "goal_set": one.goal_set, "translations": shown}
            html = template.render({**context, "link": _help_link(one, ask)})
            items.append(_help_item(child, one, ask, html))
    until = asked.now + PENDING_KEEP if shown.pending else None
    return OverviewPart(attention=items, valid_until=until)


def _help_link(one: SetProgress, ask: HelpRequest) -> str:
    return plan_link(one.child_id, one.goal_set.pk) + f"#help-{ask.pk}"


def _help_item(child: Child, one: SetProgress, ask: HelpRequest, html: str) -> AttentionItem:
    return AttentionItem(
        child=child,
        kind=HELP_KIND,
        label=_("Asks for help"),
        urgency=HELP_URGENCY,
        when=ask.created_at.timestamp(),
        title=ask.plan_goal.goal.title,
        link=_help_link(one, ask),
        html=mark_safe(html),  # noqa: S308 - our own template's output
        at=ask.created_at,
        data=ask.pk,
    )


# --- the child page ----------------------------------------------------------------------------


def child_section(asked: ChildRequest) -> Section | None:
    """The child's goal sets with their progress (nothing when the classes have none)."""
    found = children_progress(asked.user, [asked.child.id], today=timezone.localdate(asked.now))
    if not found:
        return None
    shown = progress_translations(asked.user, found)
    context = {"progress": found, "translations": shown}
    # kept by the family page under goals' versions: briefly while a translation is on its way
    until = asked.now + PENDING_KEEP if shown.pending else None
    if asked.printing:
        return Section("goals/family/_child_print.html", context, valid_until=until)
    return Section("goals/family/_child_section.html", context, valid_until=until)


def register() -> None:
    """Add goals' area and parts to the family surface."""
    surface.register_area(Area(versions.AREA, policies.SCOPE))
    surface.register_overview(versions.AREA, overview_part)
    surface.register_child_section(
        versions.AREA, "goals.progress", child_section, order=30, keep=True
    )
