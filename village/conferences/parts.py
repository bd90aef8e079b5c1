"""Conferences' parts of the family surface (``village.families.surface``): its area (a link
must allow ``messages``), its items in the family's "needs attention" (a conference coming up
within a week; conferences open to book with teachers the child has none with yet), and its
section of each child's page and printed summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

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
    moments: list[dt.datetime] = [moment for plan in plans for moment in plan_moments(plan)]
    for plan in plans:
        child = children[plan.child.pk]
        for booking in plan.bookings:
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
            if not child_round.open or not child_round.to_book:
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
    return OverviewPart(attention=items, valid_until=first_after(moments, asked.now))


def plan_moments(plan: FamilyChild) -> list[dt.datetime]:
    """The moments at which the clock alone changes what ``plan`` holds: a conference starting
    (one of a round closed since is no longer listed) and ending; a round opening and closing;
    a teacher's last free time passing the round's cut-off (nothing left to book with them)."""
    moments: list[dt.datetime] = []
    for booking in plan.bookings:
        moments += (booking.slot.starts_at, booking.slot.ends_at)
    for child_round in plan.rounds:
        moments += (child_round.round.opens_at, child_round.round.closes_at)
        moments += (c.free_until for c in child_round.teachers if c.free_until is not None)
    return moments


def first_after(moments: Iterable[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """The first of ``moments`` after ``now`` (``None``: none is)."""
    return min((moment for moment in moments if moment > now), default=None)


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
    until = first_after(plan_moments(plan), asked.now)
    if asked.printing:
        if not plan.bookings:
            return None
        return Section("conferences/family/_child_print.html", {"plan": plan}, valid_until=until)
    return Section("conferences/family/_child_section.html", {"plan": plan}, valid_until=until)


def register() -> None:
    surface.register_area(Area(AREA, policies.SCOPE))
    surface.register_overview(AREA, overview_part)
    # Kept between requests (``village.families.sections``): every write it shows gives the
    # child a new version (``village.conferences.versions``), and ``plan_moments`` says when
    # the clock changes it. Its templates hold links only, no form.
    surface.register_child_section(AREA, "conferences.child", child_section, order=50, keep=True)
