"""The teacher's class overview of a goal set (``staff/sets/<id>/overview/``): the class's
students x the set's goals, as a picture or (``?view=table``) a table, filtered by state and
group (htmx swaps the results; without JavaScript the filters load the page); ``…/print/`` to
print it. A phone gets the summary and the picture first (the filters behind a disclosure), a
picture drawn for its width and a table that reflows (``goals/overview.css``).

Staff of the class and admins of its school see it; anyone else gets a 404. Every student
shown is audited: one entry per student, in one insert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from village.accounts.models import User
from village.goals import pictures, policies
from village.goals.forms.teacher import VIEW_TABLE, OverviewFilterForm
from village.goals.models import GoalSet
from village.goals.overview_picture import (
    overview_picture,
    overview_shown,
    overview_summary,
    overview_width,
    plan_note,
)
from village.goals.progress import GoalState
from village.goals.selectors.overview import Overview, Row, class_overview
from village.goals.views.common import htmx, state_key, students_shown, viewer

TEMPLATES = "goals/staff/review"


def _overview(request: HttpRequest, goal_set: GoalSet) -> tuple[Overview, OverviewFilterForm, str]:
    whole = class_overview(goal_set)
    groups = [(band.group_id, band.title) for band in whole.bands]
    form = OverviewFilterForm(request.GET, groups=groups)
    state, group_id, view = form.chosen()
    return whole.filtered(state=state, group_id=group_id), form, view


def _audit_overview(request: HttpRequest, user: User, shown: Overview) -> None:
    school = shown.goal_set.school_class.school_id
    rows = [*shown.rows, *shown.not_chosen_yet]
    students_shown(request, user, [(row.student_id, school) for row in rows])


@login_required
@require_safe
def overview(request: HttpRequest, set_id: int) -> HttpResponse:
    """The class on the set, as a picture or a table; the filters swap in the results only
    (htmx), or load the page without JavaScript."""
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    shown, form, view = _overview(request, goal_set)
    _audit_overview(request, user, shown)
    context = _overview_context(shown, form, view)
    partial = htmx(request)
    template = "_overview_results.html" if partial else "overview.html"
    response = render(request, f"{TEMPLATES}/{template}", {**context, "partial": partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _overview_context(
    shown: Overview, form: OverviewFilterForm, view: str, *, fit: bool = False
) -> dict[str, object]:
    """``fit``: the printout's context (one picture, sized to the page)."""
    table = view == VIEW_TABLE
    summary = overview_summary(shown)
    counts = shown.counts()
    key = state_key()
    return {
        "goal_set": shown.goal_set,
        "school_class": shown.goal_set.school_class,
        "overview": shown,
        "form": form,
        "table": table,
        "picture": None if table else overview_picture(shown, fit=fit, desc=summary),
        "phone_picture": None if table or fit else _phone_picture(shown, summary),
        "wide_from": _wide_from(shown),
        "rows": _table_rows(shown) if table else [],
        "marks": pictures.state_marks() if table else "",
        "summary": summary,
        "shown_line": overview_shown(shown),
        "students": [] if table else _student_lines(shown.rows),
        "waiting": _student_lines(shown.not_chosen_yet, counts=False),
        "key": [(icon, label) for _state, icon, label in key],
        "counted_key": [(icon, label, counts[state]) for state, icon, label in key],
        "chosen_filters": _chosen_filters(shown),
        "query": form.query(),
        "filtered": shown.state is not None or shown.group_id is not None,
        "few_goals": len(shown.columns) <= PHONE_GOALS,
    }


#: Up to this many goals, a phone shows the table as a table; with more, each student is a card.
PHONE_GOALS = 10
#: How wide the wide picture may be to show from 40rem on (the page's width there, less its
#: margins); a wider one shows from 64rem, the phone's until then.
PHONE_PICTURE_WIDTH = 590


