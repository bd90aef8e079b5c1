"""Learning goals' section of the weekly family email: for each child whose link allows goals,
the goals met this week, the efforts reported and the teacher's answers, the requests for help
at home still open, and a prompt to encourage the child — nothing when none of it happened.

Read once for the whole batch of guardians (``DigestBatch.once``): four queries, whatever the
number of guardians and children.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse

from village.community.models import Scope
from village.goals.models import Effort, EffortFeedback, HelpRequest, PlanGoal
from village.notifications import registry
from village.notifications.registry import DigestBatch, DigestRequest, DigestSection
from village.notifications.services.notify import site_link

#: Goals met and requests listed at most per child.
SHOWN = 5


@dataclass
class _Facts:
    """What happened to one child's goals in the batch's period, each with its moment."""

    efforts: list[dt.datetime] = field(default_factory=list)
    answers: list[dt.datetime] = field(default_factory=list)
    met: list[tuple[dt.datetime, str, int]] = field(default_factory=list)
    help: list[tuple[dt.datetime, str, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ChildGoals:
    name: str
    efforts: int
    answers: int
    met: list[str]
    help: list[tuple[str, str]]
    link: str


def _read(batch: DigestBatch) -> dict[int, _Facts]:
    children = batch.student_ids(Scope.GOALS)
    found: dict[int, _Facts] = defaultdict(_Facts)
    if not children:
        return found
    window = {"gt": batch.since, "lte": batch.now}
    efforts = Effort.objects.filter(
        plan_goal__plan__student_id__in=children,
        plan_goal__plan__goal_set__published=True,
        created_at__gt=window["gt"],
        created_at__lte=window["lte"],
    )
    for student, moment in efforts.values_list("plan_goal__plan__student_id", "created_at"):
        found[student].efforts.append(moment)
    answers = EffortFeedback.objects.filter(
        effort__plan_goal__plan__student_id__in=children,
        effort__plan_goal__plan__goal_set__published=True,
        created_at__gt=window["gt"],
        created_at__lte=window["lte"],
    )
    for student, moment in answers.values_list("effort__plan_goal__plan__student_id", "created_at"):
        found[student].answers.append(moment)
    met = PlanGoal.objects.filter(
        plan__student_id__in=children,
        plan__goal_set__published=True,
        met_at__gt=window["gt"],
        met_at__lte=window["lte"],
    ).order_by("met_at", "pk")
    for student, met_at, title, set_id in met.values_list(
        "plan__student_id", "met_at", "goal__title", "plan__goal_set_id"
    ):
        if met_at is not None:
            found[student].met.append((met_at, title, set_id))
    open_requests = HelpRequest.objects.filter(
        plan_goal__plan__student_id__in=children,
        plan_goal__plan__goal_set__published=True,
        answered_at__isnull=True,
    ).order_by("created_at", "pk")
    for student, moment, text, title, set_id in open_requests.values_list(
        "plan_goal__plan__student_id",
        "created_at",
        "text",
        "plan_goal__goal__title",
        "plan_goal__plan__goal_set_id",
    ):
        found[student].help.append((moment, text, title, set_id))
    return found


def digest_section(asked: DigestRequest) -> DigestSection | None:
    batch = asked.shared()
    facts = batch.once("goals.digest", lambda: _read(batch))
    rows = []
    for child in asked.children:
        mine = facts.get(child.id)
        if mine is None:
            continue
        efforts = sum(1 for moment in mine.efforts if moment > asked.since)
        answers = sum(1 for moment in mine.answers if moment > asked.since)
        met = [title for moment, title, _set in mine.met if moment > asked.since]
        if not (efforts or answers or met or mine.help):
            continue
        rows.append(
            ChildGoals(
                name=child.name,
                efforts=efforts,
                answers=answers,
                met=met[:SHOWN],
                help=[(text, title) for _moment, text, title, _set in mine.help[:SHOWN]],
                link=site_link(reverse("goals:family_child", args=[child.id])),
            )
        )
    if not rows:
        return None
    return DigestSection(
        html_template="goals/digest/section.html",
        text_template="goals/digest/section.txt",
        context={"children": rows},
        news=True,
    )


def register() -> None:
    registry.register_digest_section(Scope.GOALS, "goals.digest", digest_section, order=20)
