"""How the notification pages show time: "3 hours ago", and the moment in full."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """How long ago ``moment`` was, in the largest unit ("3 hours ago"; "just now")."""
    if moment is None:
        return ""
    now = timezone.now()
    if now - moment < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment, now, depth=1)}
