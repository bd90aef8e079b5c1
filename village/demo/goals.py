"""The demo's learning goals, written through the goals services as teachers, students and
families would have written them:

- Ms. Rivera's Grade 5 unit "Weather and the water cycle": three groups of core and optional
  goals, a sub-goal and a prerequisite (the jar model needs the water cycle first). Ada chose
  her goals and put them in her own order, with activities; Ms. Rivera approved her plan. Ada
  has reported several efforts, each with her level on the rubric; Ms. Rivera answered, and
  confirmed one goal met; Sam encouraged Ada in Spanish, and Ada asks for help at home with
  the rain gauge (still open: Sam sees it under "needs attention"). Most of the homeroom have
  sent plans and started; a few have not chosen yet.
- Ms. Rivera's Grade 8 Science unit "Forces and motion": Leo's plan is approved, and one of his
  goals has had no effort for three weeks (stalled).

The notifications and their emails count as sent, as the worker would have left them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from village.accounts.models import User
from village.classwork.models import RubricLevel
from village.community.models import Enrollment, EnrollmentRole, SchoolClass
from village.goals import notices
from village.goals.models import (
    Effort,
    EffortFeedback,
    Encouragement,
    Goal,
    GoalKind,
    GoalSet,
    Helper,
    HelpRequest,
    Plan,
    PlanGoal,
)
from village.goals.services import efforts, family, plans, sets
from village.goals.services.sets import GoalFields, SetFields
from village.notifications.models import Delivery, DeliveryState

HOMEROOM = "demo-class-G5-HR"
SCIENCE = "demo-class-G8-SCI"
#: Homeroom students (other than Ada) who have not chosen their goals yet.
NOT_CHOSEN = 4

#: (group, least optional, [(key, title, kind, parent, success criteria, suggested activities)])
WEATHER = [
    (
        "Observing weather",
        1,
        [
            (
                "measure",
                "Measure the weather every day",
                GoalKind.CORE,
                None,
                "I measure temperature, rain and wind at the same time each day.",
                "Use the class weather station; take the thermometer home at the weekend.",
            ),
            (
                "thermometer",
                "Read a thermometer to the nearest degree",
                GoalKind.CORE,
                "measure",
                "I read the scale in °C without help.",
                "Practise with the class thermometer.",
            ),
            (
                "log",
                "Keep a weather log for two weeks",
                GoalKind.CORE,
                None,
                "My log has a reading for every school day, with units.",
                "A notebook page per day, or the log sheet.",
            ),
            (
                "clouds",
                "Name the main kinds of cloud",
                GoalKind.OPTIONAL,
                None,
                "I can tell cumulus, stratus and cirrus apart in photos and in the sky.",
                "Cloud spotting at break; the cloud chart in the library.",
            ),
            (
                "vane",
                "Build a wind vane and use it",
                GoalKind.OPTIONAL,
                None,
                "My wind vane points into the wind and I record the direction.",
                "Card, a straw, a pin and a pencil with an eraser.",
            ),
        ],
    ),
    (
        "The water cycle",
        1,
        [
            (
                "cycle",
                "Explain the water cycle",
                GoalKind.CORE,
                None,
                "I can explain evaporation, condensation and precipitation with a diagram.",
                "Draw the cycle; explain it to someone at home.",
            ),
            (
                "jar",
                "Build a water-cycle model in a jar",
                GoalKind.OPTIONAL,
                None,
                "My model shows water evaporating and condensing, and I can say why.",
                "A jar, warm water, cling film and ice.",
            ),
            (
                "gauge",
                "Measure rainfall with a rain gauge",
                GoalKind.OPTIONAL,
                None,
                "I measure rain in millimetres for a week and compare days.",
                "Make a gauge from a plastic bottle.",
            ),
        ],
    ),
    (
        "Sharing what we learn",
        0,
        [
            (
                "report",
                "Present a weather report",
                GoalKind.CORE,
                None,
                "I present a two-minute forecast using my own measurements.",
                "Rehearse at home; film it if you like.",
            ),
            (
                "interview",
                "Interview someone about the weather where they grew up",
                GoalKind.OPTIONAL,
                None,
                "I ask three questions and share what I learned.",
                "A grandparent, a neighbour, a community partner.",
            ),
        ],
    ),
]

FORCES = [
    (
        "Forces",
        1,
        [
            (
                "push",
                "Describe forces as pushes and pulls",
                GoalKind.CORE,
                None,
                "I name the forces on an object and draw them as arrows.",
                "",
            ),
            (
                "friction",
                "Measure friction on different surfaces",
                GoalKind.CORE,
                None,
                "I measure with a force meter and explain the differences.",
                "",
            ),
            (
                "magnets",
                "Investigate magnetic forces",
                GoalKind.OPTIONAL,
                None,
                "I test what magnets attract, and through what.",
                "",
            ),
            (
                "gravity",
                "Explain weight and mass",
                GoalKind.OPTIONAL,
                None,
                "I explain why my weight would change on the Moon and my mass would not.",
                "",
            ),
        ],
    ),
    (
        "Motion",
        1,
        [
            (
                "speed",
                "Calculate speed from distance and time",
                GoalKind.CORE,
                None,
                "I calculate speed in m/s from my own measurements.",
                "",
            ),
            (
                "graph",
                "Draw and read distance-time graphs",
                GoalKind.OPTIONAL,
                None,
                "I draw a graph of a journey and describe it.",
                "",
            ),
            (
                "car",
                "Design a balloon car and test it",
                GoalKind.OPTIONAL,
                None,
                "My car runs, and I measure its speed and improve it.",
                "",
            ),
        ],
    ),
]


@dataclass
class Built:
    goal_set: GoalSet
    goals: dict[str, Goal] = field(default_factory=dict)

    def order(self, *keys: str) -> dict[int, list[int]]:
        order: dict[int, list[int]] = {
            group: [] for group in self.goal_set.groups.values_list("pk", flat=True)
        }
        for key in keys:
            order[self.goals[key].group_id].append(self.goals[key].pk)
        return order


def _build_set(
    school_class: SchoolClass,
    teacher: User,
    title: str,
    summary: str,
    groups: list,
    today: dt.date,
    *,
    days_open: int,
) -> Built:
    goal_set = sets.goal_set_create(
        school_class=school_class,
        author=teacher,
        fields=SetFields(
            title=title,
            summary=summary,
            opens_on=today - dt.timedelta(days=days_open),
            closes_on=today + dt.timedelta(days=28),
            stalled_after_days=14,
        ),
    )
    built = Built(goal_set)
    for group_title, least, goals in groups:
        group = sets.group_add(goal_set=goal_set, title=group_title, min_optional=least)
        for key, goal_title, kind, parent, criteria, activities in goals:
            built.goals[key] = sets.goal_add(
                group=group,
                fields=GoalFields(
                    title=goal_title,
                    kind=kind,
                    success_criteria=criteria,
                    suggested_activities=activities,
                    parent=built.goals[parent] if parent else None,
                ),
            )
    return built


def _levels(goal_set: GoalSet, rank: int) -> dict[int, int | None]:
    """The ``rank``-th level (0: the lowest) of each criterion of the set's rubric."""
    ranked: dict[int, list[int]] = defaultdict(list)
    for criterion_id, level_id in (
        RubricLevel.objects.filter(criterion__rubric_id=goal_set.rubric_id)
        .order_by("criterion_id", "points", "pk")
        .values_list("criterion_id", "pk")
    ):
        ranked[criterion_id].append(level_id)
    return {c: ids[min(rank, len(ids) - 1)] for c, ids in ranked.items()}


