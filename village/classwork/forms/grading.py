"""The teacher's feedback on one student's work."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from village.classwork.forms.common import ServiceErrorsMixin
from village.classwork.models import (
    Feedback,
    RubricCriterion,
    RubricLevel,
)
from village.classwork.scores import points_text


class FeedbackForm(ServiceErrorsMixin, forms.Form):
    """The teacher's feedback on one student's work: a level per rubric criterion (the grade is
    their sum), or a grade; a comment; excused."""

    service_fields = {"rubric": "score"}

    score = forms.DecimalField(
        label=pgettext_lazy("score", "Grade"),
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The student and their family read this when you return the work."),
    )
    excused = forms.BooleanField(
        label=_("Excused"),
        required=False,
        help_text=_("Excused work is not missing and does not count in the grade."),
    )

    def __init__(
        self, *args: Any, criteria: list[RubricCriterion], points: Decimal | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(level.pk, _level_label(level)) for level in criterion.levels.all()],
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )
        score = self.fields["score"]
        if criteria:
            score.disabled = True
            score.help_text = _("The sum of the levels chosen above.")
        elif points is not None:
            score.help_text = _("Out of %(points)s.") % {"points": points_text(points)}
            score.widget.attrs["max"] = str(points)
        else:
            score.disabled = True
            score.help_text = _("This work has no points: it takes a comment only.")

    def rubric_fields(self) -> list[forms.BoundField]:
        return [self[f"criterion_{criterion.pk}"] for criterion in self.criteria]

    def rubric_levels(self) -> dict[int, int | None] | None:
        if not self.criteria:
            return None
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}


def _level_label(level: RubricLevel) -> str:
    """ "Proficient (3)", with the level's description below it when it has one."""
    label = format_html("{} ({})", level.title, points_text(level.points))
    if level.description:
        label = format_html('{} <span class="level-help">{}</span>', label, level.description)
    return label


def feedback_initial(feedback: Feedback | None, chosen: dict[int, int]) -> dict[str, Any]:
    """The form as last saved: the changes kept for returned feedback when there are some."""
    if feedback is None:
        return {}
    if feedback.has_draft:
        score, comment = feedback.draft_score, feedback.draft_comment
        excused = feedback.draft_excused
        levels = feedback.draft_levels
    else:
        score, comment, excused = feedback.score, feedback.comment, feedback.excused
        levels = chosen
    initial: dict[str, Any] = {
        # As people write a grade: 8 and 8.5, not 8.00 and 8.50.
        "score": None if score is None else points_text(score),
        "comment": comment,
        "excused": excused,
    }
    initial.update({f"criterion_{criterion}": level for criterion, level in levels.items()})
    return initial
