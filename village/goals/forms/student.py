"""The student's goal forms: choosing optional goals, proposing an activity, reporting an effort,
asking the family for help at home.

They read and check what was typed; the plan's rules (``village.goals.rules``) and every other
rule live in the services, whose refusals are shown on the field they name
(``add_service_errors``). The choice form checks the rules itself as well, so that each problem
shows on the group it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin
from village.classwork.models import RubricCriterion, RubricLevel
from village.community.templatetags.content_lang import in_content_lang
from village.core.text import single_line
from village.goals import rules
from village.goals.models import LINK_MAX, NOTE_MAX, TEXT_MAX, Helper
from village.goals.selectors.plans import GoalView, GroupView

# What the fields themselves refuse is said to the student as the services say it ("tú" in
# Spanish, where Django's own words say "usted").


def _too_long_now(limit: int) -> str:
    too_long = pgettext("student", "Keep this under %(limit)s characters.")
    return too_long % {"limit": f"{limit:,}"}


def too_long(limit: int) -> str:
    """A field's ``max_length`` message for a text longer than ``limit``, in the language
    active when it is shown."""
    return lazy(_too_long_now, str)(limit)


NOT_A_LINK = pgettext_lazy(
    "student", "Enter a full web address that starts with https:// or http://."
)

# --- choosing optional goals ----------------------------------------------------------------------


def group_field(group_id: int) -> str:
    return f"group_{group_id}"


def _titled(message: str, title: str) -> SafeString:
    """Village's own ``message`` with a teacher-written ``title`` in it (``%(goal)s``), the
    title marked with its language where the page's differs."""
    return mark_safe(conditional_escape(message) % {"goal": in_content_lang(title)})  # noqa: S308


def _goal_label(view: GoalView) -> SafeString:
    """The goal's title, with what the student should know before choosing it."""
    hints: list[tuple[object]] = []
    if view.goal.description:
        hints.append((in_content_lang(view.goal.description),))
    if view.subgoal_of is not None:
        hints.append((_titled(gettext("Part of “%(goal)s”."), view.subgoal_of.title),))
    hints += [(_titled(gettext("Needs “%(goal)s” first."), g.title),) for g in view.needs]
    if view.efforts:
        hints.append((gettext("You have reported an effort on it: it stays in your plan."),))
    label = in_content_lang(view.goal.title)
    if not hints:
        return label
    return format_html('{}<span class="help">{}</span>', label, format_html_join(" ", "{}", hints))


class ChooseForm(ServiceErrorsMixin, forms.Form):
    """The optional goals a student chooses, one list of checkboxes per group.

    :meth:`order` is the plan the choice makes: the goals kept stay where the student put them,
    new ones join the end of their group, every core goal is in, and each goal comes after the
    goals of its group it needs. A choice that breaks a rule is shown on its group's field.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        shape: rules.Shape,
        groups: Sequence[GroupView],
        current: Mapping[int, Sequence[int]],
    ) -> None:
        super().__init__(data)
        self.shape = shape
        self.current = current
        for group in groups:
            optional = [v for v in [*group.chosen, *group.not_chosen] if not v.goal.is_core]
            optional.sort(key=lambda view: (view.goal.position, view.goal.pk))
            self.fields[group_field(group.group.pk)] = forms.TypedMultipleChoiceField(
                label=in_content_lang(group.group.title),
                required=False,
                coerce=int,
                choices=[(view.goal.pk, _goal_label(view)) for view in optional],
                widget=forms.CheckboxSelectMultiple,
                initial=[view.goal.pk for view in optional if view.plan_goal is not None],
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for problem in rules.problems(self.shape, self.order()):
                name = group_field(problem.group)
                self.add_error(name if name in self.fields else None, problem.message)
        return cleaned

    def _picked(self) -> set[int]:
        return {goal_id for name in self.fields for goal_id in self.cleaned_data.get(name) or []}

    def order(self) -> dict[int, list[int]]:
        """Group -> goal ids, in the order the plan will have them."""
        chosen = self._picked()
        while (wanted := chosen | rules.required(self.shape, chosen)) != chosen:
            chosen = wanted  # core sub-goals of the goals chosen, level by level
        order: dict[int, list[int]] = {}
        for group in self.shape.min_optional:
            kept = [goal_id for goal_id in self.current.get(group, ()) if goal_id in chosen]
            added = [
                goal.id
                for goal in self.shape.goals
                if goal.group == group and goal.id in chosen and goal.id not in kept
            ]
            order[group] = rules.settled_order(self.shape, group, kept + added)
        return order


# --- activities -------------------------------------------------------------------------------


class ActivityForm(ServiceErrorsMixin, forms.Form):
    """An activity the student proposes for a goal, in their own words."""

    text = forms.CharField(
        label=_("What will you do?"),
        max_length=NOTE_MAX,
        validators=[single_line],
        error_messages={"required": _("Say what you will do."), "max_length": too_long(NOTE_MAX)},
    )
    link = forms.URLField(
        label=_("Link (if you have one)"),
        required=False,
        max_length=LINK_MAX,
        assume_scheme="https",
        error_messages={"invalid": NOT_A_LINK, "max_length": too_long(LINK_MAX)},
        help_text=_("A web page or a video you will use."),
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    ask = forms.ChoiceField(
        label=_("Who will help?"),
        choices=Helper.choices,
        initial=Helper.MYSELF,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who will help.")},
    )


# --- efforts ----------------------------------------------------------------------------------


def level_field(criterion_id: int) -> str:
    return f"criterion_{criterion_id}"


def _level_label(level: RubricLevel) -> SafeString:
    """The level's name, with what it means below it."""
    if not level.description:
        return in_content_lang(level.title)
    return format_html(
        '{} <span class="level-help">{}</span>',
        in_content_lang(level.title),
        in_content_lang(level.description),
    )


