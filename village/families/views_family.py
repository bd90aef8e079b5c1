"""The family's pages about one child: the child page and its printable one-page summary.

Guardians only, and only for a child whose link allows classwork: anyone else gets a 404, as if
the page did not exist. Opening either page is a view of the child's record and is audited once
(``policies.student_for_viewer``). Neither page marks feedback as seen: that happens when the
guardian opens the piece of work itself, so "new feedback" stays on the home page until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.grades import CourseGrade
from village.community import policies
from village.community.models import Scope
from village.families import selectors, starters

#: Starters on the child page and on the printed summary.
PAGE_STARTERS = 4
PRINT_STARTERS = 2
#: Lines per list on the printed summary, so that it fits one page.
PRINT_ROWS = 6
#: Pieces of feedback on the printed summary.
PRINT_FEEDBACK = 3
#: Weeks of grade history the sparkline draws.
SPARK_WEEKS = 10
#: The smallest range of percentages the sparkline's height stands for.
MIN_SPAN = Decimal(10)
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A small line chart of a course grade week by week, drawn as inline SVG."""

    points: str
    #: The newest week's point, where the line ends in a dot. Strings, so that the template
    #: never localises them ("93,0" is not an SVG coordinate).
    last_x: str
    last_y: str
    label: str
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(grade: CourseGrade | None) -> Sparkline | None:
    """The grade history as SVG coordinates with a text equivalent; needs two weeks or more."""
    if grade is None or len(grade.history) < 2:
        return None
    values = [value for _week, value in grade.history[-SPARK_WEEKS:]]
    low, high = min(values), max(values)
    if high - low < MIN_SPAN:  # a flat line for a steady grade, not magnified wiggles
        middle = (high + low) / 2
        low, high = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    pad = SPARK_PAD
    step = (SPARK_WIDTH - 2 * pad) / (len(values) - 1)
    coords = [
        (pad + index * step, pad + float((high - value) / (high - low)) * (SPARK_HEIGHT - 2 * pad))
        for index, value in enumerate(values)
    ]
    label = _("Grade week by week: %(values)s") % {
        "values": ", ".join(f"{value:.0f}%" for value in values)
    }
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=f"{coords[-1][0]:.1f}",
        last_y=f"{coords[-1][1]:.1f}",
        label=label,
    )


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _load(request: HttpRequest, student_id: int) -> selectors.ChildPage:
    """The child page's data, after the guardian check and one audit entry; else ``Http404``."""
    user = _viewer(request)
    child = selectors.family_child(user, student_id)
    policies.student_for_viewer(user, student_id, scope=Scope.CLASSWORK, request=request)
    return selectors.child_page(user, child)


def _context(page: selectors.ChildPage, *, starter_limit: int) -> dict[str, Any]:
    return {
        "page": page,
        "child": page.child,
        "classes": [(view, sparkline(view.grade)) for view in page.classes],
        "starters": starters.for_child_page(page, limit=starter_limit),
    }


@login_required
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    page = _load(request, student_id)
    return render(request, "families/child.html", _context(page, starter_limit=PAGE_STARTERS))


@login_required
def child_print(request: HttpRequest, student_id: int) -> HttpResponse:
    page = _load(request, student_id)
    context = _context(page, starter_limit=PRINT_STARTERS)
    context.update(
        missing=page.missing[:PRINT_ROWS],
        missing_more=max(len(page.missing) - PRINT_ROWS, 0),
        upcoming=page.upcoming[:PRINT_ROWS],
        upcoming_more=max(len(page.upcoming) - PRINT_ROWS, 0),
        feedback=page.recent_feedback[:PRINT_FEEDBACK],
        printed_at=timezone.localtime(page.now),
    )
    return render(request, "families/child_print.html", context)
