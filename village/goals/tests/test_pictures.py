"""The pictures of goals: well-formed SVG labelled by its own title and description, a state
told by shape and mark as well as colour, every colour at least 3:1 against its background,
what students wrote escaped, and the path's lines of levels (the student's and the teacher's
apart)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from village.goals.models import GoalSet, Plan, PlanState
from village.goals.overview_picture import overview_picture, overview_summary
from village.goals.pictures import (
    COLOURS,
    SELF_COLOUR,
    STRIPE,
    TEACHER_COLOUR,
    path_description,
    path_picture,
    state_icon,
    state_mark,
    state_marks,
    state_shape,
)
from village.goals.progress import GoalState
from village.goals.selectors.overview import Band, Column, Overview, Row
from village.goals.selectors.plans import plan_view
from village.goals.services import efforts
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


def _overview(names: list[str], states: list[list[GoalState]], **kwargs: object) -> Overview:
    columns = tuple(
        Column(goal_id=i + 1, number=i + 1, title=f"Goal {i + 1}", group_id=1, core=i == 0)
        for i in range(len(states[0]) if states else 2)
    )
    rows = tuple(
        Row(
            student_id=i + 1,
            name=name,
            plan_id=i + 1,
            plan_state=PlanState.APPROVED,
            states=tuple(row),
        )
        for i, (name, row) in enumerate(zip(names, states, strict=True))
    )
    return Overview(
        goal_set=GoalSet(title="Weather & <rain>"),
        today=None,  # type: ignore[arg-type]
        bands=(Band(1, "Observing weather", columns),),
        rows=rows,
        students=len(rows),
        **kwargs,  # type: ignore[arg-type]
    )


# --- the marks ----------------------------------------------------------------------------------


def test_every_state_colour_has_at_least_3_to_1_contrast_on_white_and_on_the_stripes() -> None:
    for colour in [*COLOURS.values(), SELF_COLOUR, TEACHER_COLOUR]:
        assert contrast(colour, "#ffffff") >= 3, colour
        assert contrast(colour, STRIPE) >= 3, colour


def test_no_two_states_differ_by_colour_alone() -> None:
    """With every colour made the same, each state's mark is still its own shape."""
    plain = {state: re.sub(r"#[0-9a-f]{6}", "#000000", state_shape(state)) for state in GoalState}
    for one, other in combinations(GoalState, 2):
        assert plain[one] != plain[other], (one, other)


def test_an_icon_is_hidden_from_assistive_technology() -> None:
    icon = _parse(state_icon(GoalState.MET))
    assert icon.get("aria-hidden") == "true"
    assert icon.get("focusable") == "false"


def test_a_mark_drawn_from_the_marks_defined_once_finds_its_definition() -> None:
    defined = set(re.findall(r'<g id="([\w-]+)">', state_marks()))
    for state in GoalState:
        mark = _parse(state_mark(state))
        assert mark.get("aria-hidden") == "true"
        used = mark.find("use")  # inline in HTML: no namespace
        assert used is not None
        assert used.get("href", "").lstrip("#") in defined


# --- the class overview -----------------------------------------------------------------------


