"""The family's forms on a child's plan: encouragement on a goal or one of its efforts, and an
answer to the child's request for help at home. They read what was typed; the services check
it (``village.goals.services.family``) and their refusals are shown on the field they name.

Each goal and each request has its own form on the plan page, so every form has a prefix
(``goal-<id>``, ``help-<id>``) that keeps its fields' names and ids apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin


def encourage_prefix(plan_goal_id: int) -> str:
    return f"goal-{plan_goal_id}"


def answer_prefix(request_id: int) -> str:
    return f"help-{request_id}"


class EncourageForm(ServiceErrorsMixin, forms.Form):
    """A few words for the child about a goal, or about one effort on it (``efforts``: the
    goal's efforts as (id, when reported), oldest first)."""

    text = forms.CharField(
        label=_("Your encouragement"),
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a few words of encouragement.")},
        help_text=_("Your child and the teacher read it."),
    )
    effort = forms.TypedChoiceField(label=_("About"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: object, efforts: Iterable[tuple[int, dt.datetime]] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field: forms.TypedChoiceField = self.fields["effort"]  # type: ignore[assignment]
        choices: list[tuple[object, object]] = [("", _("The goal as a whole"))]
        choices += [
            (pk, _("The effort of %(day)s") % {"day": _day(at)})
            for pk, at in reversed(list(efforts))
        ]
        field.choices = choices
        if len(choices) == 1:
            field.widget = forms.HiddenInput()


def _day(at: dt.datetime) -> str:
    return str(formats.date_format(timezone.localtime(at), "MONTH_DAY_FORMAT"))


class AnswerForm(ServiceErrorsMixin, forms.Form):
    """The guardian's answer to "I need help at home with…"."""

    answer = forms.CharField(
        label=_("Your answer"),
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your answer.")},
        help_text=_("For example, when you can help and how."),
    )
