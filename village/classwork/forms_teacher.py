"""Forms of the teacher's classwork pages: parse and check input; services write.

Dates and times are read in the teacher's own time zone (the request activates it). Every form
shows a service's ``ValidationError`` on the field it names (``add_service_errors``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from village.classwork import services
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    GradingCategory,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Topic,
)
from village.community.models import SchoolClass
from village.core.text import single_line

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
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
NEW_LINKS = 2
NEW_FILES = 2


def datetime_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.Field:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def date_field(label: StrOrPromise) -> forms.Field:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ServiceErrorsMixin:
    """Show a service's field errors on the form's fields (renamed through ``service_fields``);
    errors about fields the form lacks go to the top of the form."""

    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            target = self.service_fields.get(name, name)
            form.add_error(target if target in form.fields else None, messages)


def _class_choices(field: forms.Field, queryset: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- topics, categories, events ----------------------------------------------------------


class TopicForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    summary = forms.CharField(
        label=_("What the class studies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences for students and families."),
    )
    starts_on = date_field(_("Starts"))
    ends_on = date_field(_("Ends"))


class CategoryRowForm(forms.Form):
    category_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Category"), max_length=100, required=False, validators=[single_line]
    )
    weight = forms.DecimalField(
        label=_("Weight (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    delete = forms.BooleanField(label=_("Delete"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and data.get("weight") is None and not data.get("delete"):
            self.add_error("weight", _("Give this category a weight (0 to 100)."))
        return data

    def change(self) -> services.CategoryChange | None:
        """The change this row asks for; ``None`` for an empty new row."""
        data = self.cleaned_data
        if not data.get("name") and data.get("category_id") is None:
            return None
        return services.CategoryChange(
            category_id=data.get("category_id"),
            name=data.get("name") or "",
            weight=data.get("weight") or Decimal(0),
            delete=bool(data.get("delete")),
        )


CategoryFormSet = forms.formset_factory(CategoryRowForm, extra=2, max_num=30)


def category_formset(
    school_class: SchoolClass, data: Any = None
) -> forms.BaseFormSet[CategoryRowForm]:
    initial = [
        {"category_id": c.pk, "name": c.name, "weight": c.weight}
        for c in GradingCategory.objects.filter(school_class=school_class)
    ]
    return CategoryFormSet(data, initial=initial, prefix="categories")


class EventForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(
        _("Ends"), required=False, help_text=_("Leave empty for an hour-long event.")
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    location = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[single_line]
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visible_to_families = forms.BooleanField(
        label=_("Families see it"), required=False, initial=True
    )


def event_initial(event: ClassEvent) -> dict[str, Any]:
    """The edit form's starting values."""
    return {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
        "location": event.location,
        "description": event.description,
        "visible_to_families": event.visible_to_families,
    }


