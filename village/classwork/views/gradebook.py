"""The gradebook page."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, get_format, localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from village.classwork import policies
from village.classwork.forms.gradebook import GradebookFilterForm
from village.classwork.grades import CourseGrade, Trend
from village.classwork.scores import points_text
from village.classwork.selectors import gradebook as gradebook_reads
from village.classwork.status import WorkStatus
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
        "grid": _grid(book),
        "headers": _column_headers(book, school_class),
        "form": form,
        "attention": attention,
        "manage": policies.teaches(user, school_class),
    }
    # The filter swaps only the results in with htmx; without JavaScript it loads the page.
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "_gradebook_results.html" if partial else "gradebook.html"
    response = render(request, f"classwork/teacher/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _grid(
    book: gradebook_reads.Gradebook,
) -> list[tuple[SafeString, SafeString, SafeString]]:
    """The HTML of each row: the student's header cell, their course grade, and their cells (a
    link to the grading page holding the score or a status badge).

    Built in Python rather than in the template: a 35-by-40 gradebook has 1,400 cells, and
    rendering each through template tags and filters would take most of the page's time. The
    links come from one reversed pattern; every text is escaped once, and the inside of the
    cells that look alike (a badge, or the same score) is built once.
    """
    pattern = reverse("classwork:grade", args=[1111111111, 2222222222])
    start, end = pattern.split("2222222222")
    starts = [
        '<td class="gb-cell"><a href="' + start.replace("1111111111", str(work.id))
        for work in book.columns
    ]
    html = _CellHtml()
    rows = []
    for row in book.rows:
        student = f'{row.student.id}{end}">'
        cells = "".join(
            [
                f"{begin}{student}{html.content(cell)}</a></td>"
                for begin, cell in zip(starts, row.cells, strict=True)
            ]
        )
        # Every part is escaped above or by the helpers.
        rows.append((html.student(row), html.grade(row.grade), mark_safe(cells)))  # noqa: S308
    return rows


def _column_headers(book: gradebook_reads.Gradebook, school_class: SchoolClass) -> SafeString:
    """The header cell of each assignment: its title (a link to its page), due day and points.
    In Python for the same reason as the cells."""
    pattern = reverse("classwork:assignment_manage", args=[school_class.pk, 1111111111])
    scheduled, no_due = escape(_("Scheduled")), escape(_("No due date"))
    due, out_of = _("Due %(day)s"), " · " + _("/%(points)s")
    separator = get_format("DECIMAL_SEPARATOR")
    headers = []
    for work in book.columns:
        if not work.published:
            when = scheduled
        elif work.due_at is not None:
            day = date_format(timezone.localtime(work.due_at), "MONTH_DAY_FORMAT")
            when = escape(due % {"day": day})
        else:
            when = no_due
        if work.points is not None:
            points = points_text(work.points).replace(".", separator)
            when += escape(out_of % {"points": points})
        headers.append(
            format_html(
                '<th scope="col" class="gb-work"><a href="{}">{}</a>'
                '<span class="gb-meta">{}</span></th>',
                pattern.replace("1111111111", str(work.id)),
                work.title,
                when,
            )
        )
    return mark_safe("".join(headers))  # noqa: S308 - each header is built by format_html


class _CellHtml:
    """The HTML of a gradebook row's parts, with the labels translated and escaped once.

    The student's and grade cells say what the template said before they moved here: the same
    messages to translate, with the same escaping."""

    def __init__(self) -> None:
        label = {
            "missing": _("Missing"),
            "late": _("Late"),
            "to_grade": _("To grade"),
            "excused": _("Excused"),
            "returned": _("Returned, no grade"),
            "not_yet_due": _("Not yet due"),
            "draft": _("draft"),
            "changes": _("changes not returned"),
        }
        self.label = {key: escape(text) for key, text in label.items()}
        self.separator = escape(get_format("DECIMAL_SEPARATOR"))
        self.built: dict[gradebook_reads.GradebookCell, str] = {}
        # Messages the template wrote with {% translate %}: trusted, as there. (Outside the
        # f-strings, where makemessages would not find them.)
        no_grade, low = _("no grade yet"), _("(low)")
        self.no_grade = (
            '<td class="gb-grade"><span class="muted">—</span>'
            f'<span class="visually-hidden">{no_grade}</span></td>'
        )
        self.low = f'<span class="visually-hidden"> {low}</span>'
        self.trend = {
            Trend.UP: ("gb-trend", "↑"),
            Trend.DOWN: ("gb-trend gb-trend-down", "↓"),
            Trend.STEADY: ("gb-trend", "→"),
        }

    def student(self, row: gradebook_reads.GradebookRow) -> SafeString:
        """The row's header: the student's name and how much of their work is missing."""
        missing = ""
        if row.missing:
            count = ngettext("%(counter)s missing", "%(counter)s missing", row.missing) % {
                "counter": escape(localize(row.missing))
            }
            missing = f' <span class="gb-count">{count}</span>'
        name = escape(row.student.name)
        return mark_safe(f'<th scope="row" class="gb-student">{name}{missing}</th>')  # noqa: S308

    def grade(self, grade: CourseGrade) -> SafeString:
        """The course grade, flagged when low, with its trend."""
        if grade.percent is None:
            return mark_safe(self.no_grade)  # noqa: S308 - see __init__
        low = grade.is_low
        parts = [
            '<td class="gb-grade"><span class="gb-low">' if low else '<td class="gb-grade"><span>',
            f"{floatformat(grade.percent, '1')}&nbsp;%</span>",
            self.low if low else "",
            " ",
        ]
        trend = self.trend.get(grade.trend)
        if trend is not None:
            kind, arrow = trend
            parts.append(
                f'<span class="{kind}" aria-hidden="true">{arrow}</span>'
                f'<span class="visually-hidden">{escape(grade.trend.label)}</span>'
            )
        parts.append("</td>")
        return mark_safe("".join(parts))  # noqa: S308 - escaped above, or digits

    def number(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        # Digits and the (escaped) decimal separator: nothing left to escape.
        return points_text(value).replace(".", self.separator)

    def badge(self, kind: str, key: str) -> str:
        return f'<span class="badge{kind}">{self.label[key]}</span>'

    def draft(self, cell: gradebook_reads.GradebookCell) -> str:
        if not cell.draft:
            return ""
        return (
            f' <span class="gb-draft">{self.number(cell.score)}*'
            f'<span class="visually-hidden"> ({self.label["draft"]})</span></span>'
        )

    def changes(self, cell: gradebook_reads.GradebookCell) -> str:
        """The mark of returned feedback whose changes the student does not see yet."""
        if not cell.changes:
            return ""
        return (
            '<span class="gb-draft" aria-hidden="true">*</span>'
            f'<span class="visually-hidden"> ({self.label["changes"]})</span>'
        )

    def content(self, cell: gradebook_reads.GradebookCell) -> str:
        """The cell's link text, built once for each distinct cell."""
        built = self.built.get(cell)
        if built is None:
            built = self.built[cell] = self.build(cell)
        return built

    def build(self, cell: gradebook_reads.GradebookCell) -> str:
        status = cell.status
        if status == WorkStatus.GRADED:
            if cell.score is None:
                shown = f'✓<span class="visually-hidden">{self.label["returned"]}</span>'
            else:
                shown = self.number(cell.score)
            return shown + self.changes(cell)
        if status == WorkStatus.MISSING:
            return self.badge(" badge-danger", "missing")
        if status == WorkStatus.LATE:
            return self.badge(" badge-warning", "late") + self.draft(cell)
        if status == WorkStatus.SUBMITTED:
            return self.badge(" badge-info", "to_grade") + self.draft(cell)
        if status == WorkStatus.EXCUSED:
            return self.badge("", "excused")
        return (
            '<span aria-hidden="true">·</span>'
            f'<span class="visually-hidden">{self.label["not_yet_due"]}</span>'
        )
