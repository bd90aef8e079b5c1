"""Who may open the family's pages about a child: a guardian whose usable link to the child
allows the area a page shows. Anyone else (staff who see the student at school included) gets a
404, as if the page did not exist: these are the family's pages.
"""

from __future__ import annotations

from django.http import Http404

from village.accounts.models import User
from village.community.models import Scope
from village.community.selectors import guardian_links
from village.families import selectors, surface, versions
from village.families.selectors import ChildVersions
from village.families.surface import Child


def family_child_for_viewer(user: User, student_id: int, scope: Scope) -> Child:
    """One child whose ``scope`` ``user`` may see as a guardian, or ``Http404``.

    Staff who see the student at school get a 404 here too: this is the family's page.
    """
    for link in guardian_links(user):
        if link.student_id == student_id and link.allows(scope):
            return selectors.linked_child(link)
    raise Http404("No such student.")


def child_page_for_viewer(user: User, student_id: int) -> tuple[Child, list[Scope], ChildVersions]:
    """The child whose page ``user`` opens, the scopes of the page's sections their link allows
    (in the sections' order), and every area's versions read with the link (before anything
    the page shows); ``Http404`` when it allows none (or there is no link). One query."""
    scopes = list(dict.fromkeys(area.scope for area, _builder in surface.child_sections()))
    for link in guardian_links(user, versions.link_values()):
        if link.student_id == student_id:
            allowed = [scope for scope in scopes if link.allows(scope)]
            if allowed:
                return selectors.linked_child(link), allowed, selectors.link_versions(link)
    raise Http404("No such student.")
