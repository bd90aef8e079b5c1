"""The rubric editor: rows of criteria, each with levels, on the rubrics page and inside the
assignment form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin
from village.classwork.models import (
    Rubric,
    RubricCriterion,
    RubricLevel,
)
from village.classwork.services.rubrics import CriterionSpec, LevelSpec
from village.core.text import single_line

#: Levels offered for each criterion of a new rubric (the teacher may rename and re-score them).
DEFAULT_LEVELS = (
    (_("Excellent"), 4),
    (_("Good"), 3),
    (_("Developing"), 2),
    (_("Beginning"), 1),
)
NEW_RUBRIC_CRITERIA = 3
MAX_CRITERIA = 10
#: Levels a criterion may have on the rubrics page (more if a rubric already has more).
MAX_LEVELS = 8


class LevelFields(NamedTuple):
    """The fields of one level of a criterion (``description`` only on the rubrics page)."""

    title: forms.BoundField
    points: forms.BoundField
    description: forms.BoundField | None


class CriterionFields(NamedTuple):
    title: forms.BoundField
    description: forms.BoundField | None
    levels: list[LevelFields]


class RubricRows(ServiceErrorsMixin, forms.Form):
    """A form with a rubric written in rows: a title per criterion and its levels (best first),
    each with points. Rows without a title are ignored, and so are levels without a name or
    points. The work form writes a new rubric with them; the rubrics page a rubric of the class,
    with a description for each criterion and level (``descriptions``) and more levels on
    request.

    A subclass declares the hidden ``criteria_count`` (and ``levels_count``) fields and calls
    ``_add_criteria_fields`` from ``__init__``.
    """

    descriptions = False

    def criteria_rows(self) -> int:
        """How many criterion rows the form has (two more when the teacher asked for more)."""
        return self._criteria_rows

    def level_rows(self) -> int:
        """How many levels each criterion row has."""
        return self._level_rows

    def _count_rows(self, name: str, default: int, more: str, step: int, most: int) -> int:
        value = self.data.get(name) if self.is_bound else None
        try:
            rows = int(value) if value else default
        except (TypeError, ValueError):
            rows = default
        if self.is_bound and more in self.data:
            rows += step
        rows = max(1, min(rows, most))
        self.initial.setdefault(name, rows)
        if isinstance(self.data, QueryDict):
            data = self.data.copy()
            data[name] = str(rows)
            self.data = data
        elif self.is_bound:
            self.data = {**self.data, name: str(rows)}
        return rows

    def _add_criteria_fields(
        self,
        criteria: int = NEW_RUBRIC_CRITERIA,
        most_criteria: int = MAX_CRITERIA,
        levels: int = len(DEFAULT_LEVELS),
        most_levels: int = MAX_LEVELS,
    ) -> None:
        """Add the rows: ``criteria`` of them to start with, up to ``most_criteria``; each with
        ``levels`` levels (up to ``most_levels`` when the form has a ``levels_count``)."""
        self._criteria_rows = self._count_rows(
            "criteria_count", criteria, "more_criteria", 2, most_criteria
        )
        self._level_rows = levels
        if "levels_count" in self.fields:
            self._level_rows = self._count_rows(
                "levels_count", levels, "more_levels", 1, most_levels
            )
        for row in range(1, self._criteria_rows + 1):
            self._add_criterion_fields(row)

    def _add_criterion_fields(self, row: int) -> None:
        self.fields[f"criterion_{row}"] = forms.CharField(
            label=_("Criterion %(number)d") % {"number": row},
            required=False,
            max_length=200,
            validators=[single_line],
        )
        if self.descriptions:
            self.fields[f"criterion_{row}_description"] = forms.CharField(
                label=_("Description (optional)"), required=False, max_length=500
            )
        for level in range(1, self._level_rows + 1):
            title, points = (
                DEFAULT_LEVELS[level - 1] if level <= len(DEFAULT_LEVELS) else ("", None)
            )
            self.fields[f"criterion_{row}_level_{level}"] = forms.CharField(
                label=_("Level %(number)d") % {"number": level},
                required=False,
                max_length=100,
                initial=title,
                validators=[single_line],
            )
            self.fields[f"criterion_{row}_points_{level}"] = forms.DecimalField(
                label=_("Points for level %(number)d") % {"number": level},
                required=False,
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=2,
                initial=points,
            )
            if self.descriptions:
                self.fields[f"criterion_{row}_description_{level}"] = forms.CharField(
                    label=_("Description of level %(number)d (optional)") % {"number": level},
                    required=False,
                    max_length=500,
                )

    def criteria_fields(self) -> list[tuple[forms.BoundField, list[tuple[Any, Any]]]]:
        """For the template: each criterion's title field and its (level, points) fields."""
        return [
            (row.title, [(level.title, level.points) for level in row.levels])
            for row in self.rubric_fields()
        ]

    def rubric_fields(self) -> list[CriterionFields]:
        """For the template: each criterion's fields, with its levels' fields."""
        return [
            CriterionFields(
                title=self[f"criterion_{row}"],
                description=self._field(f"criterion_{row}_description"),
                levels=[
                    LevelFields(
                        title=self[f"criterion_{row}_level_{level}"],
                        points=self[f"criterion_{row}_points_{level}"],
                        description=self._field(f"criterion_{row}_description_{level}"),
                    )
                    for level in range(1, self._level_rows + 1)
                ],
            )
            for row in range(1, self._criteria_rows + 1)
        ]

    def _field(self, name: str) -> forms.BoundField | None:
        return self[name] if name in self.fields else None

    def new_criteria(self) -> list[CriterionSpec]:
        """The criteria written, in order; their levels in order (best first)."""
        data = self.cleaned_data
        criteria = []
        for row in range(1, self._criteria_rows + 1):
            title = (data.get(f"criterion_{row}") or "").strip()
            if not title:
                continue
            levels = [
                LevelSpec(
                    title=level_title.strip(),
                    points=points,
                    description=(data.get(f"criterion_{row}_description_{level}") or "").strip(),
                )
                for level in range(1, self._level_rows + 1)
                if (level_title := data.get(f"criterion_{row}_level_{level}") or "").strip()
                and (points := data.get(f"criterion_{row}_points_{level}")) is not None
            ]
            criteria.append(
                CriterionSpec(
                    title=title,
                    levels=levels,
                    description=(data.get(f"criterion_{row}_description") or "").strip(),
                )
            )
        return criteria


