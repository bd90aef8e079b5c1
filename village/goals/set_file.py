"""The goal-set file (``FORMAT``, ``VERSION``): JSON that any Village reads back, checked
through before anything is written.

It holds what the teacher wrote: the set's title, summary, dates and settings, the topic's
title, the rubric's criteria and levels, and the groups with their goals in order. Each goal has
a ``key`` that sub-goals (``parent``) and prerequisites (``needs``) refer to. What belongs to
one class stays with it: linked classwork, students' plans. :func:`read_file` checks a parsed
file and names each problem's place (``groups[1].goals[2].title: Write the goal.``, counted
from 0 as in JSON); ``village.goals.services.exchange`` writes it and reads it into a class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from village.classwork.services.rubrics import CriterionSpec, LevelSpec
from village.core.text import single_line
from village.goals import rules
from village.goals.models import TEXT_MAX, TITLE_MAX, GoalKind

FORMAT = "village.goal-set"
VERSION = 1
#: The most a file may hold (a unit has a handful of groups and a few dozen goals).
MAX_GROUPS = 50
MAX_GOALS = 300
MAX_CRITERIA = 20
MAX_LEVELS = 10
MAX_POINTS = Decimal("9999.99")
KEY_MAX = 50
#: Problems listed at most (a file that is wrong everywhere is not read to its end).
MAX_PROBLEMS = 20


@dataclass
class GoalSpec:
    place: str
    key: str
    title: str
    kind: str
    parent: str | None
    needs: list[str]
    description: str = ""
    success_criteria: str = ""
    suggested_activities: str = ""


@dataclass
class GroupSpec:
    title: str
    description: str
    min_optional: int
    goals: list[GoalSpec]


@dataclass
class SetSpec:
    """A checked file: everything needed to write the set, nothing written yet."""

    title: str
    summary: str
    topic: str | None
    opens_on: dt.date
    closes_on: dt.date
    auto_approve: bool
    stalled_after_days: int
    rubric_title: str | None
    criteria: list[CriterionSpec] | None
    groups: list[GroupSpec]


class _Problems:
    """The problems found so far, each with its place; stops the reading when there are many."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, place: str, message: str) -> None:
        self.found.append(f"{place}: {message}" if place else message)
        if len(self.found) >= MAX_PROBLEMS:
            raise ValidationError(self.found)


