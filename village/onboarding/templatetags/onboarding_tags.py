"""Template questions about family onboarding; the answers come from the onboarding policy."""

from __future__ import annotations

from django import template

from village.accounts.models import User
from village.onboarding import policies

register = template.Library()


@register.simple_tag
def may_redeem(user: User) -> bool:
    """Show "Link to your child" to families, not to students or staff."""
    return policies.may_redeem_codes(user)


@register.simple_tag
def may_approve(user: User) -> bool:
    return policies.may_approve_links(user)
