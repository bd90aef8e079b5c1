"""The teacher's forms for reviewing goals: feedback on an effort (a comment, their own level on
the set's rubric, the goal confirmed met), the decision on a plan, marking a goal met or not,
hiding a family's encouragement, and the class overview's filters.

Several of these forms share a page (one per item of the feedback queue): each takes a
``prefix`` naming its item, so that every field's id is unique on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from village.classwork.forms.common import ServiceErrorsMixin
from village.classwork.models import RubricCriterion, RubricLevel
from village.classwork.scores import points_text
from village.goals.models import NOTE_MAX, TEXT_MAX
from village.goals.progress import GoalState

#: Where a form returns after it is sent: the queue, or the student's plan.
BACK_CHOICES = [("queue", "queue"), ("plan", "plan")]


class _Back(forms.Form):
    back = forms.ChoiceField(choices=BACK_CHOICES, required=False, widget=forms.HiddenInput)

    @property
    def back_to(self) -> str:
        data = getattr(self, "cleaned_data", None) or {}
        return str(data.get("back") or "queue")


class FeedbackForm(ServiceErrorsMixin, _Back):
    """The teacher's answer to an effort. Every level is optional (a comment alone is an
    answer); a level must be one of its criterion's."""

    comment = forms.CharField(
        label=gettext_lazy("Your feedback"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write your feedback.")},
        help_text=gettext_lazy("The student and their family read it."),
    )
    confirms_met = forms.BooleanField(
        label=gettext_lazy("The goal is met"),
        required=False,
        help_text=gettext_lazy("Only a teacher marks a goal met."),
    )

    def __init__(self, *args: Any, criteria: list[RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            invalid = _("Choose one of the levels of “%(criterion)s”.") % {
                "criterion": criterion.title
            }
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Your level: %(criterion)s") % {"criterion": criterion.title},
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("No level")), *_level_choices(criterion)],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": invalid},
                help_text=criterion.description,
            )
        # The rubric's fields come before the confirmation, as the page shows them.
        self.order_fields(["comment", *self.level_names(), "confirms_met", "back"])
        # A level the service refuses is shown on the rubric's first field.
        self.service_fields = {"rubric": next(iter(self.level_names()), "comment")}

    def level_names(self) -> list[str]:
        return [f"criterion_{criterion.pk}" for criterion in self.criteria]

    def level_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.level_names()]

    def levels(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}


def _level_choices(criterion: RubricCriterion) -> list[tuple[int, SafeString]]:
    return [(level.pk, _level_label(level)) for level in criterion.levels.all()]


def _level_label(level: RubricLevel) -> SafeString:
    label = format_html("{} ({})", level.title, points_text(level.points))
    if level.description:
        label = format_html('{} <span class="level-help">{}</span>', label, level.description)
    return label


class DecideForm(ServiceErrorsMixin, _Back):
    """Approve a plan, or ask for a change (the note says which): the two buttons send
    ``decision``."""

    service_fields = {"state": "decision"}

    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("change", "change")],
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("Approve the plan or ask for a change.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the student"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when you ask for a change: say what to change."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "change" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what to change."))
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"


def _yes_no(value: str) -> bool:
    return value == "1"


class SwitchForm(_Back):
    """A yes or no sent by a button (``on``): a goal met or not, an encouragement hidden or
    shown again."""

    on = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=_yes_no)

    @property
    def value(self) -> bool:
        return bool(self.cleaned_data["on"])


VIEW_PICTURE, VIEW_TABLE = "picture", "table"


class OverviewFilterForm(forms.Form):
    """Which students and goals the overview shows: a state (the students with at least one
    goal in it) and a group (its goals)."""

    state = forms.ChoiceField(label=gettext_lazy("Students with a goal that is"), required=False)
    group = forms.TypedChoiceField(
        label=gettext_lazy("Goals of"), required=False, coerce=int, empty_value=None
    )
    view = forms.ChoiceField(
        choices=[(VIEW_PICTURE, VIEW_PICTURE), (VIEW_TABLE, VIEW_TABLE)],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", _("Any state")), *GoalState.choices]
        group = self.fields["group"]
        assert isinstance(group, forms.ChoiceField)
        group.choices = [("", _("Every group")), *groups]

    def query(self) -> str:
        """The filters chosen as a query string (without the view), to keep them across links."""
        data = getattr(self, "cleaned_data", None) or {}
        pairs = [(name, data.get(name)) for name in ("state", "group")]
        return urlencode([(name, value) for name, value in pairs if value not in (None, "")])

    def chosen(self) -> tuple[GoalState | None, int | None, str]:
        """The state, the group and the view asked for; anything unknown counts as all."""
        self.is_valid()
        data = self.cleaned_data
        state = GoalState(data["state"]) if data.get("state") else None
        return state, data.get("group"), data.get("view") or VIEW_PICTURE
