"""Presentation helpers for the family pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def weekday_date(value: dt.datetime | dt.date | None) -> str:
    """Weekday and date the locale's way: "Friday November 6", "viernes 6 de noviembre"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    weekday = formats.date_format(value, "l")
    return f"{weekday} {formats.date_format(value, 'MONTH_DAY_FORMAT')}"
