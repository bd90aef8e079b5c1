"""The class overview on a phone: the dates spelled out as on the other goals pages, the
filters behind a disclosure that says what is chosen, a picture drawn for a narrow page (ten
goals side by side at most, the rest in blocks below), and a table whose cells carry their
goal's number for the cards a phone shows when the goals are many."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from tests.authorization import client_for
from village.goals.models import GoalSet, Plan, PlanState
from village.goals.overview_picture import NARROW, overview_picture
from village.goals.progress import GoalState
from village.goals.selectors.overview import Band, Column, Overview, Row
from village.goals.tests.conftest import Goals
from village.goals.tests.test_overview import more_students

HTMX = {"HX-Request": "true"}


def _path(plan: Plan, query: str = "") -> str:
    return f"/goals/staff/sets/{plan.goal_set_id}/overview/{query}"


def _page(goals: Goals, path: str, **headers: str) -> str:
    return client_for(goals.people.rivera).get(path, headers=headers).content.decode()


def _class(
    goals_count: int, students: int, *, plan_state: str | None = PlanState.APPROVED
) -> Overview:
    columns = tuple(
        Column(goal_id=i + 1, number=i + 1, title=f"Goal {i + 1}", group_id=1, core=True)
        for i in range(goals_count)
    )
    state = GoalState.CHOSEN if plan_state else GoalState.NOT_CHOSEN
    rows = tuple(
        Row(i + 1, f"Student Number {i + 1} Longname", i + 1, plan_state, (state,) * goals_count)
        for i in range(students)
    )
    return Overview(
        goal_set=GoalSet(title="Weather"),
        today=dt.date(2026, 11, 3),
        bands=(Band(1, "Observing weather", columns),),
        rows=rows,
        students=students,
    )


# --- the dates ----------------------------------------------------------------------------------


def test_the_overview_spells_its_dates_out_like_the_other_goals_pages(
    goals: Goals, ada: Plan
) -> None:
    GoalSet.objects.filter(pk=ada.goal_set_id).update(
        opens_on=dt.date(2026, 11, 3), closes_on=dt.date(2027, 1, 15)
    )
    html = _page(goals, _path(ada))
    assert "Nov. 3, 2026 to Jan. 15, 2027" in html
    for numeric in ("2026-11-03", "11/03/2026", "11/3/2026", "2027-01-15"):
        assert numeric not in html


def test_the_overview_spells_its_dates_out_in_spanish(goals: Goals, ada: Plan) -> None:
    GoalSet.objects.filter(pk=ada.goal_set_id).update(
        opens_on=dt.date(2026, 11, 3), closes_on=dt.date(2027, 1, 15)
    )
    rivera = goals.people.rivera
    rivera.preferred_language = "es"
    rivera.save(update_fields=["preferred_language"])
    html = _page(goals, _path(ada))
    assert "3 de noviembre de 2026" in html
    assert "15 de enero de 2027" in html


# --- the filters' disclosure ----------------------------------------------------------------------


def test_the_filters_wait_closed_behind_a_disclosure_that_says_what_is_chosen(
    goals: Goals, ada: Plan
) -> None:
    html = _page(goals, _path(ada))
    assert '<details class="overview-filters">' in html
    assert re.search(r'id="overview-filters-now"[^>]*>Any state · Every group<', html)
    # Without JavaScript the form still loads the page.
    assert re.search(r'<form method="get"[^>]*role="search"', html)


def test_a_filter_applied_keeps_the_disclosure_open_and_says_it(goals: Goals, ada: Plan) -> None:
    water = goals.weather.groups["water"].pk
    html = _page(goals, _path(ada, f"?state=asked&group={water}"))
    assert '<details class="overview-filters" open>' in html
    assert re.search(r'id="overview-filters-now"[^>]*>Asked for feedback · The water cycle<', html)


def test_the_results_swapped_in_update_what_the_closed_filters_say(goals: Goals, ada: Plan) -> None:
    html = _page(goals, _path(ada, "?state=asked"), **HTMX)
    assert "<details" not in html
    assert re.search(
        r'<span id="overview-filters-now"[^>]*hx-swap-oob="true">Asked for feedback · Every group<',
        html,
    )


# --- the summary first --------------------------------------------------------------------------


def test_the_summary_and_the_picture_come_before_the_lists(goals: Goals, ada: Plan) -> None:
    html = _page(goals, _path(ada))
    order = [
        html.index('id="grid-summary"'),
        html.index('id="grid-key"'),
        html.index('class="overview-pictures'),
        html.index('id="goals-heading"'),
        html.index('id="waiting-heading"'),
        html.index('id="students-heading"'),
    ]
    assert order == sorted(order)
    assert "2 of 2 students shown, 10 goals." in html
    assert re.search(r"Not chosen: <strong>\d+</strong>", html)  # the key with each count


# --- the phone's picture ------------------------------------------------------------------------


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def test_the_phone_picture_fits_a_phone_with_ten_goals_side_by_side() -> None:
    svg = _svg(overview_picture(_class(10, 24), id_prefix="p", narrow=True))
    width = float(svg.get("width", "0"))
    assert width <= 340  # drawn to 288 pixels on a 320-pixel phone: at least 0.85 times
    assert svg.get("viewBox", "").startswith("0 0 ")
    assert svg.get("aria-labelledby") == "p-title p-desc"


def test_the_phone_picture_puts_more_goals_in_blocks_each_with_its_numbers() -> None:
    ten = _svg(overview_picture(_class(10, 3), narrow=True))
    thirty = _svg(overview_picture(_class(30, 3), narrow=True))
    assert thirty.get("width") == ten.get("width")
    assert float(thirty.get("height", "0")) > 2.5 * float(ten.get("height", "0"))
    numbers = overview_picture(_class(30, 3), narrow=True)
    for number in (1, 10, 11, 21, 30):
        assert f">{number}</text>" in numbers
    assert numbers.count('<use href="#overview-chosen"') == 90


def test_the_phone_picture_cuts_long_names_to_its_column() -> None:
    """(The page's list of each student, under the picture, names them in full.)"""
    markup = overview_picture(_class(3, 1), narrow=True)
    assert len("Student Number 1 Longname") > NARROW.name_chars
    assert ">Student Numbe…</text>" in markup
    assert ">Student Number 1 Longname<" not in markup


def test_the_phone_picture_says_no_plan_in_words_where_the_marks_would_be() -> None:
    markup = overview_picture(_class(4, 1, plan_state=None), narrow=True)
    assert ">no plan</text>" in markup
    assert '<use href="#overview-not_chosen"' not in markup


# --- the table ----------------------------------------------------------------------------------


def test_each_cell_of_the_table_carries_its_goals_number(goals: Goals, ada: Plan) -> None:
    html = _page(goals, _path(ada, "?view=table"))
    assert "overview-few" in html
    for number in range(1, 11):
        assert html.count(f'data-goal="{number}"') == 2  # one per student
    assert html.count('<col class="overview-goal-col">') == 10


def test_with_more_than_ten_goals_a_phone_shows_each_student_as_a_card(
    goals: Goals, ada: Plan
) -> None:
    more_students(goals, 1, efforts_each=0)  # and an eleventh goal
    html = _page(goals, _path(ada, "?view=table"))
    assert "overview-many" in html
    assert 'data-goal="11"' in html
    assert html.count('<th scope="row"') == 3


def test_a_set_too_wide_for_a_phone_keeps_the_phone_picture_up_to_64rem(
    goals: Goals, ada: Plan
) -> None:
    assert "overview-wide-from-40" in _page(goals, _path(ada))
    for n in range(10):
        more_students(goals, n + 1, efforts_each=0)  # ten more goals
    assert "overview-wide-from-64" in _page(goals, _path(ada))
