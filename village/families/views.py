"""The family's pages about one child: the child page and its printable one-page summary.

Guardians only, and only for a child whose link allows the scope of some section of the page
(``village.families.surface``): anyone else gets a 404, as if the page did not exist. Opening
either page is a view of the child's record and is audited once
(``policies.student_for_viewer``). Each area's sections follow the page's header, in order;
sections of areas the link does not allow are left out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from village.accounts.models import User
from village.community import policies
from village.community.models import Scope
from village.families import policies as family_policies
from village.families import surface
from village.families.surface import ChildRequest


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, student_id: int, template: str, *, printing: bool) -> HttpResponse:
    """The page's header and sections, after the guardian check and one audit entry."""
    user = _viewer(request)
    child, scopes = family_policies.child_page_for_viewer(user, student_id)
    policies.student_for_viewer(user, student_id, scope=scopes[0], request=request)
    now = timezone.now()
    school = policies.student_schools([child.id]).get(child.id)
    asked = ChildRequest(request, user, child, now, printing=printing)
    sections = _sections(asked, set(scopes))
    context = {
        "child": child,
        "school": school,
        "sections": sections,
        "printed_at": timezone.localtime(now),
    }
    return render(request, template, context)


def _sections(asked: ChildRequest, allowed: set[Scope]) -> list[SafeString]:
    rendered: list[SafeString] = []
    for area, builder in surface.child_sections():
        if area.scope not in allowed:
            continue
        section = builder(asked)
        if section is not None and section.html is not None:
            rendered.append(section.html)
        elif section is not None:
            context = {**section.context, "child": asked.child}
            html = render_to_string(section.template, context, asked.request)
            rendered.append(mark_safe(html))  # noqa: S308 - our own templates' output
    return rendered


@login_required
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id, "families/child.html", printing=False)


@login_required
def child_print(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id, "families/child_print.html", printing=True)
