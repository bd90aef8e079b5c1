"""The grading categories of a class, as a formset."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from village.classwork.models import (
    GradingCategory,
)
from village.classwork.services.categories import CategoryChange
from village.community.models import SchoolClass
from village.core.text import single_line


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

    def change(self) -> CategoryChange | None:
        """The change this row asks for; ``None`` for an empty new row."""
        data = self.cleaned_data
        if not data.get("name") and data.get("category_id") is None:
            return None
        return CategoryChange(
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
