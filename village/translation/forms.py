"""The glossary page's form: a term, what to do with it, and into which language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from village.accounts.languages import language_choices
from village.community.templatetags.content_lang import content_language
from village.translation.models import GlossaryRule, GlossaryTerm
from village.translation.services import TERM_MAX


def _targets() -> list[tuple[str, str]]:
    return [("", gettext("Every language")), *language_choices()]


class GlossaryTermForm(forms.Form):
    term = forms.CharField(
        label=pgettext_lazy("glossary", "Term"),
        max_length=TERM_MAX,
        help_text=_("As teachers write it, such as “field trip”, “IEP” or a programme’s name."),  # noqa: RUF001
    )
    source_language = forms.ChoiceField(label=_("Written in"), choices=language_choices)
    rule = forms.ChoiceField(
        label=_("What translation does with it"),
        choices=GlossaryRule.choices,
        widget=forms.RadioSelect,
        initial=GlossaryRule.KEEP,
    )
    target_language = forms.ChoiceField(
        label=_("Into"),
        choices=_targets,
        required=False,
        help_text=_("A term always translated one way needs its language."),
    )
    replacement = forms.CharField(
        label=_("Translation"),
        max_length=TERM_MAX,
        required=False,
        help_text=_("How the term is always written in that language."),
    )

    def __init__(self, data: Any = None, *, entry: GlossaryTerm | None = None) -> None:
        initial = {"source_language": content_language()}
        if entry is not None:
            initial = {
                "term": entry.term,
                "source_language": entry.source_language,
                "rule": entry.rule,
                "target_language": entry.target_language,
                "replacement": entry.replacement,
            }
        super().__init__(data, initial=initial)

    def add_service_errors(self, error: ValidationError) -> None:
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)
