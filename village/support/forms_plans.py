"""The support plan's editor: the plan's fields, its goals, school actions and home actions as
rows added and removed without script. What the parties do on a plan (answer, comment, progress
check, home action done) has its forms in ``forms_plan_steps``.

They read what was typed; every rule is the services' (``services.plans``,
``services.progress``), whose refusals are shown on the fields they name
(``PlanEditor.add_service_errors``: ``goals.1.text`` is the second goal row's text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from village.community.policies import today
from village.core.forms import ServiceErrors
from village.goals.models import Goal
from village.support.forms import DateInput
from village.support.models import (
    LINE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Accommodation,
    ActionSide,
)
from village.support.selectors.plan_content import ActionView, ContentView, GoalView
from village.support.services.plans import ActionFields, GoalFields, PlanFields

#: Row kinds the editor adds with a button ("add" = one of these).
ADD_ROWS = ("goals", "school", "home")


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PlanForm(ServiceErrors, forms.Form):
    """The plan's own fields. Empty values reach the service, which names what is missing."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    concern = forms.CharField(
        label=_("The concern, in plain words"),
        help_text=_("What the student, the family and the school would like to change."),
        max_length=TEXT_MAX,
        required=False,
        widget=_area(4),
    )
    present_level = forms.CharField(
        label=_("Present level"),
        help_text=_("Where the student is now: what goes well, what is hard."),
        max_length=TEXT_MAX,
        required=False,
        widget=_area(4),
    )
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DateInput())
    check_every_days = forms.IntegerField(
        label=_("Check progress every (days)"),
        help_text=_("For example every 14 or every 28 days."),
        required=False,
    )
    accommodation_ids = forms.ModelMultipleChoiceField(
        label=_("Accommodations in this plan"),
        queryset=Accommodation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        help_text=_("A few words for the version history."),
        max_length=LINE_MAX,
        required=False,
    )

    def __init__(
        self, *args: Any, accommodations: QuerySet[Accommodation], new: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = self.fields["accommodation_ids"]
        assert isinstance(choices, forms.ModelMultipleChoiceField)
        choices.queryset = accommodations
        choices.label_from_instance = _accommodation_label  # type: ignore[method-assign,assignment]
        if new:
            del self.fields["note"]


def _accommodation_label(accommodation: Accommodation) -> str:
    return f"{accommodation.title} ({accommodation.get_category_display()})"


class GoalRow(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Goal"), max_length=TEXT_MAX, required=False, widget=_area(2))
    baseline = forms.CharField(
        label=_("Baseline"),
        help_text=_("Where the student starts."),
        max_length=TEXT_MAX,
        required=False,
        widget=_area(2),
    )
    target = forms.CharField(
        label=_("Target"), max_length=TEXT_MAX, required=False, widget=_area(2)
    )
    measure = forms.CharField(
        label=_("How progress is measured"), max_length=TEXT_MAX, required=False, widget=_area(2)
    )
    learning_goal_id = forms.TypedChoiceField(
        label=_("Learning goal (optional)"), required=False, coerce=int, empty_value=None
    )
    remove = forms.BooleanField(label=_("Remove this goal"), required=False)

    def __init__(self, *args: Any, learning_goals: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["learning_goal_id"].choices = learning_goals  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        parts = ("text", "baseline", "target", "measure", "learning_goal_id", "id")
        return not any(data.get(name) for name in parts)

    def fields_given(self) -> GoalFields:
        data = self.cleaned_data
        return GoalFields(
            text=data.get("text") or "",
            baseline=data.get("baseline") or "",
            target=data.get("target") or "",
            measure=data.get("measure") or "",
            learning_goal_id=data.get("learning_goal_id"),
            id=data.get("id"),
        )


class ActionRow(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    who = forms.CharField(
        label=_("Who"),
        help_text=_("For example: Ms. Rivera, or Sam and Ada."),
        max_length=LINE_MAX,
        required=False,
    )
    what = forms.CharField(
        label=_("What they do"), max_length=TEXT_MAX, required=False, widget=_area(2)
    )
    how_often = forms.CharField(label=_("How often"), max_length=LINE_MAX, required=False)
    goal = forms.TypedChoiceField(
        label=_("For the goal"), required=False, coerce=int, empty_value=None
    )
    remove = forms.BooleanField(label=_("Remove this action"), required=False)

    def __init__(self, *args: Any, goal_choices: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = goal_choices  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("who", "what", "how_often", "id"))


GoalRows = forms.formset_factory(GoalRow, extra=0, max_num=40)
ActionRows = forms.formset_factory(ActionRow, extra=0, max_num=40)


def _learning_goal_choices(goals: QuerySet[Goal]) -> list[tuple[Any, Any]]:
    grouped: dict[str, list[tuple[int, str]]] = {}
    for goal in goals:
        grouped.setdefault(goal.goal_set.title, []).append((goal.pk, goal.title))
    return [("", _("None")), *grouped.items()]


def _goal_label(number: int, text: str) -> str:
    label = str(_("Goal %(number)s")) % {"number": number}
    return f"{label}: {Truncator(text).chars(60)}" if text else label


@dataclass
class PlanEditor:
    """The plan form with its three sets of rows, bound or not; ``add`` asks for one more row
    of a kind (the "Add" buttons) instead of saving."""

    plan: PlanForm
    goals: forms.BaseFormSet[GoalRow]
    school: forms.BaseFormSet[ActionRow]
    home: forms.BaseFormSet[ActionRow]
    add: str = ""
    #: The rows given to the service, in order, to show its errors where they belong.
    goal_rows: list[GoalRow] = field(default_factory=list)
    action_rows: list[ActionRow] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, forms.BaseFormSet[Any]]]:
        return [("goals", self.goals), ("school", self.school), ("home", self.home)]

    def is_valid(self) -> bool:
        return all([self.plan.is_valid(), *(rows.is_valid() for _n, rows in self.rows)])

    def fields_given(self) -> PlanFields | None:
        """The plan as typed (after ``is_valid``), or ``None`` when an action names a goal
        taken out (that row says so)."""
        numbers: dict[int, int] = {}
        self.goal_rows = []
        goals: list[GoalFields] = []
        for index, row in enumerate(self.goals.forms, start=1):
            if row.cleaned_data.get("remove") or row.is_blank():
                continue
            self.goal_rows.append(row)
            goals.append(row.fields_given())
            numbers[index] = len(goals)
        actions = self._actions(numbers)
        if actions is None:
            return None
        data = self.plan.cleaned_data
        return PlanFields(
            title=data.get("title") or "",
            concern=data.get("concern") or "",
            present_level=data.get("present_level") or "",
            review_on=data.get("review_on"),
            check_every_days=data.get("check_every_days"),
            goals=goals,
            actions=actions,
            accommodation_ids=[a.pk for a in data.get("accommodation_ids") or []],
        )

    def _actions(self, numbers: dict[int, int]) -> list[ActionFields] | None:
        self.action_rows = []
        found: list[ActionFields] = []
        refused = False
        for side, rows in ((ActionSide.SCHOOL, self.school), (ActionSide.HOME, self.home)):
            for row in rows.forms:
                data = row.cleaned_data
                if data.get("remove") or row.is_blank():
                    continue
                goal = data.get("goal")
                if goal is not None and goal not in numbers:
                    row.add_error("goal", _("This goal is taken out: choose another, or none."))
                    refused = True
                self.action_rows.append(row)
                found.append(
                    ActionFields(
                        side=side,
                        who=data.get("who") or "",
                        what=data.get("what") or "",
                        how_often=data.get("how_often") or "",
                        goal=numbers.get(goal) if goal is not None else None,
                        id=data.get("id"),
                    )
                )
        return None if refused else found

    def add_service_errors(self, error: ValidationError) -> None:
        """Each message on the field it names: a row's (``goals.0.text``) or the plan's."""
        if not hasattr(error, "error_dict"):
            self.plan.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            kind, _dot, rest = name.partition(".")
            index, _dot, part = rest.partition(".")
            found: dict[str, list[forms.Form]] = {"goals": [*self.goal_rows]}
            found["actions"] = [*self.action_rows]
            rows = found.get(kind)
            if rows is not None and index.isdigit() and int(index) < len(rows):
                row = rows[int(index)]
                row.add_error(part if part in row.fields else None, messages)
            else:
                self.plan.add_service_errors(ValidationError({name: messages}))

    @property
    def has_errors(self) -> bool:
        return bool(self.plan.errors) or any(
            rows.total_error_count() for _name, rows in self.rows if rows.is_bound
        )

    def error_links(self) -> list[tuple[str, str]]:
        """Each error as (the id of its field, "label: message"), for the error summary."""
        found: list[tuple[str, str]] = []
        for error in self.plan.non_field_errors():
            found.append(("", str(error)))
        for bound in self.plan:
            if bound.errors:
                found.append((_field_id(bound), f"{bound.label}: {bound.errors[0]}"))
        for name, rows in self.rows:
            for number, row in enumerate(rows.forms, start=1):
                for error in row.non_field_errors():
                    found.append(("", f"{row_title(name, number)}: {error}"))
                for bound in row:
                    if bound.errors:
                        text = f"{row_title(name, number)}, {bound.label}: {bound.errors[0]}"
                        found.append((_field_id(bound), text))
        return found


def _field_id(bound: forms.BoundField) -> str:
    subwidgets = bound.subwidgets
    if subwidgets and subwidgets[0].id_for_label:
        return str(subwidgets[0].id_for_label)
    return bound.auto_id or ""


def row_title(kind: str, number: int) -> str:
    if kind == "goals":
        return str(_("Goal %(number)s")) % {"number": number}
    if kind == "school":
        return str(_("School action %(number)s")) % {"number": number}
    return str(_("Home action %(number)s")) % {"number": number}


def _goal_initial(goal: GoalView) -> dict[str, Any]:
    return {
        "id": goal.id,
        "text": goal.text,
        "baseline": goal.baseline,
        "target": goal.target,
        "measure": goal.measure,
        "learning_goal_id": goal.learning_goal_id,
    }


def _action_initial(action: ActionView) -> dict[str, Any]:
    return {
        "id": action.id,
        "who": action.who,
        "what": action.what,
        "how_often": action.how_often,
        "goal": action.goal,
    }


def plan_editor(
    data: QueryDict | None,
    *,
    content: ContentView | None,
    accommodations: QuerySet[Accommodation],
    learning_goals: QuerySet[Goal],
) -> PlanEditor:
    """The editor of a new plan (``content`` ``None``: one empty row of each kind) or of the
    plan whose current version is ``content``. With ``data`` whose ``add`` names a kind of
    row, that kind gets one more row and nothing is checked."""
    add = data.get("add", "") if data is not None else ""
    add = add if add in ADD_ROWS else ""
    if data is not None and add:
        data = data.copy()
        total = f"{add}-TOTAL_FORMS"
        data[total] = str(int(data.get(total) or 0) + 1)
    initial: dict[str, Any] = {"check_every_days": 14}
    goals: list[dict[str, Any]] = [{}]
    school: list[dict[str, Any]] = [{}]
    home: list[dict[str, Any]] = [{}]
    if content is not None:
        initial = {
            "title": content.title,
            "concern": content.concern,
            "present_level": content.present_level,
            "review_on": content.review_on,
            "check_every_days": content.check_every_days,
            "accommodation_ids": content.accommodation_ids,
        }
        goals = [_goal_initial(goal) for goal in content.goals]
        school = [_action_initial(action) for action in content.school_actions]
        home = [_action_initial(action) for action in content.home_actions]
    else:
        initial["review_on"] = today() + dt.timedelta(days=90)
    goal_texts = _goal_texts(data, goals)
    goal_choices = [("", _("The whole plan"))] + [
        (number, _goal_label(number, text)) for number, text in enumerate(goal_texts, start=1)
    ]
    editor = PlanEditor(
        plan=PlanForm(data, initial=initial, accommodations=accommodations, new=content is None),
        goals=GoalRows(
            data,
            initial=goals,
            prefix="goals",
            form_kwargs={"learning_goals": _learning_goal_choices(learning_goals)},
        ),
        school=ActionRows(
            data, initial=school, prefix="school", form_kwargs={"goal_choices": goal_choices}
        ),
        home=ActionRows(
            data, initial=home, prefix="home", form_kwargs={"goal_choices": goal_choices}
        ),
        add=add,
    )
    if add:
        _focus_last(editor, add)
    return editor


def _focus_last(editor: PlanEditor, kind: str) -> None:
    """The row just added takes the focus when the page loads."""
    rows = dict(editor.rows)[kind]
    if rows.forms:
        first = "text" if kind == "goals" else "who"
        rows.forms[-1].fields[first].widget.attrs["autofocus"] = True


def _goal_texts(data: QueryDict | None, initial: list[dict[str, Any]]) -> list[str]:
    """The goal rows' texts as the page shows them (typed, or as saved), for the actions'
    choice of goal."""
    if data is None:
        return [row.get("text", "") for row in initial]
    given = str(data.get("goals-TOTAL_FORMS") or "0")
    total = int(given) if given.isdigit() else 0
    return [str(data.get(f"goals-{index}-text", "")) for index in range(min(total, 40))]
