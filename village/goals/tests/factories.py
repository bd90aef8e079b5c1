"""Goal sets for the goals tests, built through the services: Ms. Rivera's grade-5 unit
"Weather and the water cycle" (three groups, core and optional goals, a sub-goal and a
prerequisite), open today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from village.accounts.models import User
from village.community.models import SchoolClass
from village.demo.personas import Personas
from village.goals.models import Goal, GoalGroup, GoalKind, GoalSet, Plan, PlanGoal
from village.goals.services import plans as plan_services
from village.goals.services import sets as set_services
from village.goals.services.sets import GoalFields, SetFields


@dataclass
class WeatherSet:
    goal_set: GoalSet
    groups: dict[str, GoalGroup] = field(default_factory=dict)
    goals: dict[str, Goal] = field(default_factory=dict)

    def order(self, *names: str) -> dict[int, list[int]]:
        """A plan's order (group -> goals) from goal names, in the order given."""
        order: dict[int, list[int]] = {group.pk: [] for group in self.groups.values()}
        for name in names:
            goal = self.goals[name]
            order[goal.group_id].append(goal.pk)
        return order


def weather_set(
    school_class: SchoolClass,
    author: User | None,
    *,
    published: bool = True,
    auto_approve: bool = False,
    today: dt.date | None = None,
) -> WeatherSet:
    """Three groups:

    - *Observing weather* (at least 1 optional): core ``measure`` (with the core sub-goal
      ``thermometer``), core ``record``; optional ``clouds``, ``wind``.
    - *The water cycle* (at least 1 optional): core ``cycle``; optional ``model`` (needs
      ``cycle`` first), ``rain``.
    - *Sharing what we learn* (none required): core ``present``; optional ``interview``.
    """
    day = today or timezone.localdate()
    goal_set = set_services.goal_set_create(
        school_class=school_class,
        author=author,
        fields=SetFields(
            title="Weather and the water cycle",
            summary="How weather works and where rain comes from.",
            opens_on=day - dt.timedelta(days=7),
            closes_on=day + dt.timedelta(days=21),
            auto_approve=auto_approve,
        ),
    )
    built = WeatherSet(goal_set)
    specs = {
        "observing": ("Observing weather", 1),
        "water": ("The water cycle", 1),
        "sharing": ("Sharing what we learn", 0),
    }
    for key, (title, least) in specs.items():
        built.groups[key] = set_services.group_add(
            goal_set=goal_set, title=title, min_optional=least
        )
    goals = [
        ("measure", "observing", "Measure the weather each day", GoalKind.CORE, None),
        ("thermometer", "observing", "Read a thermometer", GoalKind.CORE, "measure"),
        ("record", "observing", "Keep a weather log for two weeks", GoalKind.CORE, None),
        ("clouds", "observing", "Name the main kinds of cloud", GoalKind.OPTIONAL, None),
        ("wind", "observing", "Build a wind vane", GoalKind.OPTIONAL, None),
        ("cycle", "water", "Explain the water cycle", GoalKind.CORE, None),
        ("model", "water", "Build a water-cycle model in a jar", GoalKind.OPTIONAL, None),
        ("rain", "water", "Measure rainfall with a rain gauge", GoalKind.OPTIONAL, None),
        ("present", "sharing", "Present a weather report", GoalKind.CORE, None),
        ("interview", "sharing", "Interview someone about weather", GoalKind.OPTIONAL, None),
    ]
    for key, group, title, kind, parent in goals:
        built.goals[key] = set_services.goal_add(
            group=built.groups[group],
            fields=GoalFields(
                title=title,
                kind=kind,
                success_criteria=f"I can {title[0].lower()}{title[1:]}.",
                parent=built.goals[parent] if parent else None,
            ),
        )
    set_services.prerequisite_add(goal=built.goals["model"], needs=built.goals["cycle"])
    if published:
        set_services.goal_set_publish(goal_set=goal_set, published=True)
    goal_set.refresh_from_db()
    return built


def ada_plan(people: Personas, weather: WeatherSet, *, send: bool = True) -> Plan:
    """Ada's plan: every core goal, ``clouds`` and ``model``; sent to Ms. Rivera."""
    plan = plan_services.plan_start(goal_set=weather.goal_set, student=people.ada)
    plan_services.plan_choose(
        plan=plan,
        order=weather.order(
            "measure", "thermometer", "record", "clouds", "cycle", "model", "present"
        ),
    )
    if send:
        plan_services.plan_submit(plan=plan)
    plan.refresh_from_db()
    return plan


def plan_goal(plan: Plan, goal: Goal) -> PlanGoal:
    return PlanGoal.objects.select_related("plan__goal_set__rubric", "goal").get(
        plan=plan, goal=goal
    )


def levels(goal_set: GoalSet, *, best: bool = False) -> dict[int, int | None]:
    """A level on every criterion of the set's rubric: the first (or the best) of each."""
    chosen: dict[int, int | None] = {}
    for criterion in goal_set.rubric.criteria.prefetch_related("levels"):
        ranked = sorted(criterion.levels.all(), key=lambda level: level.points)
        chosen[criterion.pk] = (ranked[-1] if best else ranked[0]).pk
    return chosen