def _plan_goal(plan: Plan, goal: Goal) -> PlanGoal:
    return PlanGoal.objects.select_related("plan__goal_set__rubric", "plan__student", "goal").get(
        plan=plan, goal=goal
    )


def _backdate(rows: QuerySet[Any], moment: dt.datetime) -> None:
    rows.update(created_at=moment, updated_at=moment)


def _ada(built: Built, people: dict[str, User], now: dt.datetime) -> None:
    ada, rivera, sam = people["ada"], people["rivera"], people["sam"]
    goal_set = built.goal_set
    plan = plans.plan_start(goal_set=goal_set, student=ada)
    # Ada starts with the log and the clouds she loves, then the measuring.
    plans.plan_choose(
        plan=plan,
        order=built.order(
            "log", "clouds", "measure", "thermometer", "cycle", "jar", "gauge", "report"
        ),
    )
    for key, text, ask in [
        (
            "clouds",
            "Take a photo of the sky every morning and match it to the cloud chart",
            Helper.FAMILY,
        ),
        ("clouds", "Ask Ms. Rivera to check my cloud names", Helper.TEACHER),
        ("cycle", "Draw the water cycle and explain it to my mum", Helper.FAMILY),
        ("gauge", "Make a rain gauge from a bottle with my mum", Helper.FAMILY),
        ("report", "Practise my forecast at the library's open evening", Helper.PARTNER),
        ("log", "Fill in my log every day after lunch", Helper.MYSELF),
    ]:
        plans.activity_add(plan_goal=_plan_goal(plan, built.goals[key]), text=text, ask=ask)
    plans.plan_submit(plan=plan)
    plans.plan_decide(plan=plan, teacher=rivera, approve=True)
    plan.refresh_from_db()

    clouds = _plan_goal(plan, built.goals["clouds"])
    first = efforts.effort_record(
        plan_goal=clouds,
        levels=_levels(goal_set, 1),
        done="I photographed the sky for five mornings and named the clouds.",
        went_well="I knew cumulus straight away.",
        next_step="I mix up stratus and cirrus; I will look at the chart again.",
        ask_feedback=True,
    )
    feedback = efforts.feedback_give(
        effort=first,
        teacher=rivera,
        levels=_levels(goal_set, 1),
        comment=(
            "Lovely photos, Ada. Cirrus are the thin, wispy ones high up: look for them on a "
            "sunny day."
        ),
    )
    second = efforts.effort_record(
        plan_goal=clouds,
        levels=_levels(goal_set, 2),
        done="I named all three kinds on the chart and in the sky at break.",
        went_well="I got cirrus right this time.",
        next_step="I would like to learn about storm clouds.",
        think_met=True,
    )
    met = efforts.feedback_give(
        effort=second,
        teacher=rivera,
        levels=_levels(goal_set, 2),
        confirms_met=True,
        comment="Yes — you can tell them apart every time. Goal met!",
    )
    encouragement = family.encouragement_add(
        plan_goal=clouds,
        guardian=sam,
        effort=second,
        language="es",
        text="¡Qué orgullosa estoy de ti, Ada! Me encantan tus fotos de las nubes.",
    )
    cycle = _plan_goal(plan, built.goals["cycle"])
    third = efforts.effort_record(
        plan_goal=cycle,
        levels=_levels(goal_set, 1),
        done="I drew the water cycle with arrows and labels.",
        went_well="The evaporation part.",
        next_step="I am not sure where condensation happens.",
        ask_feedback=True,
    )
    log = _plan_goal(plan, built.goals["log"])
    fourth = efforts.effort_record(
        plan_goal=log,
        levels=_levels(goal_set, 2),
        done="Seven days of readings in my log.",
        went_well="I did not miss a day.",
        next_step="Add the wind direction.",
    )
    gauge = _plan_goal(plan, built.goals["gauge"])
    request = family.help_ask(
        plan_goal=gauge, text="I need a plastic bottle and help cutting it to make my rain gauge."
    )
    home = family.encouragement_add(
        plan_goal=cycle,
        guardian=sam,
        language="es",
        text="¡Sigue así! Esta noche me explicas el ciclo del agua.",
    )
    for rows, days in [
        (Effort.objects.filter(pk=first.pk), 9),
        (EffortFeedback.objects.filter(pk=feedback.pk), 8),
        (Effort.objects.filter(pk=second.pk), 5),
        (EffortFeedback.objects.filter(pk=met.pk), 4),
        (Encouragement.objects.filter(pk=encouragement.pk), 4),
        (Effort.objects.filter(pk=fourth.pk), 3),
        (Effort.objects.filter(pk=third.pk), 1),
        (Encouragement.objects.filter(pk=home.pk), 1),
        (HelpRequest.objects.filter(pk=request.pk), 0),
    ]:
        _backdate(rows, now - dt.timedelta(days=days, hours=2))