def test_the_overview_is_an_image_labelled_by_its_title_and_description() -> None:
    overview = _overview(
        ["Ada Okoye", "Maya Lopez"],
        [[GoalState.MET, GoalState.ASKED], [GoalState.STALLED, GoalState.NOT_CHOSEN]],
    )
    svg = _parse(overview_picture(overview, id_prefix="ov"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "ov-title ov-desc"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "ov-title"
    assert title.text == "Class overview of “Weather & <rain>”"
    assert desc is not None
    assert desc.get("id") == "ov-desc"
    assert "Met: 1; Stalled: 1; Asked for feedback: 1" in (desc.text or "")


def test_each_cell_is_its_states_mark() -> None:
    states = [[GoalState.MET, GoalState.IN_PROGRESS], [GoalState.CHOSEN, GoalState.NOT_CHOSEN]]
    svg = overview_picture(_overview(["Ada Okoye", "Maya Lopez"], states), id_prefix="ov")
    used = re.findall(r'<use href="#ov-(\w+)"', svg)
    assert used == ["met", "in_progress", "chosen", "not_chosen"]
    defined = set(re.findall(r'<g id="ov-(\w+)">', svg))
    assert defined == {state.value for state in GoalState}


def test_what_people_wrote_is_escaped() -> None:
    overview = _overview(["<script>alert(1)</script>"], [[GoalState.MET, GoalState.MET]])
    svg = overview_picture(overview)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    _parse(svg)  # still well-formed


def test_students_who_have_not_chosen_are_named_and_marked() -> None:
    row = Row(5, "Hana Kim", None, None, (GoalState.NOT_CHOSEN, GoalState.NOT_CHOSEN))
    overview = _overview(["Ada Okoye"], [[GoalState.MET, GoalState.MET]])
    overview = Overview(
        goal_set=overview.goal_set,
        today=overview.today,
        bands=overview.bands,
        rows=(*overview.rows, row),
        students=2,
        not_chosen_yet=(row,),
    )
    assert "1 student has not chosen yet: Hana Kim." in overview_summary(overview)
    assert "no plan" in overview_picture(overview)


def test_the_printout_is_scaled_to_the_page_only_when_wider() -> None:
    narrow = _overview(["Ada Okoye"], [[GoalState.MET, GoalState.MET]])
    assert _parse(overview_picture(narrow, fit=True)).get("width") == "256"
    wide = _overview(["Ada Okoye"], [[GoalState.MET] * 30])
    printed = _parse(overview_picture(wide, fit=True))
    assert printed.get("width") == "100%"
    assert printed.get("height") is None
    assert printed.get("viewBox") == "0 0 984 78"


# --- the student's path ---------------------------------------------------------------------


def _efforts(goals: Goals, plan: Plan) -> None:
    """Two efforts on the water cycle: Beginning then Extending by Ada; Ms. Rivera answers
    the first with Developing."""
    cycle = plan_goal(plan, goals.weather.goals["cycle"])
    first = efforts.effort_record(
        plan_goal=cycle, levels=levels(plan.goal_set), done="Drew it", ask_feedback=True
    )
    efforts.feedback_give(
        effort=first,
        teacher=goals.people.rivera,
        comment="Label the arrows.",
        levels=_level(plan, "Developing"),
    )
    efforts.effort_record(
        plan_goal=cycle, levels=levels(plan.goal_set, best=True), done="Taught it"
    )


def _level(plan: Plan, title: str) -> dict[int, int | None]:
    criterion = plan.goal_set.rubric.criteria.get()
    return {criterion.pk: criterion.levels.get(title=title).pk}


def test_the_path_shows_the_goals_in_the_students_order_with_both_levels(
    goals: Goals, ada: Plan
) -> None:
    _efforts(goals, ada)
    view = plan_view(ada.goal_set, ada, staff=True)
    svg = path_picture(view, id_prefix="p1", title="Ada's path")
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "p1-title p1-desc"
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text]
    order = [t for t in texts if t in {g.goal.title for g in view.goals()}]
    assert order == [g.goal.title for g in view.goals()]
    # The student's own levels: two dots (and one in the key); the teacher's: one square (and
    # one in the key), never averaged into one line.
    dots = re.findall(rf'<circle cx="[\d.]+" cy="[\d.]+" r="3" fill="{SELF_COLOUR}"', svg)
    squares = re.findall(rf'<rect [^>]*stroke="{TEACHER_COLOUR}"', svg)
    assert (len(dots), len(squares)) == (3, 2)
    assert re.search(rf'<polyline [^>]*stroke="{SELF_COLOUR}" stroke-width="2"/>', svg)


def test_the_paths_description_says_each_level_effort_by_effort(goals: Goals, ada: Plan) -> None:
    _efforts(goals, ada)
    words = path_description(plan_view(ada.goal_set, ada, staff=True))
    assert "The water cycle." in words
    assert "Explain the water cycle: In progress, 2 efforts." in words
    assert "Self-assessed levels: Beginning; Extending." in words
    assert "Teacher's levels: Developing; —." in words


def test_the_path_is_drawn_from_the_selectors_data_alone(goals: Goals, ada: Plan) -> None:
    _efforts(goals, ada)
    view = plan_view(ada.goal_set, ada, staff=True)
    with CaptureQueriesContext(connection) as queries:
        path_picture(view)
    assert len(queries.captured_queries) == 0


def test_a_plan_without_goals_says_so(goals: Goals) -> None:
    view = plan_view(goals.weather.goal_set, None)
    assert "No goals chosen yet." in path_picture(view)
