"""The content of a support plan as the services write it: what a form or the API gives
(``PlanFields`` with its ``GoalFields`` and ``ActionFields``), each field checked by name
(``goals.0.text``, ``actions.2.who``), the goals and actions written in order (one taken out
that has something on record stays out of the plan, kept), and the snapshot a version keeps
(``plan_content``) with what changed from the version before (``content_changes``).

``services.plans`` calls these inside its transactions; nothing here checks who writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from village.community.policies import today
from village.core.text import SINGLE_LINE_MESSAGE, single_line
from village.support import plan_policies
from village.support.models import (
    CHECK_EVERY_MAX,
    CHECK_EVERY_MIN,
    LINE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActionSide,
    SupportAction,
    SupportGoal,
    SupportPlan,
)
from village.support.services.checks import Errors

#: The most goals and actions one plan holds.
MAX_GOALS = 20
MAX_ACTIONS = 40


@dataclass(frozen=True)
class GoalFields:
    """A goal of the plan as a form or the API gives it. ``id``: one of the plan's goals, kept
    (with its progress notes); ``None`` for a new goal."""

    text: str
    baseline: str = ""
    target: str = ""
    measure: str = ""
    learning_goal_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class ActionFields:
    """An action of the plan. ``goal``: the number (from 1) of the goal it serves in the
    plan's ``goals`` as given; ``None`` for the whole plan. ``id`` as for goals."""

    side: ActionSide | str
    who: str
    what: str
    how_often: str = ""
    goal: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class PlanFields:
    """The whole content of a plan, as a form or the API gives it."""

    title: str
    concern: str
    review_on: dt.date | None
    check_every_days: int | None
    present_level: str = ""
    goals: Sequence[GoalFields] = ()
    actions: Sequence[ActionFields] = ()
    accommodation_ids: Sequence[int] = ()


# --- checking -----------------------------------------------------------------------------------


def single_line_text(
    errors: Errors, value: str, field: str, *, limit: int, required: bool = True
) -> str:
    value = errors.text(value, field, limit=limit, required=required)
    try:
        single_line(value)
    except ValidationError:
        errors.add(field, str(SINGLE_LINE_MESSAGE))
    return value


def _check_plan(errors: Errors, fields: PlanFields, plan: SupportPlan | None) -> dict[str, Any]:
    checked = {
        "title": single_line_text(errors, fields.title, "title", limit=TITLE_MAX),
        "concern": errors.text(fields.concern, "concern", limit=TEXT_MAX),
        "present_level": errors.text(
            fields.present_level, "present_level", limit=TEXT_MAX, required=False
        ),
        "review_on": fields.review_on,
        "check_every_days": fields.check_every_days,
    }
    kept = plan is not None and fields.review_on == plan.review_on
    if fields.review_on is None:
        errors.add("review_on", _("Say when the plan is reviewed."))
    elif not kept and fields.review_on <= today():
        errors.add("review_on", _("Choose a review date after today."))
    every = fields.check_every_days
    errors.require(
        every is not None and CHECK_EVERY_MIN <= every <= CHECK_EVERY_MAX,
        "check_every_days",
        _("Give a number of days from %(least)s to %(most)s.")
        % {"least": CHECK_EVERY_MIN, "most": CHECK_EVERY_MAX},
    )
    return checked


def _check_goals(
    errors: Errors, goals: Sequence[GoalFields], plan: SupportPlan | None, student_id: int
) -> None:
    errors.require(
        len(goals) <= MAX_GOALS,
        "goals",
        _("A plan holds at most %(most)s goals.") % {"most": MAX_GOALS},
    )
    own = set(_own_ids(SupportGoal, plan))
    named = {goal.learning_goal_id for goal in goals} - {None}
    linkable = set(
        plan_policies.linkable_learning_goals(student_id)
        .filter(pk__in=named)
        .values_list("pk", flat=True)
    )
    for index, goal in enumerate(goals):
        name = f"goals.{index}"
        errors.text(goal.text, f"{name}.text", limit=TEXT_MAX)
        for part in ("baseline", "target", "measure"):
            errors.text(getattr(goal, part), f"{name}.{part}", limit=TEXT_MAX, required=False)
        if goal.learning_goal_id is not None and goal.learning_goal_id not in linkable:
            errors.add(
                f"{name}.learning_goal_id",
                _("Choose a learning goal of one of the student's classes."),
            )
        if goal.id is not None and goal.id not in own:
            errors.add(f"{name}.id", _("This goal is not one of the plan's."))


