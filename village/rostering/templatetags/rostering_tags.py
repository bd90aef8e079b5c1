"""Template questions about roster imports; the answers come from the rostering policy."""

from __future__ import annotations

from django import template

from village.accounts.models import User
from village.rostering import policies

register = template.Library()


@register.simple_tag
def may_import_rosters(user: User) -> bool:
    return policies.may_import(user)
