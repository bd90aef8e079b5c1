"""Small presentation helpers for the community pages; no access rules live here."""

from __future__ import annotations

import re

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from village.accounts.models import User
from village.community import policies
from village.community.models import GuardianLink

register = template.Library()


@register.simple_tag
def current_page(request: HttpRequest, view_name: str) -> SafeString:
    """``aria-current="page"`` on the navigation link of the page being shown."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == view_name:
        return format_html('aria-current="{}"', "page")
    return SafeString("")


@register.simple_tag
def is_admin(user: User) -> bool:
    """Does the user administer a school or district (for the People and Audit log links)?"""
    return user.is_authenticated and policies.roles_of(user).is_admin


@register.filter
def tel_href(phone: str) -> str:
    """A ``tel:`` link target: digits and a leading plus only."""
    return "tel:" + re.sub(r"[^\d+]", "", phone or "")


@register.filter
def scope_labels(link: GuardianLink) -> str:
    """The areas a guardian may see, as a readable list ("Classwork, Learning goals")."""
    return ", ".join(str(scope.label) for scope in link.scopes)
