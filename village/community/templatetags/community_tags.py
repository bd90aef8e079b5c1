"""Small presentation helpers for the community pages; no access rules live here."""

from __future__ import annotations

import re

from django import template
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community import policies
from village.community.models import GuardianLink, Role

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


@register.simple_tag
def has_role(user: User, role: str) -> bool:
    """Does the user currently hold ``role`` (e.g. "student", "guardian") anywhere?"""
    return user.is_authenticated and policies.roles_of(user).has(Role(role))


@register.filter
def tel_href(phone: str) -> str:
    """A ``tel:`` link target: digits and a leading plus only."""
    return "tel:" + re.sub(r"[^\d+]", "", phone or "")


@register.filter
def scope_labels(link: GuardianLink) -> str:
    """The areas a guardian may see, as a readable list ("Classwork, Learning goals")."""
    return ", ".join(str(scope.label) for scope in link.scopes)


# Home languages common in US schools that Django's own language list lacks.
_MORE_LANGUAGES = {
    "am": _("Amharic"),
    "hmn": _("Hmong"),
    "ht": _("Haitian Creole"),
    "kar": _("Karen"),
    "ps": _("Pashto"),
    "prs": _("Dari"),
    "so": _("Somali"),
    "ti": _("Tigrinya"),
    "tl": _("Tagalog"),
    "yue": _("Cantonese"),
    "zh": _("Chinese"),
}


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language (``es`` → "Spanish"), or its code if unknown."""
    if code in _MORE_LANGUAGES:
        return str(_MORE_LANGUAGES[code])
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code
