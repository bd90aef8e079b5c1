"""Home-page panels this app adds (see ``village.community.home_panels``).

The guardian's home page opens with the family overview: what needs attention, what is due this
week and recent feedback, across every child and class. It writes no audit entry of its own: the
home page already records one view per child card in the same INSERT, and the overview shows
only children that have a card (usable links that also allow classwork).

The rendered overview is kept in the ``pages`` cache under a key naming the guardian's children,
their work versions, the guardian's feedback-seen version, the language and the time zone. Any
change to what it shows changes the key, so a kept overview is never stale; it is kept until the
clock alone would change it (work falls due, feedback stops being recent: ``valid_until``), and
at most ``KEEP_SECONDS``, which bounds how long a change of classes on the roster takes to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import caches
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from village.accounts.models import User
from village.classwork.grades import LOW_GRADE
from village.community import home_panels
from village.community.home_panels import HomeData, Panel
from village.community.models import Role
from village.families import selectors

#: The home page lists this many works due this week; each child's page has the rest.
SHOWN = 8
#: Recent feedback on the home page (comments are long on a phone).
FEEDBACK_SHOWN = 5
#: The longest a rendered overview is kept.
KEEP_SECONDS = 300
#: Bump when the overview's template or the key changes.
FORMAT = 2
TEMPLATE = "families/_overview_panel.html"


def family_overview_panel(request: HttpRequest, user: User, home: HomeData) -> Panel | None:
    """The overview panel, or nothing for a guardian without a child whose classwork they see.

    Reuses the guardian's links the home page has read; one query for the versions."""
    versions = selectors.family_versions(user, home.guardian_links)
    if not versions.children:
        return None
    now = timezone.now()
    key = _key(user, versions)
    pages = caches["pages"]
    kept: tuple[float, str] | None = pages.get(key)
    if kept is not None and now.timestamp() < kept[0]:
        return Panel(html=mark_safe(kept[1]))  # noqa: S308 - our own template's output
    overview = selectors.family_overview(user, now=now, known=versions)
    html = render_to_string(TEMPLATE, {"panel": panel_context(overview)}, request)
    until = min(overview.valid_until or now, now + dt.timedelta(seconds=KEEP_SECONDS))
    seconds = (until - now).total_seconds()
    if seconds > 0:
        pages.set(key, (until.timestamp(), html), int(seconds) + 1)
    return Panel(html=mark_safe(html))  # noqa: S308 - our own template's output


def panel_context(overview: selectors.FamilyOverview) -> dict[str, object]:
    return {
        "overview": overview,
        # already at most a few per child: the overview counts the rest per child
        "attention": overview.needs_attention,
        "attention_more": overview.attention_more,
        "this_week": overview.this_week[:SHOWN],
        "this_week_more": max(len(overview.this_week) - SHOWN, 0),
        "feedback": overview.recent_feedback[:FEEDBACK_SHOWN],
        "low_grade": LOW_GRADE,
        "events": overview.events,
    }


def _key(user: User, versions: selectors.FamilyVersions) -> str:
    parts = [
        str(FORMAT),
        str(user.pk),
        get_language() or "",
        timezone.get_current_timezone_name(),
        versions.fingerprint(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"village.families.overview:{user.pk}:{digest}"


def register() -> None:
    """Register this app's panels with the home page, and the versions read with the links."""
    home_panels.register(Role.GUARDIAN, "families.overview", family_overview_panel, order=10)
    home_panels.register_link_values("families.versions", selectors.version_values)