class RubricForm(RubricRows):
    """A rubric of the class, on the rubrics page: its title and its criteria, each with levels
    (a name, points and a description). Editing a rubric starts from its criteria; one that work
    was scored on shows no criterion fields, and the page sends its title alone
    (``criteria_sent`` is false)."""

    service_fields = {"rubric_title": "title", "criteria": "criteria_count"}
    descriptions = True

    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    criteria_count = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    levels_count = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, rubric: Rubric | None = None, **kwargs: Any) -> None:
        criteria = _criteria_with_levels(rubric) if rubric is not None else []
        most_levels = max((len(levels) for _c, levels in criteria), default=0)
        kwargs["initial"] = {**_rubric_initial(rubric, criteria), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        #: The rubric's criteria as they are, their levels prefetched.
        self.stored_criteria = [criterion for criterion, _levels in criteria]
        self.criteria_sent = not self.is_bound or "criteria_count" in self.data
        self._add_criteria_fields(
            criteria=max(NEW_RUBRIC_CRITERIA, len(criteria)),
            most_criteria=max(MAX_CRITERIA, len(criteria)),
            levels=max(len(DEFAULT_LEVELS), most_levels),
            most_levels=max(MAX_LEVELS, most_levels),
        )
        # The rows of the rubric's criteria start with their levels, and no more.
        for row, (_criterion, levels) in enumerate(criteria, start=1):
            for level in range(len(levels) + 1, self._level_rows + 1):
                self.initial.setdefault(f"criterion_{row}_level_{level}", "")
                self.initial.setdefault(f"criterion_{row}_points_{level}", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.criteria_sent:
            return data
        for row in range(1, self._criteria_rows + 1):
            if not (data.get(f"criterion_{row}") or "").strip():
                if (data.get(f"criterion_{row}_description") or "").strip():
                    self.add_error(f"criterion_{row}", _("Give this criterion a title."))
                continue
            for level in range(1, self._level_rows + 1):
                named = (data.get(f"criterion_{row}_level_{level}") or "").strip()
                points = f"criterion_{row}_points_{level}"
                if named and data.get(points) is None and points not in self.errors:
                    self.add_error(points, _("Give this level points (0 or more)."))
                if not named and data.get(points) is not None:
                    self.add_error(f"criterion_{row}_level_{level}", _("Give this level a name."))
        return data

    def criteria(self) -> list[CriterionSpec] | None:
        """The criteria written, or ``None`` when the page sent the title alone."""
        return self.new_criteria() if self.criteria_sent else None


def _criteria_with_levels(
    rubric: Rubric,
) -> list[tuple[RubricCriterion, list[RubricLevel]]]:
    criteria = RubricCriterion.objects.filter(rubric=rubric).prefetch_related("levels")
    return [(criterion, list(criterion.levels.all())) for criterion in criteria]


def _rubric_initial(
    rubric: Rubric | None, criteria: list[tuple[RubricCriterion, list[RubricLevel]]]
) -> dict[str, Any]:
    """The edit form's starting values: the rubric's title, criteria and levels."""
    if rubric is None:
        return {}
    initial: dict[str, Any] = {"title": rubric.title}
    for row, (criterion, levels) in enumerate(criteria, start=1):
        initial[f"criterion_{row}"] = criterion.title
        initial[f"criterion_{row}_description"] = criterion.description
        for number, level in enumerate(levels, start=1):
            initial[f"criterion_{row}_level_{number}"] = level.title
            initial[f"criterion_{row}_points_{number}"] = level.points
            initial[f"criterion_{row}_description_{number}"] = level.description
    return initial
