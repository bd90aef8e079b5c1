"""How pages name an announcement's audience ("Families and students of Grade 5 Homeroom"),
in the reader's language. The names of classes, schools and districts are as the school
writes them."""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from village.announcements.models import Announcement, AudienceScope
from village.community.templatetags.content_lang import in_content_lang


def who(announcement: Announcement) -> str:
    """Which of the target's people: "Families", "Families and students", …"""
    parts = []
    if announcement.to_families:
        parts.append(_("families"))
    if announcement.to_students:
        parts.append(_("students"))
    if announcement.to_staff:
        parts.append(_("staff"))
    if len(parts) == 1:
        joined = parts[0]
    else:
        joined = _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
    return joined[:1].upper() + joined[1:]


def where(announcement: Announcement) -> str:
    """The target: a class's title, "Grade 5, Riverside K-8", a school's or district's name."""
    if announcement.scope == AudienceScope.CLASS and announcement.school_class is not None:
        return announcement.school_class.title
    if announcement.scope == AudienceScope.GRADE:
        return _("Grade %(grade)s, %(school)s") % {
            "grade": announcement.grade.lstrip("0") or announcement.grade,
            "school": announcement.organisation.name,
        }
    return announcement.organisation.name


def audience_label(announcement: Announcement) -> str:
    return _("%(who)s of %(where)s") % {"who": who(announcement), "where": where(announcement)}


def audience_html(announcement: Announcement) -> SafeString:
    """``audience_label`` for a page: the names the school wrote marked with their language
    where the reader reads another (``content_lang``)."""
    where_html = where(announcement)
    if announcement.scope != AudienceScope.GRADE:
        where_html = in_content_lang(where_html)
    else:
        where_html = conditional_escape(where_html)
    return mark_safe(  # noqa: S308 - both parts escaped
        _("%(who)s of %(where)s")
        % {"who": conditional_escape(who(announcement)), "where": where_html}
    )
