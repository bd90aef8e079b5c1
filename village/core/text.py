"""Checks on the text people type, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Line breaks, tabs and other control characters (C0, DEL, C1), and the Unicode line and
#: paragraph separators: none belongs in a title or a name, which is shown on one line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SINGLE_LINE_MESSAGE = _("Write this on one line, without tabs or other control characters.")


def single_line(value: str, *, field: str | None = None) -> None:
    """Refuse a title or name that holds a line break or another control character.

    A Django validator: raises ``ValidationError``, naming ``field`` when given.
    """
    if _CONTROL.search(value):
        error = ValidationError(SINGLE_LINE_MESSAGE, code="single_line")
        raise ValidationError({field: error}) if field else error


#: Cells a spreadsheet would run as a formula begin with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A CSV cell a spreadsheet shows as text and never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
