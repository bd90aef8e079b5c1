"""Conferences' parts of the family surface (``village.families.surface``): its area (a link
must allow ``messages``), its items in the family's "needs attention" (a conference coming up
within a week; conferences open to book with teachers the child has none with yet), and its
section of each child's page and printed summary.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from village.conferences import policies
from village.conferences.selectors.family import FamilyChild, family_plan
from village.conferences.versions import AREA
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

#: A conference shows under "needs attention" this long before it.
SOON = dt.timedelta(days=7)
#: Where conferences come among the other areas' items (classwork's run from 0 to 3).
COMING_URGENCY = 1
TO_BOOK_URGENCY = 4
ITEM_TEMPLATE = "conferences/family/_attention_item.html"


def overview_part(asked: OverviewRequest) -> OverviewPart:
    children = {one.child.id: one.child for one in asked.children}
    plans = family_plan(asked.user, asked.now, child_ids=list(children))
    template = get_template(ITEM_TEMPLATE)
    items: list[AttentionItem] = []
    moments: list[dt.datetime] = []
    for plan in plans:
        child = children[plan.child.pk]
        for booking in plan.bookings:
            moments.append(booking.slot.ends_at)
            if booking.slot.starts_at - SOON > asked.now:
                moments.append(booking.slot.starts_at - SOON)
                continue
            context = {"child": child, "booking": booking, "kind": "coming"}
            items.append(
                _item(
                    child,
                    "conference",
                    _("Conference"),
                    COMING_URGENCY,
                    booking.slot.starts_at,
                    reverse("conferences:family_booking", args=[booking.pk]),
                    template.render(context),
                )
            )
        for child_round in plan.rounds:
            moments.append(child_round.round.closes_at)
            if not child_round.open:
                moments.append(child_round.round.opens_at)
                continue
            if not child_round.to_book:
                continue
            link = reverse("conferences:family_round", args=[child.id, child_round.round.pk])
            context = {"child": child, "round": child_round, "kind": "to_book"}
            items.append(
                _item(
                    child,
                    "conference_to_book",
                    _("Conferences"),
                    TO_BOOK_URGENCY,
                    child_round.round.closes_at,
                    link,
                    template.render(context),
                )
            )
    later = [moment for moment in moments if moment > asked.now]
    return OverviewPart(attention=items, valid_until=min(later, default=None))


def _item(
    child: Child,
    kind: str,
    label: str,
    urgency: int,
    at: dt.datetime,
    link: str,
    html: str,
) -> AttentionItem:
    return AttentionItem(
        child=child,
        kind=kind,
        label=label,
        urgency=urgency,
        when=at.timestamp(),
        title=label,
        link=link,
        html=mark_safe(html),  # noqa: S308 - our own template's output
        at=at,
    )


def child_section(asked: ChildRequest) -> Section | None:
    """The child's conferences to come and the rounds open to book (on the printed summary:
    the conferences only, and nothing when there are none)."""
    plans = family_plan(asked.user, asked.now, child_ids=[asked.child.id])
    if not plans:
        return None
    plan: FamilyChild = plans[0]
    if asked.printing:
        if not plan.bookings:
            return None
        return Section("conferences/family/_child_print.html", {"plan": plan})
    return Section("conferences/family/_child_section.html", {"plan": plan, "now": asked.now})


def register() -> None:
    surface.register_area(Area(AREA, policies.SCOPE))
    surface.register_overview(AREA, overview_part)
    surface.register_child_section(AREA, "conferences.child", child_section, order=50)
