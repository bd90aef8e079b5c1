"""The gradebook's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class GradebookFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Every student")),
            ("attention", _("Students with missing or late work")),
        ],
    )