def _classmates(built: Built, rivera: User, now: dt.datetime, rng: random.Random) -> None:
    """The rest of the homeroom: most have sent a plan and started; a few have not chosen."""
    goal_set = built.goal_set
    students = list(
        User.objects.filter(
            pk__in=Enrollment.objects.filter(
                school_class=goal_set.school_class, role=EnrollmentRole.STUDENT
            ).values("user_id")
        )
        .exclude(username="ada")
        .order_by("last_name", "first_name", "pk")
    )
    core = ["measure", "thermometer", "log", "cycle", "report"]
    for index, student in enumerate(students[NOT_CHOSEN:]):
        plan = plans.plan_start(goal_set=goal_set, student=student)
        optional = [rng.choice(["clouds", "vane"]), rng.choice(["jar", "gauge"])]
        if "jar" in optional:
            keys = [*core[:3], optional[0], "cycle", "jar", "report"]
        else:
            keys = [*core[:3], optional[0], "cycle", "gauge", "report"]
        plans.plan_choose(plan=plan, order=built.order(*keys))
        plans.plan_submit(plan=plan)
        if index % 3:
            plans.plan_decide(plan=plan, teacher=rivera, approve=True)
        for key in rng.sample(keys, k=rng.randint(0, 3)):
            effort = efforts.effort_record(
                plan_goal=_plan_goal(plan, built.goals[key]),
                levels=_levels(goal_set, rng.randint(0, 3)),
                done="Worked on it in class.",
                ask_feedback=rng.random() < 0.3,
            )
            _backdate(
                Effort.objects.filter(pk=effort.pk),
                now - dt.timedelta(days=rng.randint(0, 20), hours=3),
            )


