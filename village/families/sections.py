"""The sections of a child's page, each built now or kept from an earlier request.

A section registered with ``keep=True`` (``village.families.surface.ChildSection``) is kept in the
``pages`` cache (``village.core.kept``, as the home page keeps its overview parts) under a key
naming the section, the page (screen or printing), the viewer, the child as their link shows
them (names, grade, whether grades are shared, the scopes the link allows), the area's version
of the child and the viewer's own version of the area, the language, the time zone and today's
date there. So:

- a write to anything the section shows gives the child (or the reader) a new version in the
  same transaction (``village.families.versions``), hence a new key;
- the clock: the section says until when it stays as it is (``Section.valid_until``: work falling
  due, feedback no longer recent, a translation on its way), and a new day is a new key (this
  week's topics, goal sets opening);
- what changes no version (a change of classes on the roster) shows within ``KEEP_SECONDS``.

Who may see the page is checked, and the view audited, before any of this on every request
(``village.families.views``): a guardian whose link ended or no longer allows an area never
reaches a kept section of it, and another viewer's key is another key. A section that uses the
request's CSRF token is never kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from village.community.models import Scope
from village.core.kept import keep, kept
from village.families import surface
from village.families.selectors import ChildVersions
from village.families.surface import ChildRequest, ChildSection

#: The longest a section is kept (bounds how long a change no version records takes to show).
KEEP_SECONDS = 300
#: Bump when the key changes, or what is kept under it.
FORMAT = 1
#: Kept for a section that shows nothing for this child (a kept value is never None).
NOTHING = ""


def child_sections(
    asked: ChildRequest, allowed: set[Scope], found: ChildVersions
) -> list[SafeString]:
    """The rendered sections of the page whose areas the link allows, in order. ``found``: the
    versions read with the link, before anything the sections show."""
    rendered: list[SafeString] = []
    for entry in surface.child_section_entries():
        if entry.area.scope not in allowed:
            continue
        if entry.keep:
            html = _kept_or_built(entry, asked, allowed, found)
        else:
            html, _until = _built(entry, asked)
        if html:
            rendered.append(html)
    return rendered


def _kept_or_built(
    entry: ChildSection, asked: ChildRequest, allowed: set[Scope], found: ChildVersions
) -> SafeString | None:
    key = _key(entry, asked, allowed, found)
    html_kept: str | None = kept(key, asked.now)
    if html_kept is not None:
        return mark_safe(html_kept) if html_kept else None  # noqa: S308 - our own templates'
    csrf_before = _csrf_used(asked.request)
    html, until = _built(entry, asked)
    if _for_this_request(asked.request, html or "", csrf_before=csrf_before):
        return html
    until = until or asked.now + dt.timedelta(seconds=KEEP_SECONDS)
    keep(key, str(html or NOTHING), until, now=asked.now, at_most=KEEP_SECONDS)
    return html


def _built(
    entry: ChildSection, asked: ChildRequest
) -> tuple[SafeString | None, dt.datetime | None]:
    """The section rendered now (``None``: nothing to show), and its ``valid_until``."""
    section = entry.builder(asked)
    if section is None:
        return None, None
    if section.html is not None:
        return section.html, section.valid_until
    context = {**section.context, "child": asked.child}
    html = render_to_string(section.template, context, asked.request)
    return mark_safe(html), section.valid_until  # noqa: S308 - our own templates' output


def _csrf_used(request: HttpRequest) -> bool:
    """Has this request's CSRF token been read (``django.middleware.csrf.get_token``)?"""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def _for_this_request(request: HttpRequest, html: str, *, csrf_before: bool) -> bool:
    """Does ``html`` hold something made for this request only: a form's CSRF token (rendered
    into it, or read while rendering it)?"""
    return "csrfmiddlewaretoken" in html or (_csrf_used(request) and not csrf_before)


def _key(
    entry: ChildSection, asked: ChildRequest, allowed: set[Scope], found: ChildVersions
) -> str:
    child, area = asked.child, entry.area.name
    parts = [
        str(FORMAT),
        entry.name,
        "print" if asked.printing else "screen",
        str(asked.user.pk),
        f"{child.id}|{child.name}|{child.full_name}|{child.grade}|{child.grades:d}",
        ",".join(sorted(str(scope) for scope in allowed)),
        str(found.student(area)),
        str(found.reader(area) if entry.area.reader_versions else ""),
        get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate(asked.now).isoformat(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"village.families.child:{entry.name}:{asked.user.pk}:{child.id}:{digest}"
