"""What the forms of every app share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class ServiceErrors:
    """A form mixin: a service's ``ValidationError`` shown on the fields it names, renamed
    through ``service_fields`` where the service calls a field otherwise (an error naming no
    field of the form, or none at all, goes to the top of the form)."""

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            target = self.service_fields.get(name, name)
            form.add_error(target if target in form.fields else None, messages)
