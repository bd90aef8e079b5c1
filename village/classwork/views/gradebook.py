"""The gradebook page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, get_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from village.classwork import policies, student_notes
from village.classwork.forms.gradebook import GradebookFilterForm
from village.classwork.grades import CourseGrade, Trend
from village.classwork.scores import points_text
from village.classwork.selectors import gradebook as gradebook_reads
from village.classwork.selectors.gradebook import Gradebook, GradebookCell, GradebookRow
from village.classwork.selectors.notes import class_notes, note_week
from village.classwork.student_notes import NoteGroup
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
    shown = [row.student.id for row in book.rows]
    audit_students(request, user, school_class, shown)
    manage = policies.teaches_class(user, school_class)
    grid = _grid(book, student_notes.notes_for(user, shown))
    if manage:  # the class's teachers write each student's note for the week
        grid = _with_notes(grid, book, school_class)
    context = {
        "school_class": school_class,
        "book": book,
        "headers": _headers(book, school_class),
        "grid": grid,
        "form": form,
        "attention": attention,
        "manage": manage,
        "notes": manage,
    }
    # The filter swaps only the results in with htmx; without JavaScript it loads the page.
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "_gradebook_results.html" if partial else "gradebook.html"
    response = render(request, f"classwork/teacher/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Row(NamedTuple):
    """A student's row, as HTML: their header, course grade, cells, and (for the class's
    teachers) this week's note."""

    student: SafeString
    grade: SafeString
    cells: SafeString
    note: SafeString = SafeString("")


class _Slots:
    """A template's output rendered once with a slot for each value that varies, then filled in
    as often as needed with the values, escaped here as the template would have.

    The gradebook writes 40 column headers, 35 rows and 1,400 cells: the template engine's loops
    over them took a quarter of the page's time, so the view fills these pieces in instead."""

    def __init__(
        self, template: str, context: Mapping[str, object], slots: tuple[str, ...]
    ) -> None:
        # Characters the templates never write, and escaping leaves as they are.
        marks = {chr(n + 1): name for n, name in enumerate(slots)}
        values = {name: mark for mark, name in marks.items()}
        html = get_template(f"classwork/teacher/{template}").render({**context, **values})
        parts = re.split(f"([{''.join(marks)}])", html.rstrip("\n"))
        self.first = parts[0]
        self.then = [
            (marks[mark], text) for mark, text in zip(parts[1::2], parts[2::2], strict=True)
        ]

    def fill(self, values: Mapping[str, str]) -> SafeString:
        html = self.first + "".join(
            [conditional_escape(values[name]) + text for name, text in self.then]
        )
        return mark_safe(html)  # noqa: S308 - the template's output, with values escaped above


def _number(value: Decimal, separator: str) -> str:
    return points_text(value).replace(".", separator)


def _headers(book: Gradebook, school_class: SchoolClass) -> SafeString:
    """Each assignment's header: its title (a link to its page), due day and points, from
    ``_gradebook_column.html``."""
    pattern = reverse("classwork:assignment_manage", args=[school_class.pk, 1111111111])
    scheduled, no_due = _("Scheduled"), _("No due date")
    due, out_of = _("Due %(day)s"), " · " + _("/%(points)s")
    separator = get_format("DECIMAL_SEPARATOR")
    column = _Slots("_gradebook_column.html", {}, ("href", "title", "when"))
    headers = []
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
        headers.append(column.fill({"href": href, "title": work.title, "when": when}))
    return mark_safe("".join(headers))  # noqa: S308 - each filled in by _Slots


def _grid(book: Gradebook, notes: Mapping[int, list[NoteGroup]]) -> list[_Row]:
    """Each student's row, written here from pieces the templates render once, with the
    student's ``notes`` from other apps. The cells' links come from one reversed pattern,
    escaped once, and hold only digits besides it."""
    pattern = reverse("classwork:grade", args=[1111111111, 2222222222])
    start, end = escape(pattern).split("2222222222")
    starts = [start.replace("1111111111", str(work.id)) for work in book.columns]
    student, grade, cell = _Students(notes), _Grades(), _Cells()
    rows = []
    for row in book.rows:
        link = f"{row.student.id}{end}"
        around = map(cell.__getitem__, row.cells)
        cells = "".join(
            [
                f"{before}{begin}{link}{after}"
                for begin, (before, after) in zip(starts, around, strict=True)
            ]
        )
        # The template's output around links escaped above, with digits added.
        rows.append(_Row(student(row), grade(row.grade), mark_safe(cells)))  # noqa: S308
    return rows


