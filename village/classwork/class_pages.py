"""More pages of a class for its staff, from the apps above classwork: each is a link in the
navigation of the class's teacher pages (``teacher/_class_nav.html``), after classwork's own.

An app registers a page in its ``AppConfig.ready()`` by its URL name, which takes the class's
id as its one argument::

    class_pages.register("support:know", _("Know your students"))

The page must let in everyone who sees the navigation (the class's teachers and aides, the
admins of its school: ``policies.class_for_staff``), and may show them less.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True, slots=True)
class ClassPage:
    url_name: str
    label: str | Promise
    order: int = 100


_pages: dict[str, ClassPage] = {}


def register(url_name: str, label: str | Promise, *, order: int = 100) -> None:
    """Link ``url_name`` (of one argument, the class id) from the class's pages (registering a
    name again replaces it)."""
    _pages[url_name] = ClassPage(url_name, label, order)


def class_pages() -> list[ClassPage]:
    """The registered pages, in order."""
    return sorted(_pages.values(), key=lambda page: (page.order, page.url_name))
