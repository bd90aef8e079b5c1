"""A version's content as pages show it: the snapshot a version keeps
(``services.plan_content.plan_content``) read into plain views (``content_view``), the rows a
page lists, and what a version changed, in the reader's words (``changes_in_words``). No query.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, ngettext

from village.support.models import ActionSide, Category

# --- content ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalView:
    number: int
    id: int
    text: str
    baseline: str
    target: str
    measure: str
    learning_goal: str
    learning_goal_id: int | None = None


@dataclass(frozen=True)
class ActionView:
    id: int
    side: str
    who: str
    what: str
    how_often: str
    goal: int | None


@dataclass(frozen=True)
class AccommodationView:
    id: int
    title: str
    category: str


@dataclass(frozen=True)
class ContentView:
    """A version's content as the pages show it."""

    title: str
    concern: str
    present_level: str
    review_on: dt.date
    check_every_days: int
    goals: list[GoalView]
    school_actions: list[ActionView]
    home_actions: list[ActionView]
    accommodations: list[AccommodationView]
    #: The student's own view, in the student's words and language.
    student_view: str = ""
    student_view_language: str = ""

    @property
    def accommodation_ids(self) -> list[int]:
        return [accommodation.id for accommodation in self.accommodations]

    def texts(self) -> list[str]:
        """Everything the staff wrote in it (for ``plan_translations.Wanted``)."""
        found = [self.title, self.concern, self.present_level]
        for goal in self.goals:
            found += [goal.text, goal.baseline, goal.target, goal.measure]
        for action in [*self.school_actions, *self.home_actions]:
            found += [action.who, action.what, action.how_often]
        return found


def _category(value: str) -> str:
    try:
        return str(Category(value).label)
    except ValueError:
        return value


def content_view(content: dict[str, Any]) -> ContentView:
    """A version's snapshot (``services.plans.plan_content``) for a page."""
    goals = [
        GoalView(
            number=number,
            id=goal["id"],
            text=goal["text"],
            baseline=goal["baseline"],
            target=goal["target"],
            measure=goal["measure"],
            learning_goal=(goal.get("learning_goal") or {}).get("title", ""),
            learning_goal_id=(goal.get("learning_goal") or {}).get("id"),
        )
        for number, goal in enumerate(content.get("goals", []), start=1)
    ]
    actions = [
        ActionView(
            id=row["id"],
            side=row["side"],
            who=row["who"],
            what=row["what"],
            how_often=row["how_often"],
            goal=row.get("goal"),
        )
        for row in content.get("actions", [])
    ]
    return ContentView(
        title=content.get("title", ""),
        concern=content.get("concern", ""),
        present_level=content.get("present_level", ""),
        review_on=dt.date.fromisoformat(content["review_on"]),
        check_every_days=content["check_every_days"],
        goals=goals,
        school_actions=[action for action in actions if action.side == ActionSide.SCHOOL],
        home_actions=[action for action in actions if action.side == ActionSide.HOME],
        accommodations=[
            AccommodationView(row["id"], row["title"], _category(row["category"]))
            for row in content.get("accommodations", [])
        ],
        student_view=str((content.get("student_view") or {}).get("text", "")),
        student_view_language=str((content.get("student_view") or {}).get("language", "")),
    )


@dataclass(frozen=True)
class ActionRow:
    """An action as a page lists it: for a home action, the latest times it was done."""

    action: ActionView
    logs: list[Any]
    count: int


def bare_rows(content: ContentView) -> dict[str, Any]:
    """The rows of a version's content with nothing on record (an earlier version)."""
    return {
        "goal_rows": [(goal, []) for goal in content.goals],
        "school_rows": [ActionRow(action, [], 0) for action in content.school_actions],
        "home_rows": [ActionRow(action, [], 0) for action in content.home_actions],
    }


# --- what changed, in words ---------------------------------------------------------------------

_FIELDS = {
    "title": lambda: gettext("the title"),
    "concern": lambda: gettext("the concern"),
    "present_level": lambda: gettext("the present level"),
    "review_on": lambda: gettext("the review date"),
    "check_every_days": lambda: gettext("how often progress is checked"),
    "accommodations": lambda: gettext("the accommodations"),
    "student_view": lambda: gettext("the student's view"),
}


def _counted(code: str, count: int) -> str:
    names = {"count": count}
    words = {
        "goal_added": ngettext("%(count)s goal added", "%(count)s goals added", count),
        "goal_changed": ngettext("%(count)s goal changed", "%(count)s goals changed", count),
        "goal_removed": ngettext("%(count)s goal removed", "%(count)s goals removed", count),
        "school_action_added": ngettext(
            "%(count)s school action added", "%(count)s school actions added", count
        ),
        "school_action_changed": ngettext(
            "%(count)s school action changed", "%(count)s school actions changed", count
        ),
        "school_action_removed": ngettext(
            "%(count)s school action removed", "%(count)s school actions removed", count
        ),
        "home_action_added": ngettext(
            "%(count)s home action added", "%(count)s home actions added", count
        ),
        "home_action_changed": ngettext(
            "%(count)s home action changed", "%(count)s home actions changed", count
        ),
        "home_action_removed": ngettext(
            "%(count)s home action removed", "%(count)s home actions removed", count
        ),
    }
    return words.get(code, code) % names


def changes_in_words(codes: Iterable[str]) -> list[str]:
    """What a version changed, in the reader's language: one line per kind of change."""
    codes = list(codes)
    if "created" in codes:
        return [gettext("First version.")]
    lines: list[str] = []
    if "renewed" in codes:
        lines.append(gettext("Proposed again after the review."))
    fields = [_FIELDS[code]() for code in codes if code in _FIELDS]
    if fields:
        lines.append(gettext("Changed: %(fields)s.") % {"fields": ", ".join(fields)})
    counts = Counter(code for code in codes if code not in _FIELDS and code != "renewed")
    lines += [_counted(code, count) for code, count in counts.items()]
    return lines
