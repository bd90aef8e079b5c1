"""The forms of the teacher's set-building pages: a set, a group, a goal, a prerequisite, a
piece of linked work, a copy and an import. They read and check what was typed; the services
apply the rules, and their refusals show on the field they name (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin, class_choices, date_field
from village.classwork.models import Assignment, Rubric, Topic
from village.community.models import SchoolClass
from village.core.text import single_line
from village.goals.models import TEXT_MAX, TITLE_MAX, Goal, GoalGroup, GoalKind, GoalSet
from village.goals.policies import usable_rubrics
from village.goals.services.sets import GoalFields, SetFields

#: The largest file an import reads (a set of a few hundred goals is far smaller).
IMPORT_MAX_BYTES = 1_000_000


def _text(label: Any, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _title(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, max_length=TITLE_MAX, validators=[single_line]
    )


class SetForm(ServiceErrorsMixin, forms.Form):
    title = _title(_("Title"), _("For example “Weather and the water cycle”."))
    summary = _text(_("What the goals are about"), _("Students and families read it."))
    topic = forms.ModelChoiceField(
        label=_("Topic (unit)"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("No topic"),
    )
    opens_on = date_field(_("Students choose goals from"))
    closes_on = date_field(_("Work ends on"))
    rubric = forms.ModelChoiceField(
        label=_("Rubric for self-reports"),
        queryset=Rubric.objects.none(),
        required=False,
        empty_label=_("A new rubric with four levels"),
        help_text=_(
            "After every effort, students say where they are on it. A new one has four levels: "
            "Beginning, Developing, Secure, Extending."
        ),
    )
    auto_approve = forms.BooleanField(
        label=_("Approve plans without review"),
        required=False,
        help_text=_("A plan that keeps the rules is approved as soon as the student sends it."),
    )
    stalled_after_days = forms.IntegerField(
        label=_("A goal is stalled after (days without an effort)"),
        min_value=1,
        max_value=365,
        initial=14,
    )

    def __init__(
        self, *args: Any, school_class: SchoolClass, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        class_choices(
            self.fields["topic"],
            Topic.objects.filter(school_class=school_class).order_by("-starts_on", "pk"),
        )
        class_choices(self.fields["rubric"], usable_rubrics(school_class).order_by("title", "pk"))
        if editing:
            self.fields["rubric"].required = True
            self.fields["rubric"].empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on", _("The work ends on or after the day students start choosing.")
            )
        return data

    def set_fields(self) -> SetFields:
        data = self.cleaned_data
        return SetFields(
            title=data["title"],
            summary=data["summary"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            topic=data["topic"],
            rubric=data["rubric"],
            auto_approve=data["auto_approve"],
            stalled_after_days=data["stalled_after_days"],
        )


def set_initial(goal_set: GoalSet) -> dict[str, Any]:
    names = ["title", "summary", "opens_on", "closes_on", "auto_approve", "stalled_after_days"]
    return {name: getattr(goal_set, name) for name in names} | {
        "topic": goal_set.topic_id,
        "rubric": goal_set.rubric_id,
    }


class GroupForm(ServiceErrorsMixin, forms.Form):
    title = _title(_("Title"), _("For example “Observing weather”."))
    description = _text(_("Description"))
    min_optional = forms.IntegerField(
        label=_("Optional goals each student chooses (at least)"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("Leave 0 when its optional goals are only extra."),
    )


def group_initial(group: GoalGroup) -> dict[str, Any]:
    return {name: getattr(group, name) for name in ("title", "description", "min_optional")}


class GoalForm(ServiceErrorsMixin, forms.Form):
    title = _title(_("Goal"), _("What students will be able to do: “I can read a thermometer.”"))
    kind = forms.ChoiceField(
        label=_("Core or optional"),
        choices=[
            (GoalKind.CORE, _("Core: every student works on it")),
            (GoalKind.OPTIONAL, _("Optional: students choose it")),
        ],
        initial=GoalKind.CORE,
        widget=forms.RadioSelect,
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("No goal: it stands on its own"),
        help_text=_("A sub-goal is chosen with the goal it is part of."),
    )
    success_criteria = _text(_("Success criteria"), _("How a student knows they have met it."))
    suggested_activities = _text(
        _("Suggested activities"), _("Ideas students may take up or change.")
    )
    description = _text(_("Notes"), _("Anything else students should know."), rows=2)

    def __init__(
        self, *args: Any, group: GoalGroup, goal: Goal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        others = Goal.objects.filter(group=group).order_by("position", "pk")
        if goal is not None:
            others = others.exclude(pk__in=_descendants(goal))
        class_choices(self.fields["parent"], others)

    def goal_fields(self) -> GoalFields:
        data = self.cleaned_data
        return GoalFields(
            title=data["title"],
            kind=data["kind"],
            parent=data["parent"],
            description=data["description"],
            success_criteria=data["success_criteria"],
            suggested_activities=data["suggested_activities"],
        )


def _descendants(goal: Goal) -> set[int]:
    """The goal and its sub-goals, at any depth (one query)."""
    parents = dict(Goal.objects.filter(group_id=goal.group_id).values_list("pk", "parent_id"))
    found = {goal.pk}
    grew = True
    while grew:
        more = {pk for pk, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found


def goal_initial(goal: Goal) -> dict[str, Any]:
    names = ["title", "kind", "description", "success_criteria", "suggested_activities"]
    return {name: getattr(goal, name) for name in names} | {"parent": goal.parent_id}


class NeedsForm(forms.Form):
    """Another goal of the set that a goal needs first, chosen from a list grouped by group."""

    needs = forms.TypedChoiceField(label=_("Needs first"), coerce=int)

    def __init__(self, *args: Any, goals: list[Goal], groups: list[GoalGroup], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.goals = {goal.pk: goal for goal in goals}
        field = self.fields["needs"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a goal"))] + [
            (group.title, [(g.pk, g.title) for g in goals if g.group_id == group.pk])
            for group in groups
            if any(g.group_id == group.pk for g in goals)
        ]

    def chosen(self) -> Goal:
        return self.goals[self.cleaned_data["needs"]]


class WorkForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("Work of the class"),
        queryset=Assignment.objects.none(),
        empty_label=_("Choose a piece of work"),
        help_text=_("Its feedback shows on the goal."),
    )

    def __init__(self, *args: Any, work: QuerySet[Assignment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        class_choices(self.fields["assignment"], work)


class MoveForm(forms.Form):
    step = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


class PublishForm(forms.Form):
    published = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


class CopyForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=_("Copy to the class"),
        queryset=SchoolClass.objects.none(),
        empty_label=None,
        help_text=_("This class again (for next year), or another class you teach."),
    )
    opens_on = date_field(_("Students choose goals from"))

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        class_choices(self.fields["school_class"], classes)
        self.fields["opens_on"].help_text = _("The day the work ends moves by as many days.")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Goal set file (.json)"),
        help_text=_("A file exported from a goal set in Village."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    opens_on = forms.DateField(
        label=_("Students choose goals from (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave it empty to keep the dates in the file; else both dates move."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 1 MB."))
        return upload
