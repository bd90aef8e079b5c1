"""What apps add to the family surface: the guardian's overview on the home page and each
child's page.

``families`` owns these pages and what every part has in common (the children a guardian sees,
the versions pages are kept by, the "needs attention" list cut to the most urgent few per child);
what a domain shows (classwork: missing work, feedback, grades) comes from the app that owns it.
Such an app registers, in its ``AppConfig.ready()``:

- an **area** (``register_area``): a name its versions are kept under
  (``village.families.versions``) and the guardian-link scope its parts need;
- an **overview builder** (``register_overview``): its items for the "needs attention" list and
  its sections of the overview, for the children whose links allow its scope. The overview keeps
  each area's part under a key naming that area's versions only, so a change in one area rebuilds
  that area's part and leaves the others' kept parts alone;
- **child-page sections** (``register_child_section``): template and context, in ``order``. A
  section registered with ``keep=True`` depends only on its area's versions of the child (and the
  reader's own, where the area keeps them), on the viewer and on the clock: its rendered HTML is
  kept between requests (``village.families.sections``) until one of those changes, or until its
  ``valid_until``.

Sections of the weekly family email are registered with ``village.notifications``.

So ``families`` never imports the apps that fill it. Registering a name again replaces it;
``unregister`` removes a name from every registry (tests that register their own parts use it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from village.accounts.models import User
from village.community.models import Scope

# --- children and areas --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Child:
    """A child as the family view shows them, with what this guardian may see."""

    id: int
    name: str
    full_name: str
    grade: str
    #: May this guardian see scores and course grades?
    grades: bool


@dataclass(frozen=True, slots=True)
class Area:
    """A domain that adds to the family surface.

    ``scope`` is what a guardian's link must allow for the area's parts to show a child.
    ``reader_versions``: the area also keeps a version per reader (what they have opened),
    which its overview part depends on.
    """

    name: str
    scope: Scope
    reader_versions: bool = False


@dataclass(frozen=True, slots=True)
class AreaChild:
    """A child as one area's part sees them: the child and the area's version of the child."""

    child: Child
    token: int


# --- the overview --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One line of the "needs attention" list.

    Items are ordered by ``urgency`` (lower first: a kind of item), then ``when`` (lower first;
    an area decides: the oldest due date, the newest feedback), then the child's name and
    ``title``. Per child the list takes the most urgent item of each ``kind`` in turn, so a
    family sees every kind of trouble before more of one kind. ``html`` is the rendered list
    item (``<li>…</li>``) for the home page, kept with the area's part; ``at`` the moment the
    item is about (due, returned), ``data`` the area's own object, for its API.
    """

    child: Child
    kind: str
    label: str
    urgency: int
    when: float
    title: str
    link: str
    html: SafeString | None = None
    at: dt.datetime | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class OverviewPart:
    """One area's part of the overview."""

    #: Items for the "needs attention" list; an area may cut its own list short.
    attention: list[AttentionItem] = field(default_factory=list)
    #: Items the area cut from ``attention``, per child id: counted in "and N more".
    cut: Mapping[int, int] = field(default_factory=dict)
    #: Rendered sections shown after the "needs attention" list, in order.
    sections: list[SafeString] = field(default_factory=list)
    #: Until when the clock alone leaves this part as it is (``None``: no such moment).
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class OverviewRequest:
    """What an overview builder is given: the guardian, their children whose links allow the
    area's scope with the area's versions of them, and the guardian's own version in the area."""

    request: HttpRequest | None
    user: User
    children: list[AreaChild]
    reader_token: int
    now: dt.datetime


OverviewBuilder = Callable[[OverviewRequest], OverviewPart]


# --- the child page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A section of a child's page: a template with its context (``child`` is added to it), or
    HTML the builder rendered already (``html``, e.g. kept in a cache), shown as it is.

    ``valid_until``: until when the clock alone leaves the section as it is (work falling due,
    feedback no longer recent, a translation on its way); ``None``: no such moment. Only kept
    sections read it.
    """

    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    html: SafeString | None = None
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ChildRequest:
    """What a child-page section builder is given. ``printing``: the one-page summary."""

    request: HttpRequest
    user: User
    child: Child
    now: dt.datetime
    printing: bool = False


SectionBuilder = Callable[[ChildRequest], Section | None]


@dataclass(frozen=True, slots=True)
class ChildSection:
    """A registered section of the child page.

    ``keep``: its HTML may be kept between requests under its area's versions of the child
    (``village.families.sections``): everything it shows changes that version, or the reader's
    own version of the area, or with the clock before its ``valid_until``. Its templates hold no
    form (no CSRF token) and nothing else made for one request.
    """

    name: str
    area: Area
    builder: SectionBuilder
    keep: bool = False


# --- registries ----------------------------------------------------------------------------------

_areas: dict[str, Area] = {}
_overview: dict[str, OverviewBuilder] = {}
_sections: dict[str, tuple[int, str, SectionBuilder, bool]] = {}


def register_area(area: Area) -> None:
    _areas[area.name] = area


def register_overview(area: str, builder: OverviewBuilder) -> None:
    """Add ``area``'s part to the overview (the area must be registered)."""
    _overview[area] = builder


def register_child_section(
    area: str, name: str, builder: SectionBuilder, *, order: int = 100, keep: bool = False
) -> None:
    """Add ``builder``'s section to each child's page of the area, in ``order``; ``keep``: its
    HTML may be kept between requests under the area's versions (see ``ChildSection``)."""
    _sections[name] = (order, area, builder, keep)


def unregister(name: str) -> None:
    """Remove an area (with its overview part) or a section, whatever registered it."""
    _areas.pop(name, None)
    _overview.pop(name, None)
    _sections.pop(name, None)


def areas() -> list[Area]:
    """The registered areas, by name."""
    return [_areas[name] for name in sorted(_areas)]


def overview_builders() -> list[tuple[Area, OverviewBuilder]]:
    """Each area's overview builder, by area name."""
    return [(_areas[name], _overview[name]) for name in sorted(_overview)]


def child_sections() -> list[tuple[Area, SectionBuilder]]:
    """The child-page section builders in order, each with its area."""
    return [(entry.area, entry.builder) for entry in child_section_entries()]


def child_section_entries() -> list[ChildSection]:
    """The registered child-page sections in order."""
    entries = sorted((entry[0], name, entry) for name, entry in _sections.items())
    return [
        ChildSection(name, _areas[owner], builder, keep)
        for _order, name, (_o, owner, builder, keep) in entries
    ]