class _Reader:
    """Reads values out of the parsed JSON, noting a problem (and returning a default) for each
    value of the wrong kind."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems

    def object(self, value: Any, place: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problems.add(place, _("Expected an object ({…})."))
            return {}
        for name in sorted(set(value) - allowed):
            self.problems.add(_join(place, str(name)[:KEY_MAX]), _("Village does not know this."))
        return value

    def list(self, data: dict[str, Any], name: str, place: str, most: int) -> list[Any]:
        value = data.get(name, [])
        if not isinstance(value, list):
            self.problems.add(_join(place, name), _("Expected a list ([…])."))
            return []
        if len(value) > most:
            self.problems.add(_join(place, name), _("At most %(count)d here.") % {"count": most})
            return []
        return value

    def text(self, data: dict[str, Any], name: str, place: str, *, most: int) -> str:
        value = data.get(name, "")
        where = _join(place, name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.add(where, _("Expected text."))
            return ""
        value = value.strip()
        if len(value) > most:
            self.problems.add(
                where,
                _("At most %(count)d characters (it has %(has)d).")
                % {"count": most, "has": len(value)},
            )
        return value

    def title(self, data: dict[str, Any], place: str, message: str, most: int = TITLE_MAX) -> str:
        value = self.text(data, "title", place, most=most)
        if isinstance(data.get("title", ""), str) and not value:
            self.problems.add(_join(place, "title"), message)
        else:
            try:
                single_line(value)
            except ValidationError as error:
                self.problems.add(_join(place, "title"), error.messages[0])
        return value

    def number(
        self, data: dict[str, Any], name: str, place: str, low: int, high: int, default: int
    ) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.add(
                _join(place, name),
                _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
            return default
        return value

    def flag(self, data: dict[str, Any], name: str, place: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problems.add(_join(place, name), _("Expected true or false."))
            return False
        return value

    def date(self, data: dict[str, Any], name: str, place: str) -> dt.date | None:
        value = data.get(name)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problems.add(_join(place, name), _("Expected a date such as 2026-03-01."))
        return None


def _join(place: str, name: str) -> str:
    return f"{place}.{name}" if place else name


SET_FIELDS = {
    "format",
    "version",
    "title",
    "summary",
    "topic",
    "opens_on",
    "closes_on",
    "auto_approve",
    "stalled_after_days",
    "rubric",
    "groups",
}


GROUP_FIELDS = {"title", "description", "min_optional", "goals"}


GOAL_FIELDS = {
    "key",
    "title",
    "kind",
    "parent",
    "description",
    "success_criteria",
    "suggested_activities",
    "needs",
}


def read_file(data: Any) -> SetSpec:
    """The file's set, checked through and through; ``ValidationError`` listing every problem
    with its place (at most ``MAX_PROBLEMS``) when anything is wrong."""
    problems = _Problems()
    reader = _Reader(problems)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(_("This file is not a Village goal set."))
    version = data.get("version")
    if version != VERSION:
        message = _("This Village reads goal sets of version %(ours)s, not %(theirs)s.") % {
            "ours": VERSION,
            "theirs": str(version)[:20],
        }
        raise ValidationError(f"version: {message}")
    reader.object(data, "", SET_FIELDS)
    spec = _read_set(reader, data)
    _check_references(spec, problems)
    if problems.found:
        raise ValidationError(problems.found)
    return spec


def _read_set(reader: _Reader, data: dict[str, Any]) -> SetSpec:
    opens_on, closes_on = reader.date(data, "opens_on", ""), reader.date(data, "closes_on", "")
    if opens_on and closes_on and closes_on < opens_on:
        reader.problems.add(
            "closes_on", _("The work ends on or after the day students start choosing.")
        )
    topic = data.get("topic")
    if topic is not None and not isinstance(topic, str):
        reader.problems.add("topic", _("Expected text."))
    title, criteria = _read_rubric(reader, data.get("rubric"))
    groups = reader.list(data, "groups", "", MAX_GROUPS)
    return SetSpec(
        title=reader.title(data, "", _("Give the goal set a title.")),
        summary=reader.text(data, "summary", "", most=TEXT_MAX),
        topic=topic.strip() if isinstance(topic, str) and topic.strip() else None,
        opens_on=opens_on or dt.date.min,
        closes_on=closes_on or dt.date.min,
        auto_approve=reader.flag(data, "auto_approve", ""),
        stalled_after_days=reader.number(data, "stalled_after_days", "", 1, 365, 14),
        rubric_title=title,
        criteria=criteria,
        groups=[_read_group(reader, group, f"groups[{i}]") for i, group in enumerate(groups)],
    )


def _read_rubric(reader: _Reader, value: Any) -> tuple[str | None, list[CriterionSpec] | None]:
    """``(None, None)`` without a rubric: the set then gets its own four levels."""
    if value is None:
        return None, None
    data = reader.object(value, "rubric", {"title", "criteria"})
    title = reader.title(data, "rubric", _("Give the rubric a title."))
    raw = reader.list(data, "criteria", "rubric", MAX_CRITERIA)
    if not raw and isinstance(data.get("criteria", []), list):
        reader.problems.add("rubric.criteria", _("A rubric needs at least one criterion."))
    criteria = [_read_criterion(reader, c, f"rubric.criteria[{i}]") for i, c in enumerate(raw)]
    best = sum(
        (max((lv.points for lv in c.levels), default=Decimal(0)) for c in criteria), Decimal(0)
    )
    if criteria and best <= 0:
        reader.problems.add(
            "rubric.criteria", _("The rubric is worth no points: give the best levels some points.")
        )
    return title, criteria


def _read_criterion(reader: _Reader, value: Any, place: str) -> CriterionSpec:
    data = reader.object(value, place, {"title", "description", "levels"})
    title = reader.title(data, place, _("Give the criterion a title."))
    raw = reader.list(data, "levels", place, MAX_LEVELS)
    if not raw and isinstance(data.get("levels", []), list):
        reader.problems.add(_join(place, "levels"), _("A criterion needs at least one level."))
    return CriterionSpec(
        title=title,
        description=reader.text(data, "description", place, most=500),
        levels=[_read_level(reader, lv, f"{place}.levels[{i}]") for i, lv in enumerate(raw)],
    )


def _read_level(reader: _Reader, value: Any, place: str) -> LevelSpec:
    data = reader.object(value, place, {"title", "description", "points"})
    return LevelSpec(
        title=reader.title(data, place, _("Give the level a name."), most=100),
        points=_points(reader, data.get("points"), _join(place, "points")),
        description=reader.text(data, "description", place, most=500),
    )


def _points(reader: _Reader, value: Any, place: str) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidOperation
        points = Decimal(str(value).strip())
        if not (0 <= points <= MAX_POINTS) or points != points.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        reader.problems.add(
            place,
            _("Enter points from 0 to %(most)s, with at most two decimals.") % {"most": MAX_POINTS},
        )
        return Decimal(0)
    return points


def _read_group(reader: _Reader, value: Any, place: str) -> GroupSpec:
    data = reader.object(value, place, GROUP_FIELDS)
    raw = reader.list(data, "goals", place, MAX_GOALS)
    return GroupSpec(
        title=reader.title(data, place, _("Give the group a title.")),
        description=reader.text(data, "description", place, most=TEXT_MAX),
        min_optional=reader.number(data, "min_optional", place, 0, 50, 0),
        goals=[_read_goal(reader, goal, f"{place}.goals[{i}]") for i, goal in enumerate(raw)],
    )


def _read_goal(reader: _Reader, value: Any, place: str) -> GoalSpec:
    data = reader.object(value, place, GOAL_FIELDS)
    key = data.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX:
        reader.problems.add(
            _join(place, "key"),
            _("Give each goal a key: text of 1 to %(most)d characters.") % {"most": KEY_MAX},
        )
        key = f"#{place}"  # cannot be referred to
    kind = data.get("kind", GoalKind.CORE)
    if kind not in GoalKind.values:
        reader.problems.add(_join(place, "kind"), _("A goal is core or optional."))
    parent = data.get("parent")
    if parent is not None and not isinstance(parent, str):
        reader.problems.add(_join(place, "parent"), _("Expected the key of another goal."))
        parent = None
    needs = reader.list(data, "needs", place, MAX_GOALS)
    if not all(isinstance(each, str) for each in needs):
        reader.problems.add(_join(place, "needs"), _("Expected the keys of other goals."))
        needs = []
    return GoalSpec(
        place=place,
        key=key.strip(),
        title=reader.title(data, place, _("Write the goal.")),
        kind=kind if kind in GoalKind.values else GoalKind.CORE,
        parent=parent,
        needs=list(dict.fromkeys(needs)),
        description=reader.text(data, "description", place, most=TEXT_MAX),
        success_criteria=reader.text(data, "success_criteria", place, most=TEXT_MAX),
        suggested_activities=reader.text(data, "suggested_activities", place, most=TEXT_MAX),
    )


def _check_references(spec: SetSpec, problems: _Problems) -> None:
    """Keys are unique; a parent is a goal of the same group, never the goal itself or one of
    its own sub-goals; prerequisites are goals of the file and make no circle."""
    goals: dict[str, tuple[int, GoalSpec]] = {}
    total = 0
    for index, group in enumerate(spec.groups):
        for goal in group.goals:
            total += 1
            if goal.key in goals:
                problems.add(_join(goal.place, "key"), _("Another goal has this key."))
            goals.setdefault(goal.key, (index, goal))
    if total > MAX_GOALS:
        problems.add("groups", _("At most %(count)d goals in a set.") % {"count": MAX_GOALS})
    for index, group in enumerate(spec.groups):
        for goal in group.goals:
            _check_parent(goal, index, goals, problems)
            for needed in goal.needs:
                if needed not in goals:
                    problems.add(
                        _join(goal.place, "needs"),
                        _("No goal has the key “%(key)s”.") % {"key": needed[:KEY_MAX]},
                    )
                elif needed == goal.key:
                    problems.add(_join(goal.place, "needs"), _("A goal cannot need itself."))
    _check_circles(goals, problems)


def _check_parent(
    goal: GoalSpec, group: int, goals: dict[str, tuple[int, GoalSpec]], problems: _Problems
) -> None:
    if goal.parent is None:
        return
    where = _join(goal.place, "parent")
    found = goals.get(goal.parent)
    if found is None:
        problems.add(where, _("No goal has the key “%(key)s”.") % {"key": goal.parent[:KEY_MAX]})
    elif found[0] != group or goal.parent == goal.key:
        problems.add(where, _("A sub-goal is part of another goal of the same group."))
    else:
        seen = {goal.key}
        current: str | None = goal.parent
        while current is not None and current in goals and current not in seen:
            seen.add(current)
            current = goals[current][1].parent
        if current == goal.key:
            problems.add(where, _("A goal cannot be part of one of its own sub-goals."))


def _check_circles(goals: dict[str, tuple[int, GoalSpec]], problems: _Problems) -> None:
    numbers = {key: number for number, key in enumerate(goals)}
    needs = {
        numbers[key]: [numbers[each] for each in goal.needs if each in numbers and each != key]
        for key, (_group, goal) in goals.items()
    }
    cycle = rules.find_cycle(needs)
    if cycle is not None:
        keys = list(goals)
        first = goals[keys[cycle[0]]][1]
        problems.add(
            _join(first.place, "needs"),
            _("That would make a circle: %(goals)s.")
            % {"goals": " → ".join(f"“{goals[keys[n]][1].title}”" for n in cycle)},
        )