# --- rubrics --------------------------------------------------------------------------------


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

    def new_criteria(self) -> list[services.CriterionSpec]:
        """The criteria written, in order; their levels in order (best first)."""
        data = self.cleaned_data
        criteria = []
        for row in range(1, self._criteria_rows + 1):
            title = (data.get(f"criterion_{row}") or "").strip()
            if not title:
                continue
            levels = [
                services.LevelSpec(
                    title=level_title.strip(),
                    points=points,
                    description=(data.get(f"criterion_{row}_description_{level}") or "").strip(),
                )
                for level in range(1, self._level_rows + 1)
                if (level_title := data.get(f"criterion_{row}_level_{level}") or "").strip()
                and (points := data.get(f"criterion_{row}_points_{level}")) is not None
            ]
            criteria.append(
                services.CriterionSpec(
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

    def criteria(self) -> list[services.CriterionSpec] | None:
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


# --- assignments -----------------------------------------------------------------------------


GRADING_CHOICES = [
    ("points", _("Points")),
    ("rubric", _("A rubric of this class")),
    ("new_rubric", _("A new rubric")),
]


class AssignmentForm(RubricRows):
    """Post or edit work. A new rubric is written in rows: a title per criterion and up to four
    levels, each with points. Rows left empty are ignored."""

    service_fields = {"criteria": "criteria_count", "url": "link_url_1", "file": "file_1"}

    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "data-format-toolbar": "",
                "data-format-label": _("Formatting"),
                "data-format-bold": _("Bold"),
                "data-format-italic": _("Italic"),
                "data-format-bullets": _("Bulleted list"),
                "data-format-numbers": _("Numbered list"),
                "data-format-link": _("Link"),
                "data-format-sample": _("text"),
                "data-format-link-text": _("link text"),
            }
        ),
        help_text=_(
            "Type as you would write: a blank line starts a new paragraph and web addresses "
            "become links. For formatting, write **bold**, *italic*, a line starting with "
            "“- ” for a bulleted list or “1. ” for a numbered one, and [text](https://…) for "
            "a link; the buttons above the box write these for you."
        ),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("None")
    )
    category = forms.ModelChoiceField(
        label=_("Grading category"),
        queryset=GradingCategory.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    assign_at = datetime_field(
        _("Assign on"), help_text=_("Students and families see the work from then on.")
    )
    due_at = datetime_field(_("Due"), required=False)
    grading = forms.ChoiceField(
        label=_("Graded with"),
        choices=GRADING_CHOICES,
        initial="points",
        widget=forms.RadioSelect,
    )
    points = forms.DecimalField(
        label=_("Points"),
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        help_text=_("Leave empty for work that gets a comment but no grade."),
    )
    rubric = forms.ModelChoiceField(
        label=_("Rubric"), queryset=Rubric.objects.none(), required=False, empty_label=None
    )
    rubric_title = forms.CharField(
        label=_("Title of the new rubric"), required=False, validators=[single_line]
    )
    criteria_count = forms.IntegerField(
        min_value=1, max_value=MAX_CRITERIA, initial=NEW_RUBRIC_CRITERIA, widget=forms.HiddenInput
    )
    visible_to_families = forms.BooleanField(
        label=_("Families see it"),
        required=False,
        initial=True,
        help_text=_("Guardians see the work, its due date and your feedback."),
    )
    remove_materials = forms.ModelMultipleChoiceField(
        label=_("Remove"),
        queryset=AssignmentMaterial.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        school_class: SchoolClass,
        assignment: Assignment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.school_class = school_class
        self.assignment = assignment
        _class_choices(self.fields["topic"], Topic.objects.filter(school_class=school_class))
        _class_choices(
            self.fields["category"], GradingCategory.objects.filter(school_class=school_class)
        )
        _class_choices(self.fields["rubric"], Rubric.objects.filter(school_class=school_class))
        if assignment is not None:
            _class_choices(self.fields["remove_materials"], assignment.materials.all())
        else:
            del self.fields["remove_materials"]
        self._add_criteria_fields()
        self._add_material_fields()

    # -- new materials

    def _add_material_fields(self) -> None:
        for row in range(1, NEW_LINKS + 1):
            self.fields[f"link_title_{row}"] = forms.CharField(
                label=_("Link %(number)d: title") % {"number": row},
                required=False,
                max_length=200,
                validators=[single_line],
            )
            self.fields[f"link_url_{row}"] = forms.URLField(
                label=_("Link %(number)d: address") % {"number": row},
                required=False,
                max_length=1000,
                assume_scheme="https",
            )
        for row in range(1, NEW_FILES + 1):
            self.fields[f"file_{row}"] = forms.FileField(
                label=_("File %(number)d") % {"number": row},
                required=False,
                help_text=_("Up to 20 MB: documents, slides, sheets, pictures, sound or video."),
            )

    def link_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"link_title_{row}"], self[f"link_url_{row}"]) for row in range(1, NEW_LINKS + 1)
        ]

    def file_fields(self) -> list[forms.BoundField]:
        return [self[f"file_{row}"] for row in range(1, NEW_FILES + 1)]

    # -- checks

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grading = data.get("grading")
        if grading == "rubric" and data.get("rubric") is None:
            self.add_error("rubric", _("Choose a rubric, or grade with points."))
        if grading == "new_rubric":
            if not (data.get("rubric_title") or "").strip():
                self.add_error("rubric_title", _("Give the new rubric a title."))
            if not self.new_criteria():
                self.add_error(
                    "criteria_count", _("Write at least one criterion, with levels and points.")
                )
        for row in range(1, NEW_LINKS + 1):
            if data.get(f"link_title_{row}") and not data.get(f"link_url_{row}"):
                self.add_error(f"link_url_{row}", _("Enter the link's address."))
        return data

    def clean_file_1(self) -> UploadedFile | None:
        return self._clean_file("file_1")

    def clean_file_2(self) -> UploadedFile | None:
        return self._clean_file("file_2")

    def _clean_file(self, name: str) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get(name)
        if upload is not None:
            try:
                services.check_material_file(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from error
        return upload

    # -- what the services take

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        grading = data["grading"]
        return {
            "title": data["title"],
            "instructions": data.get("instructions") or "",
            "topic": data.get("topic"),
            "category": data.get("category"),
            "rubric": data.get("rubric") if grading == "rubric" else None,
            "points": data.get("points") if grading == "points" else None,
            "assign_at": data["assign_at"],
            "due_at": data.get("due_at"),
            "visible_to_families": bool(data.get("visible_to_families")),
        }

    def new_rubric(self) -> services.RubricSpec | None:
        if self.cleaned_data.get("grading") != "new_rubric":
            return None
        return services.RubricSpec(
            title=self.cleaned_data.get("rubric_title") or "", criteria=self.new_criteria()
        )

    def new_materials(self) -> list[services.MaterialSpec]:
        data = self.cleaned_data
        links = [
            services.MaterialSpec(title=data.get(f"link_title_{row}") or "", url=url)
            for row in range(1, NEW_LINKS + 1)
            if (url := data.get(f"link_url_{row}"))
        ]
        files = [
            services.MaterialSpec(file=upload)
            for row in range(1, NEW_FILES + 1)
            if (upload := data.get(f"file_{row}")) is not None
        ]
        return links + files

    def removed_materials(self) -> list[int]:
        return [material.pk for material in self.cleaned_data.get("remove_materials") or []]


def assignment_initial(assignment: Assignment) -> dict[str, Any]:
    """The edit form's starting values."""
    grading = "rubric" if assignment.rubric_id else "points"
    return {
        "title": assignment.title,
        "instructions": assignment.instructions_source or assignment.instructions,
        "topic": assignment.topic_id,
        "category": assignment.category_id,
        "assign_at": assignment.assign_at,
        "due_at": assignment.due_at,
        "grading": grading,
        "points": assignment.points if not assignment.rubric_id else None,
        "rubric": assignment.rubric_id,
        "visible_to_families": assignment.visible_to_families,
    }


# --- feedback --------------------------------------------------------------------------------


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
            score.help_text = _("Out of %(points)s.") % {"points": services.points_text(points)}
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
    label = format_html("{} ({})", level.title, services.points_text(level.points))
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
        "score": None if score is None else services.points_text(score),
        "comment": comment,
        "excused": excused,
    }
    initial.update({f"criterion_{criterion}": level for criterion, level in levels.items()})
    return initial


class GradebookFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Every student")),
            ("attention", _("Students with missing or late work")),
        ],
    )
