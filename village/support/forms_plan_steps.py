"""The forms of what the parties do on a support plan (``views.plan_steps``): an answer to the
proposed version, a comment or proposed change, a progress check (a row per goal), and a home
action done. As ``forms_plans``, they read what was typed and show the services' refusals on
the fields they name; those a student fills in speak to them as the student ("tú" in Spanish).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from village.community.policies import today
from village.core.forms import ServiceErrors
from village.support.forms import DateInput
from village.support.models import LINE_MAX, TEXT_MAX, CommentKind, Decision, ProgressStatus
from village.support.selectors.plan_content import GoalView
from village.support.services.progress import GoalProgress


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- answering, commenting --------------------------------------------------------------------


class AnswerForm(ServiceErrors, forms.Form):
    """A party's answer to the proposed version they read (``version``: a version since
    changed is said at the top of the form)."""

    service_fields = {"version": ""}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("Your answer"), choices=Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Needed when you disagree: say what you would change."),
        max_length=TEXT_MAX,
        required=False,
        widget=_area(3),
    )

    def __init__(self, *args: Any, student: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        if student:
            decision.label = pgettext_lazy("student", "Your answer")
            decision.choices = [
                (Decision.AGREE, pgettext_lazy("student", "I agree")),
                (Decision.DISAGREE, pgettext_lazy("student", "I disagree")),
            ]
            self.fields["note"].help_text = pgettext_lazy(
                "student", "Needed when you disagree: say what you would change."
            )
        else:
            decision.choices = [
                (Decision.AGREE, _("I agree")),
                (Decision.DISAGREE, _("I disagree")),
            ]


#: Under "Your words": each party writes in their own language.
_WRITES = _("Write in the language you prefer: the others read it in theirs, with your words kept.")
_STUDENT_WRITES = pgettext_lazy(
    "student", "Write in the language you like best: the others read it in theirs."
)


class CommentForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CommentKind.choices,
        initial=CommentKind.COMMENT,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Your words"), max_length=TEXT_MAX, widget=_area(4))

    def __init__(self, *args: Any, student: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.error_messages["required"] = (
            pgettext_lazy("student", "Write something here.")
            if student
            else _("Write something here.")
        )
        # Said before the box (and linked to it), not after the button.
        text.help_text = _STUDENT_WRITES if student else _WRITES
        if student:
            text.label = pgettext_lazy("student", "Your words")


# --- carrying the plan out --------------------------------------------------------------------


class ProgressRow(forms.Form):
    goal_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Progress"),
        choices=[("", _("No note this time")), *ProgressStatus.choices],
        required=False,
    )
    measured = forms.CharField(
        label=_("Measured (optional)"),
        help_text=_("For example: 78 words a minute."),
        max_length=LINE_MAX,
        required=False,
    )
    note = forms.CharField(
        label=_("Note (optional)"), max_length=TEXT_MAX, required=False, widget=_area(2)
    )


ProgressRows = forms.formset_factory(ProgressRow, extra=0, max_num=40)


class ProgressCheckForm(ServiceErrors, forms.Form):
    noted_on = forms.DateField(label=_("Date of the check"), widget=DateInput())


@dataclass
class ProgressEditor:
    check: ProgressCheckForm
    rows: forms.BaseFormSet[ProgressRow]
    goals: list[GoalView]
    given: list[ProgressRow] = field(default_factory=list)

    def is_valid(self) -> bool:
        return self.check.is_valid() & self.rows.is_valid()

    def notes(self) -> list[GoalProgress]:
        self.given = [row for row in self.rows.forms if row.cleaned_data.get("status")]
        return [
            GoalProgress(
                goal_id=row.cleaned_data["goal_id"],
                status=row.cleaned_data["status"],
                measured=row.cleaned_data.get("measured") or "",
                note=row.cleaned_data.get("note") or "",
            )
            for row in self.given
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.check.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            _kind, _dot, rest = name.partition(".")
            index, _dot, part = rest.partition(".")
            if name.startswith("notes.") and index.isdigit() and int(index) < len(self.given):
                row = self.given[int(index)]
                row.add_error(part if part in row.fields else None, messages)
            else:
                self.check.add_service_errors(ValidationError({name: messages}))

    def rows_with_goals(self) -> list[tuple[ProgressRow, GoalView]]:
        return list(zip(self.rows.forms, self.goals, strict=False))


def progress_editor(data: QueryDict | None, goals: list[GoalView]) -> ProgressEditor:
    return ProgressEditor(
        check=ProgressCheckForm(data, initial={"noted_on": today()}),
        rows=ProgressRows(data, initial=[{"goal_id": goal.id} for goal in goals], prefix="notes"),
        goals=goals,
    )


class HomeDoneForm(ServiceErrors, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("How it went, in a few words."),
        max_length=LINE_MAX,
        required=False,
    )

    def __init__(self, *args: Any, student: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": today()})
        super().__init__(*args, **kwargs)
        if student:
            self.fields["note"].help_text = pgettext_lazy("student", "How it went, in a few words.")