def _phone_picture(shown: Overview, summary: str) -> SafeString:
    return overview_picture(shown, id_prefix="overview-phone", desc=summary, narrow=True)


def _wide_from(shown: Overview) -> str:
    """Where the wide picture takes over from the phone's: at 40rem when it fits there, else
    at 64rem."""
    fits = overview_width(len(shown.columns)) <= PHONE_PICTURE_WIDTH
    return "40" if fits else "64"


def _chosen_filters(shown: Overview) -> list[str]:
    """The filters as chosen, in the form's words (the closed filters' disclosure says them)."""
    state = str(shown.state.label) if shown.state is not None else _("Any state")
    groups = [band.title for band in shown.bands if band.group_id == shown.group_id]
    return [state, groups[0] if groups else _("Every group")]


@login_required
@require_safe
def overview_print(request: HttpRequest, set_id: int) -> HttpResponse:
    user = viewer(request)
    goal_set = policies.goal_set_for_staff(user, set_id)
    shown, form, _view = _overview(request, goal_set)
    _audit_overview(request, user, shown)
    context = {
        **_overview_context(shown, form, "picture", fit=True),
        "printed_at": timezone.localtime(),
    }
    return render(request, f"{TEMPLATES}/overview_print.html", context)


def _plan_href() -> Callable[[int | None], str]:
    """A student's plan page from its id (one reversed pattern for all of them)."""
    pattern = reverse("goals:staff_plan", args=[1111111111])
    return lambda plan_id: "" if plan_id is None else pattern.replace("1111111111", str(plan_id))


def _student_lines(rows: Iterable[Row], *, counts: bool = True) -> list[dict[str, str]]:
    """Each student, a link to their plan, and how many of their goals are in each state (the
    picture's rows in words)."""
    order = [GoalState.MET, GoalState.ASKED, GoalState.STALLED, GoalState.IN_PROGRESS]
    labels = {state: str(state.label) for state in order}
    href = _plan_href()
    lines = []
    for row in rows:
        found = Counter(row.states) if counts else Counter()
        words = " · ".join(f"{labels[s]}: {found[s]}" for s in order if found[s])
        lines.append(
            {
                "name": row.name,
                "href": href(row.plan_id),
                "note": plan_note(row),
                "counts": words,
            }
        )
    return lines


def _table_rows(shown: Overview) -> list[SafeString]:
    """The table's rows, written here: each distinct cell (one per state) is rendered once
    from ``_overview_cell.html`` and repeated (35 students x 30 goals are 1,050 cells), with
    its goal's number put in (a phone shows it beside the mark when each student is a card)."""
    cells = {
        state: render_to_string(
            f"{TEMPLATES}/_overview_cell.html",
            {
                "icon": pictures.state_mark(state),
                "label": state.label,
                "state": state.value,
                "number": NUMBER,
            },
        ).strip()
        for state in GoalState
    }
    numbers = [str(column.number) for column in shown.columns]
    href = _plan_href()
    rows = []
    for row in shown.rows:
        note = plan_note(row)
        name = (
            format_html('<a href="{}">{}</a>', href(row.plan_id), row.name)
            if row.plan_id is not None
            else format_html("{}", row.name)
        )
        if note:
            name = format_html('{} <span class="muted">({})</span>', name, note)
        header = format_html('<th scope="row" class="gb-student">{}</th>', name)
        # Cells are the template's own output, rendered above with nothing from the row, and
        # numbers.
        written = "".join(
            cells[state].replace(NUMBER, number)
            for state, number in zip(row.states, numbers, strict=True)
        )
        rows.append(mark_safe(header + written))  # noqa: S308
    return rows


#: Where a table cell's goal number goes (digits only, so nothing to escape).
NUMBER = "0000000000"


urlpatterns: list[URLPattern] = [
    path("staff/sets/<int:set_id>/overview/", overview, name="overview"),
    path("staff/sets/<int:set_id>/overview/print/", overview_print, name="overview_print"),
]
