"""The family's pages about one child: the child page and its printable one-page summary.

Guardians only, and only for a child whose link allows the scope of some section of the page
(``village.families.surface``): anyone else gets a 404, as if the page did not exist. Opening
either page is a view of the child's record and is audited once (``community.audited``: the
guardian's link, read with the rest, is the check ``student_for_viewer`` would make again).
Both happen on every request, before any section is built or taken from what earlier requests
kept (``village.families.sections``). Each area's sections follow the page's header, in order;
sections of areas the link does not allow are left out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from village.accounts.models import User
from village.community.audited import linked_student_viewed
from village.families import policies as family_policies
from village.families import sections
from village.families.surface import ChildRequest


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, student_id: int, template: str, *, printing: bool) -> HttpResponse:
    """The page's header and sections, after the guardian check and one audit entry."""
    user = _viewer(request)
    child, scopes, found = family_policies.child_page_for_viewer(user, student_id)
    school = linked_student_viewed(user, child.id, request=request)
    now = timezone.now()
    asked = ChildRequest(request, user, child, now, printing=printing)
    context = {
        "child": child,
        "school": school,
        "sections": sections.child_sections(asked, set(scopes), found),
        "printed_at": timezone.localtime(now),
    }
    return render(request, template, context)


@login_required
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id, "families/child.html", printing=False)


@login_required
def child_print(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id, "families/child_print.html", printing=True)
