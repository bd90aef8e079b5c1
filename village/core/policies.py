"""What every app's access policy shares: what a user may not open does not exist for them.

``Http404`` is raised by ``policies`` modules only; a view whose whole page is for some users
asks its app's ``may_*`` question and hands the answer to :func:`require_page`.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def require_page(allowed: bool) -> None:
    """``Http404`` unless ``allowed``: a page the user may not open is no page for them."""
    if not allowed:
        raise Http404("No such page.")


def one_or_404(queryset: QuerySet[M], message: str) -> M:
    """The first row of ``queryset`` (already filtered to what the user may reach and to the
    object asked for), or ``Http404`` with ``message``."""
    found = queryset.first()
    if found is None:
        raise Http404(message)
    return found