class EffortForm(ServiceErrorsMixin, forms.Form):
    """What the student did, their level on every criterion of the set's rubric, a reflection,
    evidence, and whether they ask for feedback or think the goal is met."""

    done = forms.CharField(
        label=_("What did you do?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what you did."), "max_length": too_long(TEXT_MAX)},
    )
    went_well = forms.CharField(
        label=_("What went well?"),
        required=False,
        max_length=NOTE_MAX,
        error_messages={"max_length": too_long(NOTE_MAX)},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_step = forms.CharField(
        label=_("What will you do next?"),
        required=False,
        max_length=NOTE_MAX,
        error_messages={"max_length": too_long(NOTE_MAX)},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link = forms.CharField(
        label=_("Link"),
        required=False,
        help_text=_("A web address, such as a shared document or a video."),
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)
    ask_feedback = forms.BooleanField(label=_("Ask my teacher for feedback"), required=False)
    think_met = forms.BooleanField(
        label=_("I think I have met this goal"),
        required=False,
        help_text=_("Your teacher looks at your work and decides."),
    )

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[RubricCriterion],
        max_mb: int,
        extensions: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[level_field(criterion.pk)] = forms.TypedChoiceField(
                label=in_content_lang(criterion.title),
                coerce=int,
                choices=[(level.pk, _level_label(level)) for level in criterion.levels.all()],
                widget=forms.RadioSelect,
                help_text=criterion.description,
                error_messages={
                    "required": mark_safe(  # noqa: S308 - every part escaped
                        conditional_escape(gettext("Choose your level for “%(criterion)s”."))
                        % {"criterion": in_content_lang(criterion.title)}
                    )
                },
            )
        self.fields["file"].help_text = gettext(
            "Up to %(limit)s MB: a document (PDF, Word, Excel, PowerPoint, OpenDocument or "
            "text), a picture, audio or video."
        ) % {"limit": max_mb}
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in extensions)
        levels = [level_field(criterion.pk) for criterion in self.criteria]
        self.order_fields(["done", *levels, "went_well", "next_step", "link", "file"])

    def level_fields(self) -> list[forms.BoundField]:
        return [self[level_field(criterion.pk)] for criterion in self.criteria]

    def levels(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(level_field(c.pk)) for c in self.criteria}


# --- help at home -----------------------------------------------------------------------------


class HelpForm(ServiceErrorsMixin, forms.Form):
    """The student's "I need help at home with…" to their family."""

    text = forms.CharField(
        label=_("I need help at home with…"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say what you need help with."),
            "max_length": too_long(NOTE_MAX),
        },
    )