def _check_actions(
    errors: Errors, actions: Sequence[ActionFields], goals: int, plan: SupportPlan | None
) -> None:
    errors.require(
        len(actions) <= MAX_ACTIONS,
        "actions",
        _("A plan holds at most %(most)s actions.") % {"most": MAX_ACTIONS},
    )
    own = set(_own_ids(SupportAction, plan))
    for index, action in enumerate(actions):
        name = f"actions.{index}"
        errors.choice(ActionSide, action.side, f"{name}.side")
        single_line_text(errors, action.who, f"{name}.who", limit=LINE_MAX)
        errors.text(action.what, f"{name}.what", limit=TEXT_MAX)
        single_line_text(
            errors, action.how_often, f"{name}.how_often", limit=LINE_MAX, required=False
        )
        if action.goal is not None and not 1 <= action.goal <= goals:
            errors.add(f"{name}.goal", _("Choose one of the plan's goals."))
        if action.id is not None and action.id not in own:
            errors.add(f"{name}.id", _("This action is not one of the plan's."))


def _check_accommodations(
    errors: Errors, ids: Sequence[int], plan: SupportPlan | None, student_id: int
) -> list[int]:
    wanted = sorted(set(ids))
    allowed = set(
        plan_policies.plan_accommodation_choices(student_id, plan)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    errors.require(
        set(wanted) <= allowed,
        "accommodation_ids",
        _("Choose among the student's accommodations in force."),
    )
    return wanted


def _own_ids(model: type[SupportGoal] | type[SupportAction], plan: SupportPlan | None) -> list[int]:
    if plan is None:
        return []
    return list(model.objects.filter(plan=plan, in_plan=True).values_list("pk", flat=True))


def checked(fields: PlanFields, plan: SupportPlan | None, student_id: int) -> dict[str, Any]:
    """The plan's own fields as they are saved (and ``accommodations``: the ids to list), or a
    ``ValidationError`` naming every field in error of the plan, its goals and its actions.
    ``plan``: the plan changed (``None`` for a new one), whose goals and actions may be named."""
    errors = Errors()
    checked = _check_plan(errors, fields, plan)
    _check_goals(errors, fields.goals, plan, student_id)
    _check_actions(errors, fields.actions, len(fields.goals), plan)
    checked["accommodations"] = _check_accommodations(
        errors, fields.accommodation_ids, plan, student_id
    )
    errors.raise_any()
    return checked


# --- writing the content ------------------------------------------------------------------------


def write_goals(plan: SupportPlan, goals: Sequence[GoalFields]) -> list[SupportGoal]:
    """Make the plan's goals those of ``goals``, in order; a goal taken out that has progress
    notes stays on record out of the plan. The goals, in the order given."""
    existing = {goal.pk: goal for goal in SupportGoal.objects.filter(plan=plan, in_plan=True)}
    written: list[SupportGoal] = []
    for position, fields in enumerate(goals):
        goal = existing.pop(fields.id, None) if fields.id else None
        goal = goal or SupportGoal(plan=plan)
        goal.position = position
        goal.text, goal.baseline = fields.text.strip(), fields.baseline.strip()
        goal.target, goal.measure = fields.target.strip(), fields.measure.strip()
        goal.learning_goal_id = fields.learning_goal_id
        goal.save()
        written.append(goal)
    _take_out(SupportGoal, list(existing), "progress_notes")
    return written


def write_actions(
    plan: SupportPlan, actions: Sequence[ActionFields], goals: list[SupportGoal]
) -> None:
    """Make the plan's actions those of ``actions``, in order, each for the goal of ``goals``
    it names by number; an action taken out that was marked done stays on record."""
    rows = SupportAction.objects.filter(plan=plan, in_plan=True)
    existing = {action.pk: action for action in rows}
    for position, fields in enumerate(actions):
        action = existing.pop(fields.id, None) if fields.id else None
        action = action or SupportAction(plan=plan)
        action.position, action.side = position, ActionSide(fields.side)
        action.who, action.what = fields.who.strip(), fields.what.strip()
        action.how_often = fields.how_often.strip()
        action.goal = goals[fields.goal - 1] if fields.goal else None
        action.save()
    _take_out(SupportAction, list(existing), "logs")


def _take_out(model: type[SupportGoal] | type[SupportAction], ids: list[int], records: str) -> None:
    """Delete the rows of ``ids`` with nothing on record (``records``); keep the others out
    of the plan."""
    if not ids:
        return
    kept = model.objects.filter(pk__in=ids, **{f"{records}__isnull": False}).values("pk")
    model.objects.filter(pk__in=kept).update(in_plan=False)
    model.objects.filter(pk__in=ids, in_plan=True).delete()


def plan_content(plan: SupportPlan) -> dict[str, Any]:
    """A snapshot of the plan's content as it is now: what a version keeps (three queries)."""
    goals = list(
        SupportGoal.objects.filter(plan=plan, in_plan=True)
        .select_related("learning_goal")
        .order_by("position", "pk")
    )
    number = {goal.pk: index for index, goal in enumerate(goals, start=1)}
    actions = SupportAction.objects.filter(plan=plan, in_plan=True).order_by("position", "pk")
    return {
        "title": plan.title,
        "concern": plan.concern,
        "present_level": plan.present_level,
        "review_on": plan.review_on.isoformat(),
        "check_every_days": plan.check_every_days,
        "goals": [_goal_content(goal) for goal in goals],
        "actions": [
            {
                "id": action.pk,
                "side": action.side,
                "who": action.who,
                "what": action.what,
                "how_often": action.how_often,
                "goal": number.get(action.goal_id) if action.goal_id else None,
            }
            for action in actions
        ],
        "student_view": {"text": plan.student_view, "language": plan.student_view_language},
        "accommodations": [
            {"id": pk, "title": title, "category": category}
            for pk, title, category in plan.accommodations.order_by(
                "category", "starts_on", "pk"
            ).values_list("pk", "title", "category")
        ],
    }


def _goal_content(goal: SupportGoal) -> dict[str, Any]:
    linked = goal.learning_goal
    return {
        "id": goal.pk,
        "text": goal.text,
        "baseline": goal.baseline,
        "target": goal.target,
        "measure": goal.measure,
        "learning_goal": {"id": linked.pk, "title": linked.title} if linked else None,
    }


def content_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed from ``old`` to ``new`` content, as codes (``selectors.plans`` puts them in
    words): a field's name, or ``goal_added`` and the like once per goal or action."""
    if old is None:
        return ["created"]
    found = [
        name
        for name in ("title", "concern", "present_level", "review_on", "check_every_days")
        if old.get(name) != new.get(name)
    ]
    found += _row_changes(old["goals"], new["goals"], lambda _row: "goal")
    found += _row_changes(old["actions"], new["actions"], lambda row: f"{row['side']}_action")
    if [row["id"] for row in old["accommodations"]] != [row["id"] for row in new["accommodations"]]:
        found.append("accommodations")
    if _view_text(old) != _view_text(new):
        found.append("student_view")
    return found


def _view_text(content: dict[str, Any]) -> str:
    """The student's view in a version's content (none in a version made before it existed)."""
    return str((content.get("student_view") or {}).get("text", ""))


def _row_changes(old: list[dict[str, Any]], new: list[dict[str, Any]], kind: Any) -> list[str]:
    before = {row["id"]: row for row in old}
    after = {row["id"]: row for row in new}
    found = [f"{kind(row)}_added" for pk, row in after.items() if pk not in before]
    found += [
        f"{kind(row)}_changed" for pk, row in after.items() if pk in before and before[pk] != row
    ]
    found += [f"{kind(row)}_removed" for pk, row in before.items() if pk not in after]
    return found
