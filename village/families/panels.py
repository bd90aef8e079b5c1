"""Home-page panels this app adds (see ``village.community.home_panels``).

The guardian's home page opens with the family overview: what needs attention across every
child, then each area's sections (``village.families.surface``). It writes no audit entry of its
own: the home page already records one view per child card in the same INSERT, and the overview
shows only children that have a card.

Each area's part is kept in the ``pages`` cache under a key naming the guardian, the area's
children with their versions of that area, the guardian's own version of it, the language and
the time zone; the rendered overview is kept under a key naming all of them. Any change to what
a part shows changes its key, so nothing kept is stale, and a change in one area rebuilds that
area's part only. Parts are kept until the clock alone would change them (``valid_until``), and
at most ``KEEP_SECONDS``, which bounds how long a change of classes on the roster takes to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from village.accounts.models import User
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.core.kept import keep, kept
from village.families import selectors, surface, versions
from village.families.selectors import AreaVersions
from village.families.surface import OverviewPart, OverviewRequest

#: The longest a rendered overview is kept.
KEEP_SECONDS = 300
#: Bump when the overview's template or the key changes.
FORMAT = 3
TEMPLATE = "families/_overview_panel.html"


def family_overview_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """The overview panel, or nothing for a guardian without a child any area shows.

    Reuses the guardian's links the home page has read, with the versions read along."""
    found = selectors.family_versions(user, home.guardian_links)
    if not found:
        return None
    now = timezone.now()
    key = _key(user, "overview", *(one.fingerprint() for one in found))
    html_kept: str | None = kept(key, now)
    if html_kept is not None:
        return Panel(html=mark_safe(html_kept))  # noqa: S308 - our own template's output
    builders = dict(surface.overview_builders())
    parts = [
        _part(request, user, one, builders[one.area], now=now)
        for one in found
        if one.area in builders
    ]
    html = render_to_string(TEMPLATE, {"panel": panel_context(found, parts)}, request)
    until = min([part.valid_until or now for part in parts] or [now])
    keep(key, html, until, now=now, at_most=KEEP_SECONDS)
    return Panel(html=mark_safe(html))  # noqa: S308 - our own template's output


def _part(
    request: HttpRequest,
    user: User,
    one: AreaVersions,
    builder: surface.OverviewBuilder,
    *,
    now: dt.datetime,
) -> OverviewPart:
    """One area's part, kept under that area's versions, or built now."""
    key = _key(user, f"part:{one.area.name}", one.fingerprint())
    part_kept: OverviewPart | None = kept(key, now)
    if part_kept is not None:
        return part_kept
    part = builder(OverviewRequest(request, user, one.children, one.reader_token, now))
    keep(key, part, part.valid_until or now, now=now, at_most=KEEP_SECONDS)
    return part


def panel_context(found: list[AreaVersions], parts: list[OverviewPart]) -> dict[str, object]:
    children = selectors.overview_children(found)
    cut: dict[int, int] = {}
    for part in parts:
        for child_id, count in part.cut.items():
            cut[child_id] = cut.get(child_id, 0) + count
    attention, more = selectors.needs_attention(
        children, [item for part in parts for item in part.attention], cut
    )
    sections: list[SafeString] = [section for part in parts for section in part.sections]
    return {
        "children": children,
        # already at most a few per child: the rest are counted per child
        "attention": attention,
        "attention_more": more,
        "sections": sections,
    }


def _key(user: User, what: str, *fingerprints: str) -> str:
    parts = [
        str(FORMAT),
        str(user.pk),
        get_language() or "",
        timezone.get_current_timezone_name(),
        *fingerprints,
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"village.families.{what}:{user.pk}:{digest}"


def register() -> None:
    """Register this app's panels with the home page, and the versions read with the links."""
    home_panels.register(Role.GUARDIAN, "families.overview", family_overview_panel, order=10)
    home_panels.register_link_values("families.versions", versions.link_values)
