"""The form of a class's topic."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin, date_field
from village.core.text import single_line


class TopicForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    summary = forms.CharField(
        label=_("What the class studies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences for students and families."),
    )
    starts_on = date_field(_("Starts"))
    ends_on = date_field(_("Ends"))
