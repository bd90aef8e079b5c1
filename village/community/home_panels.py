"""Panels that apps above ``community`` add to a role's section of the home page.

The home page belongs to ``community``, but what a guardian or a student needs to see first
(missing work, what is due this week, new feedback) comes from apps built on top of it. Those apps
register a builder for a role in their ``AppConfig.ready()``; the home view calls the builders of
the roles the user holds, and the template includes each panel's template with its context. So
``community`` never imports the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from village.accounts.models import User
from village.community.models import Role
from village.community.selectors.home import LinkedChild


@dataclass(frozen=True)
class Panel:
    """A panel to include on the home page: a template with its context, or HTML the builder
    rendered already (``html``, e.g. kept in a cache), shown as it is."""

    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    html: SafeString | None = None


@dataclass(frozen=True)
class HomeData:
    """What the home view has read already, for panels to use instead of reading it again."""

    #: The user's usable links as a guardian, in the children's order
    #: (``selectors.guardian_links``); empty for a user who is not a guardian.
    guardian_links: list[LinkedChild] = field(default_factory=list)


PanelBuilder = Callable[[HttpRequest, User, HomeData], Panel | None]

_builders: dict[str, list[tuple[int, str, PanelBuilder]]] = {}


def register(role: Role, name: str, builder: PanelBuilder, *, order: int = 100) -> None:
    """Add ``builder``'s panel to ``role``'s home section (registering a name again replaces it)."""
    entries = [entry for entry in _builders.get(role, []) if entry[1] != name]
    entries.append((order, name, builder))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    _builders[role] = entries


def panels_for(
    request: HttpRequest, user: User, roles: set[str], home: HomeData | None = None
) -> dict[str, list[Panel]]:
    """The panels to show, by role, for the roles ``user`` holds (builders may return ``None``)."""
    home = home or HomeData()
    panels: dict[str, list[Panel]] = {}
    for role in roles:
        built = [builder(request, user, home) for _, _, builder in _builders.get(role, [])]
        panels[role] = [panel for panel in built if panel is not None]
    return panels


#: Extra values an app reads with the guardian's links (name to an expression on a
#: ``GuardianLink`` row, e.g. ``F("student__...")``), so its panel needs no query of its own.
#: The expressions must not depend on who asks: the query is compiled once.
LinkValues = Callable[[], Mapping[str, Any]]

_link_values: dict[str, LinkValues] = {}


def register_link_values(name: str, values: LinkValues) -> None:
    """Read ``values()`` along with each of the guardian's links on the home page; they arrive
    in ``LinkedChild.extra`` under their names (registering a name again replaces it)."""
    _link_values[name] = values


def link_values() -> dict[str, Any]:
    """Every registered extra value for the guardian's links, by name."""
    merged: dict[str, Any] = {}
    for values in _link_values.values():
        merged.update(values())
    return merged
