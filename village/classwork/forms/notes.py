"""The form of a teacher's weekly note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin
from village.classwork.services.notes import NOTE_LENGTH
from village.core.text import single_line


class WeeklyNoteForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("What to work on next"),
        required=False,
        max_length=NOTE_LENGTH,
        validators=[single_line],
        help_text=_(
            "One sentence for the student and family, in this week's digest. Leave it "
            "empty to remove the note."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