def _leo(built: Built, people: dict[str, User], now: dt.datetime) -> None:
    leo, rivera = people["leo"], people["rivera"]
    plan = plans.plan_start(goal_set=built.goal_set, student=leo)
    plans.plan_choose(plan=plan, order=built.order("push", "friction", "magnets", "speed", "car"))
    plans.plan_submit(plan=plan)
    plans.plan_decide(plan=plan, teacher=rivera, approve=True)
    Plan.objects.filter(pk=plan.pk).update(submitted_at=now - dt.timedelta(days=25))
    plan.refresh_from_db()
    push = efforts.effort_record(
        plan_goal=_plan_goal(plan, built.goals["push"]),
        levels=_levels(built.goal_set, 2),
        done="Drew force arrows for a sledge, a kite and a lift.",
        went_well="The arrows' lengths.",
    )
    friction = efforts.effort_record(
        plan_goal=_plan_goal(plan, built.goals["friction"]),
        levels=_levels(built.goal_set, 0),
        done="Started measuring on carpet and wood.",
        next_step="Finish the table.",
    )
    speed = efforts.effort_record(
        plan_goal=_plan_goal(plan, built.goals["speed"]),
        levels=_levels(built.goal_set, 1),
        done="Timed my walk to school and worked out my speed.",
        ask_feedback=True,
    )
    _backdate(Effort.objects.filter(pk=push.pk), now - dt.timedelta(days=12))
    _backdate(
        Effort.objects.filter(pk=friction.pk), now - dt.timedelta(days=21)
    )  # stalled: three weeks
    _backdate(Effort.objects.filter(pk=speed.pk), now - dt.timedelta(days=2))


def demo_goals_build(*, now: dt.datetime | None = None, seed: int = 5) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = User.objects.in_bulk(["rivera", "ada", "sam", "leo"], field_name="username")
    if len(people) < 4:
        return {"goal plans": 0}
    homeroom = SchoolClass.objects.get(sourced_id=HOMEROOM)
    science = SchoolClass.objects.get(sourced_id=SCIENCE)
    weather = _build_set(
        homeroom,
        people["rivera"],
        "Weather and the water cycle",
        "How we measure the weather, and where rain comes from. Choose your goals in each "
        "group, put them in the order you want to work on them, and tell me how each effort went.",
        WEATHER,
        today,
        days_open=14,
    )
    sets.prerequisite_add(goal=weather.goals["jar"], needs=weather.goals["cycle"])
    sets.goal_set_publish(goal_set=weather.goal_set, published=True)
    forces = _build_set(
        science,
        people["rivera"],
        "Forces and motion",
        "Pushes, pulls and speed: measure them yourself.",
        FORCES,
        today,
        days_open=30,
    )
    sets.goal_set_publish(goal_set=forces.goal_set, published=True)
    _ada(weather, people, now)
    _classmates(weather, people["rivera"], now, random.Random(seed))
    _leo(forces, people, now)
    Delivery.objects.filter(kind__in=notices.kind_names()).update(
        state=DeliveryState.SENT, sent_at=now, attempts=1
    )
    return {
        "goal plans": Plan.objects.filter(goal_set__in=[weather.goal_set, forces.goal_set]).count()
    }


def goals_delete(school_classes: QuerySet[SchoolClass]) -> int:
    """Remove the goal sets of these classes with their plans, efforts and encouragement:
    before their classwork, whose rubrics the sets report progress on."""
    deleted, _by_model = GoalSet.objects.filter(school_class__in=school_classes).delete()
    return deleted
