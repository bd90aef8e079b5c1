"""Checks every support write shares: errors gathered per field, raised at once."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from village.accounts.languages import language_code

E = TypeVar("E", bound=Enum)


class Errors:
    """Per-field messages; ``raise_any`` raises them together as one ``ValidationError``."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def require(self, condition: bool, field: str, message: str) -> None:
        if not condition:
            self.add(field, message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)

    def choice(self, kind: type[E], value: object, field: str) -> E | None:
        """``value`` as a member of ``kind``, or ``None`` with an error on ``field``."""
        try:
            return kind(value)
        except ValueError:
            self.add(field, _("Choose one of the options."))
            return None

    def text(self, value: str, field: str, *, limit: int, required: bool = True) -> str:
        """``value`` stripped, refused when empty (if ``required``) or longer than ``limit``."""
        value = (value or "").strip()
        self.require(bool(value) or not required, field, _("This field cannot be empty."))
        self.require(
            len(value) <= limit,
            field,
            _("Keep this under %(limit)s characters.") % {"limit": f"{limit:,}"},
        )
        return value

    def language(self, value: str, field: str) -> str:
        """``value`` as a language tag in its usual spelling, or ``""`` with an error."""
        try:
            return language_code(value)
        except ValidationError as error:
            self.add(field, error.messages[0])
            return ""
