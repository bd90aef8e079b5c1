"""Goals on the family surface: the area, an item under "needs attention" on the family's home
page while a child's request for help is open, and a section on each child's page (and its
printed summary) with the child's sets at a glance; nothing of it for a guardian whose link does
not allow goals (or has ended); a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from village.community.models import GuardianLink, LinkStatus, Scope
from village.community.services import guardian_link_set_access
from village.families import surface
from village.families.surface import AreaChild, Child, OverviewRequest
from village.goals import parts
from village.goals.models import GoalSet, Plan, PlanGoal
from village.goals.progress import GoalState
from village.goals.selectors.family import (
    PICTURE_WIDTH,
    GoalProgress,
    SetProgress,
    children_progress,
)
from village.goals.services import efforts, family, plans
from village.goals.tests.conftest import Goals
from village.goals.tests.factories import levels, plan_goal, weather_set
from village.goals.tests.test_family_pages import Family, build_family, client_for, effort

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def fam(goals: Goals, ada: Plan) -> Family:
    return build_family(goals, ada)


def home(user: object) -> str:
    response = client_for(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def child_page(user: object, child_id: int, status: int = 200) -> str:
    response = client_for(user).get(reverse("families:child", args=[child_id]))
    assert response.status_code == status
    return response.content.decode()


def test_goals_is_an_area_of_the_family_surface_with_the_goals_scope() -> None:
    found = {area.name: area for area in surface.areas()}
    assert found["goals"].scope == Scope.GOALS
    assert "goals" in {area.name for area, _builder in surface.overview_builders()}
    assert "goals" in {area.name for area, _builder in surface.child_sections()}


# --- needs attention ---------------------------------------------------------------------------


def test_an_open_request_for_help_needs_attention_until_it_is_answered(fam: Family) -> None:
    html = home(fam.people.sam)
    assert "Ada necesita ayuda en casa con:" in html
    assert "Boiling water for the model" in html
    link = reverse("goals:family_plan", args=[fam.people.ada.pk, fam.weather.goal_set.pk])
    assert f"{link}#help-{fam.ask.pk}" in html
    family.help_answer(request=fam.ask, guardian=fam.people.sam, answer="El sábado")
    assert "Boiling water for the model" not in home(fam.people.sam)


def test_jordan_sees_leos_request_only_while_his_link_allows_goals(fam: Family) -> None:
    wind = plan_goal(fam.leo, fam.science.goals["wind"])
    family.help_ask(plan_goal=wind, text="A plastic bottle for the vane")
    html = home(fam.people.jordan)
    assert "A plastic bottle for the vane" in html
    assert "Boiling water" not in html  # Ada's: not Jordan's child
    link = GuardianLink.objects.get(guardian=fam.people.jordan, student=fam.people.leo)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    assert "A plastic bottle for the vane" not in home(fam.people.jordan)


def test_the_overview_part_cuts_nothing_and_lists_the_oldest_request_first(fam: Family) -> None:
    wind = plan_goal(fam.leo, fam.science.goals["wind"])
    later = family.help_ask(plan_goal=wind, text="A plastic bottle")
    sam = fam.people.sam
    children = [
        AreaChild(Child(c.pk, c.short_name, c.display_name, "5", True), 1)
        for c in (fam.people.ada, fam.people.leo)
    ]
    part = parts.overview_part(OverviewRequest(None, sam, children, 1, timezone.now()))
    assert [item.data for item in part.attention] == [fam.ask.pk, later.pk]
    assert {item.kind for item in part.attention} == {parts.HELP_KIND}
    assert part.attention[0].urgency == parts.HELP_URGENCY


def test_the_overview_part_runs_the_same_queries_however_many_requests(fam: Family) -> None:
    sam = fam.people.sam
    children = [
        AreaChild(Child(c.pk, c.short_name, c.display_name, "", True), 1)
        for c in (fam.people.ada, fam.people.leo)
    ]

    def count() -> int:
        asked = OverviewRequest(None, sam, children, 1, timezone.now())
        parts.overview_part(asked)  # the first asks for translations it does not have
        with CaptureQueriesContext(connection) as queries:
            parts.overview_part(asked)
        return len(queries)

    before = count()
    for name in ("measure", "record", "clouds"):
        family.help_ask(plan_goal=plan_goal(fam.ada, fam.weather.goals[name]), text=name)
    family.help_ask(plan_goal=plan_goal(fam.leo, fam.science.goals["wind"]), text="wind")
    weather_set(fam.people.math8, fam.people.chen)
    assert count() == before


# --- the child page ----------------------------------------------------------------------------


def test_the_child_page_has_a_goals_section_with_each_set(fam: Family) -> None:
    html = child_page(fam.people.sam, fam.people.ada.pk)
    assert f'aria-labelledby="goals-{fam.people.ada.pk}"' in html
    assert "Weather and the water cycle" in html
    assert reverse("goals:family_child", args=[fam.people.ada.pk]) in html
    assert "0 de 7 metas elegidas cumplidas" in html
    assert "Pide ayuda en casa" in html


def test_the_printed_summary_counts_the_goals_met(fam: Family) -> None:
    first = fam.cycle.efforts.get()
    efforts.feedback_give(
        effort=first, teacher=fam.people.rivera, comment="Met!", confirms_met=True
    )
    response = client_for(fam.people.sam).get(
        reverse("families:child_print", args=[fam.people.ada.pk])
    )
    html = response.content.decode()
    assert "1 de 7 metas elegidas cumplidas" in html
    assert "1 pedido de ayuda en casa" in html


def test_no_section_without_the_goals_area_or_with_an_ended_link(fam: Family) -> None:
    p = fam.people
    assert f'id="goals-{p.leo.pk}"' in child_page(p.jordan, p.leo.pk)
    link = GuardianLink.objects.get(guardian=p.jordan, student=p.leo)
    guardian_link_set_access(link=link, scopes=[Scope.CLASSWORK], no_access=False)
    assert "Weather and the water cycle" not in child_page(p.jordan, p.leo.pk)
    GuardianLink.objects.filter(pk=link.pk).update(status=LinkStatus.ENDED)
    child_page(p.jordan, p.leo.pk, 404)


def test_no_section_when_the_childs_classes_have_no_goals(goals: Goals) -> None:
    html = child_page(goals.people.sam, goals.people.leo.pk)
    assert f"goals-{goals.people.leo.pk}" not in html


def test_the_child_section_runs_the_same_queries_however_many_goals(fam: Family) -> None:
    client = client_for(fam.people.sam)
    path = reverse("families:child", args=[fam.people.ada.pk])

    def count() -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    before = count()
    for name in ("measure", "record", "clouds", "model"):
        goal = plan_goal(fam.ada, fam.weather.goals[name])
        effort(fam.ada, goal, f"Worked on {name}", ask_feedback=True)
        family.help_ask(plan_goal=goal, text=f"Help with {name}")
    second = weather_set(fam.people.homeroom5, fam.people.rivera)
    plans.plan_start(goal_set=second.goal_set, student=fam.people.ada)
    assert count() == before


# --- progress ---------------------------------------------------------------------------------


def test_progress_counts_the_chosen_goals_by_state(fam: Family) -> None:
    measure = plan_goal(fam.ada, fam.weather.goals["measure"])
    effort(fam.ada, measure, "Measured", ask_feedback=True)
    first = fam.cycle.efforts.get()
    efforts.feedback_give(
        effort=first,
        teacher=fam.people.rivera,
        comment="Met",
        levels=levels(fam.ada.goal_set, best=True),
        confirms_met=True,
    )
    (ada_set, leo_set) = children_progress(fam.people.sam, [fam.people.ada.pk, fam.people.leo.pk])
    assert (ada_set.child_id, leo_set.child_id) == (fam.people.ada.pk, fam.people.leo.pk)
    assert dict(ada_set.counts()) == {
        GoalState.MET: 1,
        GoalState.ASKED: 1,
        GoalState.CHOSEN: 5,
    }
    assert (ada_set.met, ada_set.chosen, ada_set.total) == (1, 7, 10)
    assert [dot.state for dot in ada_set.dots()][:2] == [GoalState.MET, GoalState.ASKED]
    assert ada_set.label.startswith("1 of 7 goals met")


def test_a_set_without_a_plan_counts_nothing(fam: Family) -> None:
    second = weather_set(fam.people.homeroom5, fam.people.rivera)
    found = children_progress(fam.people.sam, [fam.people.ada.pk])
    fresh = next(one for one in found if one.goal_set.pk == second.goal_set.pk)
    assert (fresh.plan, fresh.chosen, fresh.counts(), fresh.dots()) == (None, 0, [], [])


def test_many_goals_still_fit_a_phone() -> None:
    goals = [GoalProgress(PlanGoal(), GoalState.CHOSEN, 0, None) for _n in range(40)]
    many = SetProgress(goal_set=GoalSet(), child_id=1, plan=None, total=40, goals=goals)
    dots = many.dots()
    assert many.width <= PICTURE_WIDTH
    assert dots[-1].x + dots[-1].r <= many.width
    assert all(dot.r > 1 for dot in dots)


def test_another_guardian_sees_no_progress_of_a_child_not_theirs(fam: Family) -> None:
    assert children_progress(fam.people.olga, [fam.people.ada.pk]) == []
    assert children_progress(fam.people.jordan, [fam.people.ada.pk]) == []
    assert children_progress(fam.people.rivera, [fam.people.ada.pk]) == []
