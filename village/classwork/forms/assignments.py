"""The form to post or change work: instructions, dates, grading (points or a rubric) and
materials."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import class_choices, datetime_field
from village.classwork.forms.rubrics import MAX_CRITERIA, NEW_RUBRIC_CRITERIA, RubricRows
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    GradingCategory,
    Rubric,
    Topic,
)
from village.classwork.services.materials import MaterialSpec, check_material_file
from village.classwork.services.rubrics import RubricSpec
from village.community.models import SchoolClass
from village.core.text import single_line

NEW_LINKS = 2
NEW_FILES = 2


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
        class_choices(self.fields["topic"], Topic.objects.filter(school_class=school_class))
        class_choices(
            self.fields["category"], GradingCategory.objects.filter(school_class=school_class)
        )
        class_choices(self.fields["rubric"], Rubric.objects.filter(school_class=school_class))
        if assignment is not None:
            class_choices(self.fields["remove_materials"], assignment.materials.all())
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
                check_material_file(upload)
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

    def new_rubric(self) -> RubricSpec | None:
        if self.cleaned_data.get("grading") != "new_rubric":
            return None
        return RubricSpec(
            title=self.cleaned_data.get("rubric_title") or "", criteria=self.new_criteria()
        )

    def new_materials(self) -> list[MaterialSpec]:
        data = self.cleaned_data
        links = [
            MaterialSpec(title=data.get(f"link_title_{row}") or "", url=url)
            for row in range(1, NEW_LINKS + 1)
            if (url := data.get(f"link_url_{row}"))
        ]
        files = [
            MaterialSpec(file=upload)
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