def _with_notes(grid: list[_Row], book: Gradebook, school_class: SchoolClass) -> list[_Row]:
    """Each row with the student's note for this week: a link that opens its one-line form
    (one query for the class's notes)."""
    notes = class_notes(school_class, note_week())
    pattern = reverse("classwork:weekly_note", args=[school_class.pk, 2222222222])
    slots = ("student", "href", "name", "text")
    written = _Slots("_gradebook_note.html", {"has_note": True}, slots)
    empty = _Slots("_gradebook_note.html", {"has_note": False}, slots)
    rows = []
    for row, html in zip(book.rows, grid, strict=True):
        text = notes.get(row.student.id, "")
        values = {
            "student": str(row.student.id),
            "href": pattern.replace("2222222222", str(row.student.id)),
            "name": row.student.name,
            "text": text,
        }
        rows.append(html._replace(note=(written if text else empty).fill(values)))
    return rows


class _Students:
    """Each row's header, the student's name and how much of their work is missing: rendered
    from ``_gradebook_student.html`` once for each number missing; with the student's notes
    from other apps (accommodations), rendered for each student who has some."""

    def __init__(self, notes: Mapping[int, list[NoteGroup]]) -> None:
        self.rendered: dict[int, _Slots] = {}
        self.notes = notes

    def __call__(self, row: GradebookRow) -> SafeString:
        found = self.rendered.get(row.missing)
        if found is None:
            slots = _Slots("_gradebook_student.html", {"missing": row.missing}, ("name", "notes"))
            found = self.rendered[row.missing] = slots
        groups = self.notes.get(row.student.id)
        marked = (
            render_to_string(
                "classwork/teacher/_notes_mark.html", {"groups": groups, "name": row.student.name}
            )
            if groups
            else ""
        )
        return found.fill({"name": row.student.name, "notes": marked})


class _Grades:
    """Each student's course grade: rendered from ``_gradebook_grade.html`` once for each kind of
    grade (none yet, or low or not, with its trend), with the percentage filled in."""

    def __init__(self) -> None:
        self.rendered: dict[tuple[bool, bool, Trend], _Slots] = {}

    def __call__(self, grade: CourseGrade) -> SafeString:
        kind = (grade.percent is None, grade.is_low, grade.trend)
        found = self.rendered.get(kind)
        if found is None:
            slots = _Slots("_gradebook_grade.html", {"grade": grade}, ("percent",))
            found = self.rendered[kind] = slots
        percent = "" if grade.percent is None else floatformat(grade.percent, "1")
        return found.fill({"percent": percent})


#: Where ``_Cells`` cuts a cell in two, around its link (not a ``_Slots`` mark).
_LINK = "\x00"


class _Cells(dict[GradebookCell, tuple[str, str]]):
    """The HTML of each distinct cell before and after its link, looked up as in a dict (the
    quickest lookup for 1,400 cells): rendered from ``_gradebook_cell.html`` once for each kind
    of cell (its status, whether it has a score, is a draft, has changes), with the score filled
    in."""

    def __init__(self) -> None:
        super().__init__()
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.kinds: dict[tuple[str, bool, bool, bool], _Slots] = {}

    def __missing__(self, cell: GradebookCell) -> tuple[str, str]:
        kind = (cell.status, cell.score is None, cell.draft, cell.changes)
        slots = self.kinds.get(kind)
        if slots is None:
            context = {"cell": cell, "href": _LINK}
            slots = self.kinds[kind] = _Slots("_gradebook_cell.html", context, ("score",))
        score = "" if cell.score is None else _number(cell.score, self.separator)
        # The template writes the link once (unpacking fails otherwise).
        before, after = slots.fill({"score": score}).split(_LINK)
        self[cell] = (before, after)
        return before, after
