"""What every app's access policy shares: what a user may not open does not exist for them.

``Http404`` is raised by ``policies`` modules only; a view whose whole page is for some users
asks its app's ``may_*`` question and hands the answer to :func:`require_page`.
"""

from __future__ import annotations

from django.http import Http404


def require_page(allowed: bool) -> None:
    """``Http404`` unless ``allowed``: a page the user may not open is no page for them."""
    if not allowed:
        raise Http404("No such page.")
