"""The gradebook page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from village.classwork import policies
from village.classwork.forms.gradebook import GradebookFilterForm
from village.classwork.grades import CourseGrade
from village.classwork.scores import points_text
from village.classwork.selectors import gradebook as gradebook_reads
from village.classwork.selectors.gradebook import Gradebook, GradebookCell
from village.classwork.views.common import audit_students, viewer
from village.community.models import SchoolClass


@login_required
@require_GET
def gradebook(request: HttpRequest, class_id: int) -> HttpResponse:
    user = viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    form = GradebookFilterForm(request.GET or None)
    attention = form.is_valid() and form.cleaned_data.get("show") == "attention"
    book = gradebook_reads.gradebook(
        school_class,
        now=timezone.now(),
        tz=timezone.get_current_timezone(),
        attention_only=attention,
    )
    audit_students(request, user, school_class, [row.student.id for row in book.rows])
    context = {
        "school_class": school_class,
        "book": book,
        "columns": _columns(book, school_class),
        "grid": _grid(book),
        "form": form,
        "attention": attention,
        "manage": policies.teaches_class(user, school_class),
    }
    # The filter swaps only the results in with htmx; without JavaScript it loads the page.
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "_gradebook_results.html" if partial else "gradebook.html"
    response = render(request, f"classwork/teacher/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True, slots=True)
class _Column:
    """An assignment's header: its page, title, and when it is due with its points (text)."""

    href: str
    title: str
    when: str


@dataclass(frozen=True, slots=True)
class _Row:
    """A student's row: each cell's link to the grading page (``href``) and ``content``."""

    name: str
    missing: int
    grade: CourseGrade
    cells: list[dict[str, SafeString]]


def _number(value: Decimal, separator: str) -> str:
    return points_text(value).replace(".", separator)


def _columns(book: Gradebook, school_class: SchoolClass) -> list[_Column]:
    pattern = reverse("classwork:assignment_manage", args=[school_class.pk, 1111111111])
    scheduled, no_due = _("Scheduled"), _("No due date")
    due, out_of = _("Due %(day)s"), " · " + _("/%(points)s")
    separator = get_format("DECIMAL_SEPARATOR")
    columns = []
    for work in book.columns:
        if not work.published:
            when = scheduled
        elif work.due_at is not None:
            when = due % {"day": date_format(timezone.localtime(work.due_at), "MONTH_DAY_FORMAT")}
        else:
            when = no_due
        if work.points is not None:
            when += out_of % {"points": _number(work.points, separator)}
        href = pattern.replace("1111111111", str(work.id))
        columns.append(_Column(href=href, title=work.title, when=when))
    return columns


def _grid(book: Gradebook) -> list[_Row]:
    """Each student's row, with every cell's link and content worked out here: a 35-by-40
    gradebook has 1,400 cells, so the template's loop over them only writes out two strings per
    cell, read from a dict (the quickest lookup for a template). Cells that look alike share
    their content, rendered once from ``_gradebook_cell.html``; the links come from one reversed
    pattern, and hold only digits besides it."""
    pattern = reverse("classwork:grade", args=[1111111111, 2222222222])
    start, end = pattern.split("2222222222")
    starts = [start.replace("1111111111", str(work.id)) for work in book.columns]
    content = _CellContent()
    rows = []
    for row in book.rows:
        student = f"{row.student.id}{end}"
        cells = [
            {"href": SafeString(begin + student), "content": content(cell)}
            for begin, cell in zip(starts, row.cells, strict=True)
        ]
        rows.append(_Row(row.student.name, row.missing, row.grade, cells))
    return rows


class _CellContent:
    """The content of a gradebook cell, rendered once for each distinct cell."""

    def __init__(self) -> None:
        self.template = get_template("classwork/teacher/_gradebook_cell.html")
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.rendered: dict[GradebookCell, SafeString] = {}

    def __call__(self, cell: GradebookCell) -> SafeString:
        found = self.rendered.get(cell)
        if found is None:
            score = "" if cell.score is None else _number(cell.score, self.separator)
            html = self.template.render({"cell": cell, "score": score})
            # The template's own output, escaped there; only its last line break is cut.
            found = self.rendered[cell] = mark_safe(html.rstrip("\n"))  # noqa: S308
        return found
